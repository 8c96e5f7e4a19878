//! The browser suite: `wasm-pack test --headless --chrome` runs it in Chromium, on WebGPU
//! (SwiftShader in CI) and on the CPU backend compiled to WebAssembly.
#![cfg(target_family = "wasm")]

#[path = "common/parity.rs"]
mod parity;
#[path = "common/tables.rs"]
mod tables;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use widedeep::engine::{BackendKind, Engine, Preference, is_software_adapter};
use widedeep::model::{Mode, NamedTensor, SavedModel};
use widedeep::train::{OptimizerKind, TableUpdates};
use widedeep::web::WideDeepEngine;

wasm_bindgen_test_configure!(run_in_browser);

/// Trains the parity run on `preference`; returns (train losses per epoch, final test AUC).
async fn parity_run(preference: Preference) -> (Vec<f64>, f64, Engine) {
    let mut engine = parity_engine(preference, parity::config()).await;
    while !engine.train(16).await.unwrap().done {}
    let report = engine.report().unwrap().report;
    let epochs = &report.models[0].epochs;
    (epochs.iter().map(|e| e.train_loss).collect(), epochs.last().unwrap().test_auc, engine)
}

#[wasm_bindgen_test]
async fn trains_on_webgpu_and_matches_native() {
    let (losses, auc, engine) = parity_run(Preference::Webgpu).await;
    web_sys_log(&format!("WebGPU adapter {:?}: losses {losses:?}, AUC {auc}", engine.backend().adapter));
    assert!(losses.last() < losses.first(), "loss falls: {losses:?}");
    assert!(auc > 0.85, "AUC {auc}");
    assert!((auc - parity::recorded_auc()).abs() < parity::AUC_TOLERANCE, "WebGPU AUC {auc} vs native {}", parity::recorded_auc());
}

#[wasm_bindgen_test]
async fn trains_on_the_cpu_in_wasm_and_matches_native() {
    let (losses, auc, _) = parity_run(Preference::Cpu).await;
    assert!(losses.last() < losses.first(), "loss falls: {losses:?}");
    assert!((auc - parity::recorded_auc()).abs() < parity::AUC_TOLERANCE, "CPU-in-wasm AUC {auc} vs native {}", parity::recorded_auc());
}

/// The automatic choice times a few steps of the configured model on both backends and trains on
/// the faster, with both figures in its reason and its report; a software adapter (SwiftShader
/// here) loses by its measurement, a real GPU may win.
#[wasm_bindgen_test]
async fn automatic_measures_both_backends_on_the_model_and_trains_on_the_faster() {
    let mut engine = Engine::new();
    let gpu = engine.choose_backend(Preference::Webgpu).await.expect("a WebGPU adapter");
    assert!(!gpu.adapter.contains("BrowserWebGpu"), "the browser's own adapter description is read: {}", gpu.adapter);
    let software = is_software_adapter(&gpu.adapter, false) || gpu.reason.contains("software");
    let start = engine.choose_backend(Preference::Auto).await.unwrap();
    assert_eq!(start.kind == BackendKind::Cpu, software, "the starting guess: {start:?}");
    engine.load_csv("memorize", &Engine::preset_csv("memorize").unwrap()).unwrap();
    let mut config = widedeep::Config::default();
    config.features.label = "bought".into();
    config.train.epochs = 1;
    // Measured ahead of training (the page does it while the class reads): the backend in use
    // stays until training starts, and training takes the measurement's pick.
    let ahead = engine.measure(&config).await.unwrap().expect("with WebGPU at hand the model is measured");
    assert_eq!(engine.backend(), &start, "measuring ahead leaves the backend in use");
    engine.configure(config.clone()).await.unwrap();
    let chosen = engine.backend().clone();
    assert_eq!(chosen, ahead, "training takes the measurement made ahead");
    web_sys_log(&format!("automatic on {:?}: {chosen:?}", gpu.adapter));
    let measured = chosen.measured.expect("with WebGPU at hand the choice is measured");
    let faster = if measured.webgpu > measured.cpu { BackendKind::Webgpu } else { BackendKind::Cpu };
    assert_eq!(chosen.kind, faster, "{}", chosen.reason);
    assert!(
        chosen.reason.starts_with("WebGPU ") && chosen.reason.contains("/s, CPU ") && chosen.reason.contains("training on the"),
        "{}",
        chosen.reason
    );
    if software {
        assert_eq!(chosen.kind, BackendKind::Cpu, "a software adapter loses by its measurement: {}", chosen.reason);
    }
    engine.configure(config).await.unwrap();
    assert_eq!(engine.backend().measured, Some(measured), "the same model shape reuses its measurement");
    assert_eq!(engine.report().unwrap().backend.measured, Some(measured), "the figures are in the metrics");
}

