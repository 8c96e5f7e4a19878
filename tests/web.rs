//! The browser suite: `wasm-pack test --headless --chrome` runs it in Chromium, on WebGPU
//! (SwiftShader in CI) and on the CPU backend compiled to WebAssembly.
#![cfg(target_family = "wasm")]

#[path = "common/parity.rs"]
mod parity;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use widedeep::engine::{BackendKind, Engine, Preference, is_software_adapter};
use widedeep::model::Mode;
use widedeep::web::WideDeepEngine;

wasm_bindgen_test_configure!(run_in_browser);

/// Trains the parity run on `preference`; returns (train losses per epoch, final test AUC).
async fn parity_run(preference: Preference) -> (Vec<f64>, f64, Engine) {
    let mut engine = Engine::new();
    let backend = engine.choose_backend(preference).await.expect("the backend initializes: a missing WebGPU adapter is a broken set-up");
    let expected = if preference == Preference::Cpu { BackendKind::Cpu } else { BackendKind::Webgpu };
    assert_eq!(backend.kind, expected, "{backend:?}");
    engine.load_csv("parity", parity::csv().as_bytes()).unwrap();
    engine.configure(parity::config()).unwrap();
    while !engine.train(16).await.unwrap().done {}
    let report = engine.report().unwrap();
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

#[wasm_bindgen_test]
async fn auto_prefers_the_cpu_over_a_software_adapter() {
    let mut engine = Engine::new();
    let gpu = engine.choose_backend(Preference::Webgpu).await.expect("a WebGPU adapter");
    let auto = engine.choose_backend(Preference::Auto).await.unwrap();
    web_sys_log(&format!("WebGPU adapter: {gpu:?}; auto: {auto:?}"));
    assert!(!gpu.adapter.contains("BrowserWebGpu"), "the browser's own adapter description is read: {}", gpu.adapter);
    let software = is_software_adapter(&gpu.adapter, false) || gpu.reason.contains("software");
    assert_eq!(auto.kind == BackendKind::Cpu, software, "{gpu:?} -> {auto:?}");
    if software {
        assert!(auto.reason.contains("software renderer"), "{}", auto.reason);
    }
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
    engine.score_csv(parity::csv().as_bytes()).await.unwrap().probabilities
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
    engine.configure(parity::config()).unwrap();
    while !engine.train(64).await.unwrap().done {}
    let map = engine.cross_map(["a", "b"]).unwrap();
    assert_eq!(map.models, [Mode::Joint]);
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
    engine.configure(parity::config()).unwrap();
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
    let epochs = &engine.report().unwrap().models[0].epochs;
    assert_eq!(epochs.len(), 3, "the epoch finished on the GPU is kept and the rest ran on the CPU");
    assert!(epochs[2].test_auc > 0.85, "{epochs:?}");
}