#[wasm_bindgen_test]
async fn export_import_and_score_round_trip() {
    let (_, _, engine) = parity_run(Preference::Webgpu).await;
    let json = engine.export_model(Mode::Joint).await.unwrap();
    let mut on_cpu = Engine::new();
    assert_eq!(on_cpu.import_model(&json).unwrap(), ["a", "b", "x"]);
    let on_gpu_scores = engine_scores(&mut Engine::new(), Preference::Webgpu, &json).await;
    let on_cpu_scores = engine_scores(&mut on_cpu, Preference::Cpu, &json).await;
    assert_eq!(on_cpu_scores.len(), 600);
    for (g, c) in on_gpu_scores.iter().zip(&on_cpu_scores) {
        assert!((g - c).abs() < 1e-4, "{g} vs {c}");
    }
    let text = parity::csv();
    let labels: Vec<f32> = text.lines().skip(1).map(|l| if l.ends_with('1') { 1.0 } else { 0.0 }).collect();
    let scores: Vec<f32> = on_cpu_scores.iter().map(|&p| p as f32).collect();
    assert!(widedeep::metrics::roc_auc(&scores, &labels) > 0.85);
}

async fn engine_scores(engine: &mut Engine, preference: Preference, json: &str) -> Vec<f64> {
    engine.choose_backend(preference).await.unwrap();
    engine.import_model(json).unwrap();
    engine.score_csv(parity::csv().as_bytes()).await.unwrap().predictions
}

#[wasm_bindgen_test]
fn a_bad_csv_is_a_js_error_and_keeps_the_loaded_data() {
    let engine = WideDeepEngine::new();
    let load = |name: &str, bytes: &[u8]| engine.load_files(vec![name.to_string()], vec![js_sys::Uint8Array::from(bytes)], None);
    load("good.csv", b"a,label\nx,1\ny,0\n").unwrap();
    let error: JsValue = load("bad.csv", b"a,label\nx,1\ny\n").unwrap_err();
    let kind = js_sys::Reflect::get(&error, &JsValue::from_str("kind")).unwrap();
    assert_eq!(kind.as_string().as_deref(), Some("file"), "errors carry the core's kind for the page's hint");
    let message = error.dyn_into::<js_sys::Error>().unwrap().message();
    assert_eq!(String::from(message), "row 2 (line 3): expected 2 fields like the header, found 1");
    let schema = engine.schema().unwrap();
    let rows = js_sys::Reflect::get(&schema, &JsValue::from_str("rows")).unwrap();
    assert_eq!(rows.as_f64(), Some(2.0), "the good file is still loaded");
}

/// The worker draws pictures through this door: plain data in, SVG text out, in either look.
#[wasm_bindgen_test]
async fn pictures_cross_as_data_and_come_back_as_svg() {
    let (mut engine, csv) = (Engine::new(), parity::csv());
    engine.load_csv("parity", csv.as_bytes()).unwrap();
    engine.configure(parity::config()).await.unwrap();
    while !engine.train(64).await.unwrap().done {}
    let map = engine.cross_map(["a", "b"], &[engine.test_logits(Mode::Joint).unwrap()], None).unwrap();
    assert_eq!((map.models.as_slice(), map.when.as_str()), ([Mode::Joint].as_slice(), "epoch 3"));
    let picture = widedeep::plot::Picture::CrossMap(map);
    let value = serde_wasm_bindgen::to_value(&picture).unwrap();
    let svg = widedeep::web::picture_svg(value.clone(), 900, 400, false).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("a (down) × b (across)"), "{}", &svg[..200.min(svg.len())]);
    let projector = widedeep::web::picture_svg(value, 900, 400, true).unwrap();
    assert_ne!(svg, projector, "the projector look draws larger text");
    let error = widedeep::web::picture_svg(JsValue::from_str("nonsense"), 10, 10, false).unwrap_err();
    assert!(error.is_instance_of::<js_sys::Error>());
}

fn web_sys_log(message: &str) {
    wasm_bindgen_test::console_log!("{message}");
}

/// Makes every GPU read-back fail from now on, as a lost device does (returns the restorer).
fn break_gpu_reads() -> js_sys::Function {
    let patch = js_sys::Function::new_no_args(
        "const original = GPUBuffer.prototype.mapAsync;
         GPUBuffer.prototype.mapAsync = function () { return Promise.reject(new DOMException('device lost (test)', 'OperationError')); };
         return () => { GPUBuffer.prototype.mapAsync = original; };",
    );
    patch.call0(&JsValue::NULL).unwrap().dyn_into().unwrap()
}

#[wasm_bindgen_test]
async fn a_lost_gpu_moves_training_to_the_cpu_from_the_last_epoch() {
    let mut engine = Engine::new();
    engine.choose_backend(Preference::Webgpu).await.expect("a WebGPU adapter");
    engine.load_csv("parity", parity::csv().as_bytes()).unwrap();
    engine.configure(parity::config()).await.unwrap();
    while engine.train(4).await.unwrap().models[0].finished.is_empty() {}
    let restore = break_gpu_reads();
    let mut fallback = None;
    loop {
        let progress = engine.train(8).await;
        let progress = match progress {
            Ok(p) => p,
            Err(e) => {
                restore.call0(&JsValue::NULL).unwrap();
                panic!("training failed instead of falling back: {e}");
            }
        };
        fallback = fallback.or(progress.fallback);
        if progress.done {
            break;
        }
    }
    restore.call0(&JsValue::NULL).unwrap();
    let fallback = fallback.expect("the engine reported the move to the CPU");
    assert_eq!(fallback.kind, BackendKind::Cpu);
    assert!(fallback.reason.contains("GPU failed"), "{}", fallback.reason);
    assert_eq!(engine.backend().kind, BackendKind::Cpu);
    let epochs = &engine.report().unwrap().report.models[0].epochs;
    assert_eq!(epochs.len(), 3, "the epoch finished on the GPU is kept and the rest ran on the CPU");
    assert!(epochs[2].test_auc > 0.85, "{epochs:?}");
}

/// The tables model's parameters after its epoch on `preference` with these updates.
async fn tables_run(preference: Preference, updates: TableUpdates, optimizer: OptimizerKind) -> Vec<NamedTensor> {
    let mut engine = Engine::new();
    engine.choose_backend(preference).await.unwrap();
    engine.load_csv("tables", tables::csv().as_bytes()).unwrap();
    engine.configure(tables::config(updates, optimizer)).await.unwrap();
    while !engine.train(16).await.unwrap().done {}
    SavedModel::from_json(&engine.export_model(Mode::Joint).await.unwrap()).unwrap().parameters.tensors
}

#[wasm_bindgen_test]
async fn sparse_and_dense_updates_agree_for_adagrad_and_sgd_on_both_backends() {
    for preference in [Preference::Webgpu, Preference::Cpu] {
        for optimizer in [OptimizerKind::Adagrad, OptimizerKind::Sgd] {
            let sparse = tables_run(preference, TableUpdates::Sparse, optimizer).await;
            let dense = tables_run(preference, TableUpdates::Dense, optimizer).await;
            let (gap, name) = tables::largest_difference(&sparse, &dense);
            web_sys_log(&format!("{preference:?} {optimizer:?}: sparse and dense differ by at most {gap} ({name})"));
            assert!(gap < 1e-4, "{preference:?} {optimizer:?} {name}: differs by {gap}");
            assert!(tables::wide(&sparse).iter().filter(|&&v| v != 0.0).count() > 20, "the wide weights learned");
        }
    }
}

/// A million distinct user ids (a 1M × 32 embedding table and a 1M-weight wide table) train an
/// epoch on the CPU in WebAssembly; memory grows with the vocabulary, not with the steps.
#[wasm_bindgen_test]
async fn a_million_id_table_trains_an_epoch_in_the_browser() {
    const USERS: usize = 1_000_000;
    let mut text = String::with_capacity(USERS * 16);
    text.push_str("user,genre,label\n");
    let mut rng = widedeep::rng::Rng::new(3, 0);
    for user in 0..USERS + USERS / 20 + 1 {
        let genre = rng.below(8);
        let liked = (genre < 2) ^ (rng.next_f64() < 0.2);
        text.push_str(&format!("u{},g{genre},{}\n", user % USERS, u8::from(liked)));
    }
    let mut engine = Engine::new();
    engine.choose_backend(Preference::Cpu).await.unwrap();
    engine.load_csv("ids", text.as_bytes()).unwrap();
    drop(text);
    let mut config = widedeep::Config::default();
    config.features = widedeep::features::FeatureConfig {
        embedding_dim: Some(32),
        kinds: [("user".to_string(), widedeep::data::ColumnKind::Id)].into(),
        roles: [("user".to_string(), widedeep::features::Role::Both)].into(),
        ..widedeep::features::FeatureConfig::for_label("label")
    };
    config.train.modes = vec![Mode::Joint];
    config.train.epochs = 1;
    config.train.test_fraction = 0.05;
    engine.configure(config).await.unwrap();
    let memory = || {
        wasm_bindgen::memory()
            .unchecked_into::<js_sys::WebAssembly::Memory>()
            .buffer()
            .unchecked_into::<js_sys::ArrayBuffer>()
            .byte_length()
    };
    let mut steps_memory = Vec::new();
    while !engine.train(64).await.unwrap().done {
        steps_memory.push(memory());
    }
    let report = engine.report().unwrap().report;
    let epoch = report.models[0].epochs[0].clone();
    let (first, last) = (steps_memory[0], *steps_memory.last().unwrap());
    web_sys_log(&format!(
        "1M ids: {:.0} samples/s, AUC {:.3}, wasm memory {} MB after the first slice, {} MB at the end",
        epoch.samples_per_second,
        epoch.test_auc,
        first >> 20,
        last >> 20
    ));
    assert!(report.dataset.wide_ids > 900_000, "about a million ids in the vocabulary: {}", report.dataset.wide_ids);
    assert!(epoch.train_loss.is_finite() && epoch.test_auc > 0.7, "the genre is learned: {epoch:?}");
    assert!(last <= first + (64 << 20), "memory does not grow with the steps: {first} then {last} bytes");
}

/// An engine on `preference` (which must be what it gets) with the parity file, configured.
async fn parity_engine(preference: Preference, config: widedeep::Config) -> Engine {
    let mut engine = Engine::new();
    let backend = engine.choose_backend(preference).await.expect("the backend initializes: a missing WebGPU adapter is a broken set-up");
    let expected = if preference == Preference::Cpu { BackendKind::Cpu } else { BackendKind::Webgpu };
    assert_eq!(backend.kind, expected, "{backend:?}");
    engine.load_csv("parity", parity::csv().as_bytes()).unwrap();
    engine.configure(config).await.unwrap();
    engine
}

/// The parity run's settings for two epochs of `modes`.
fn two_epochs_of(modes: &[Mode]) -> widedeep::Config {
    let mut config = parity::config();
    (config.train.modes, config.train.epochs) = (modes.to_vec(), 2);
    config
}

/// A model handed between two engines on the CPU mid-epoch, as a race moves one between workers,
/// trains on to the metrics it would have had: its optimizer's state loads onto the CPU, not onto
/// this build's default device (WebGPU). A model on WebGPU is refused with a clear error.
#[wasm_bindgen_test]
async fn a_model_handed_over_on_the_cpu_trains_on_to_the_same_metrics() {
    let finish = async |engine: &mut Engine| {
        while !engine.train(16).await.unwrap().done {}
    };
    let wide_epochs = |engine: &Engine| {
        let report = engine.report().unwrap().report;
        let run = report.models.into_iter().find(|m| m.mode == Mode::Wide).unwrap();
        run.epochs.iter().map(|e| (e.train_loss, e.test_loss, e.test_auc)).collect::<Vec<_>>()
    };
    let mut stayed = parity_engine(Preference::Cpu, two_epochs_of(&[Mode::Wide, Mode::Deep])).await;
    finish(&mut stayed).await;
    let mut giver = parity_engine(Preference::Cpu, two_epochs_of(&[Mode::Wide, Mode::Deep])).await;
    let mut taker = parity_engine(Preference::Cpu, two_epochs_of(&[Mode::Joint])).await;
    giver.train(5).await.unwrap();
    let bytes = giver.hand_over(Mode::Wide).await.unwrap();
    assert_eq!(taker.take_over(&bytes).unwrap(), Mode::Wide);
    finish(&mut taker).await;
    assert_eq!(wide_epochs(&taker), wide_epochs(&stayed));
    let mut on_gpu = parity_engine(Preference::Webgpu, two_epochs_of(&[Mode::Joint])).await;
    on_gpu.train(1).await.unwrap();
    let refused = on_gpu.hand_over(Mode::Joint).await.unwrap_err();
    assert_eq!(refused.to_string(), "compute backend: only a model training on the CPU can move to another worker");
    let refused = on_gpu.take_over(&bytes).unwrap_err();
    assert_eq!(refused.to_string(), "compute backend: only a model training on the CPU can move to another worker");
}
