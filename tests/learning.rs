//! End-to-end learning on synthetic data where the right answer is known.
#![cfg(not(target_family = "wasm"))]

#[path = "common/parity.rs"]
mod parity;

use burn::tensor::Device;
use widedeep::Config;
use widedeep::data::{Schema, read_table};
use widedeep::features::FeatureConfig;
use widedeep::model::Mode;
use widedeep::rng::Rng;
use widedeep::train::{Comparison, EpochRecord, TrainConfig};

/// Label = parity(a) XOR parity(b): no single column says anything about it.
fn xor_csv(rows: usize) -> String {
    let mut rng = Rng::new(42, 0);
    let mut text = String::from("a,b,noise,label\n");
    for _ in 0..rows {
        let (a, b) = (rng.below(6), rng.below(6));
        text.push_str(&format!("a{a},b{b},{:.3},{}\n", rng.next_f64(), (a % 2) ^ (b % 2)));
    }
    text
}

fn race(csv: &str, crosses: &[&[&str]], modes: &[Mode], epochs: usize) -> Vec<Vec<EpochRecord>> {
    let table = read_table(csv.as_bytes()).unwrap();
    let schema = Schema::infer(&table);
    let features = FeatureConfig {
        crosses: crosses.iter().map(|c| c.iter().map(|s| s.to_string()).collect()).collect(),
        ..FeatureConfig::for_label("label")
    };
    let train = TrainConfig { modes: modes.to_vec(), epochs, batch_size: 64, learning_rate: Some(0.01), ..TrainConfig::default() };
    let config = Config { features, train };
    let mut comparison = Comparison::new(&table, &schema, &config, &Device::flex()).unwrap();
    comparison
        .trainers
        .iter_mut()
        .map(|t| {
            for _ in 0..epochs {
                t.run_epoch(|_| {}).unwrap();
            }
            t.history().to_vec()
        })
        .collect()
}

#[test]
fn a_cross_is_what_lets_the_wide_part_learn_xor() {
    let csv = xor_csv(3000);
    let without = race(&csv, &[], &[Mode::Wide], 4);
    let with = race(&csv, &[&["a", "b"]], &[Mode::Wide, Mode::Deep], 4);
    let auc = |h: &Vec<EpochRecord>| h.last().unwrap().test_auc;
    assert!((auc(&without[0]) - 0.5).abs() < 0.06, "wide without the cross: {}", auc(&without[0]));
    assert!(auc(&with[0]) > 0.97, "wide with the cross: {}", auc(&with[0]));
    assert!(auc(&with[1]) > 0.97, "deep (embeddings generalize the interaction): {}", auc(&with[1]));
    assert!(with[0].last().unwrap().test_accuracy > 0.95);
    let losses: Vec<f64> = with[0].iter().map(|r| r.train_loss).collect();
    assert!(losses.windows(2).all(|w| w[1] < w[0]), "training loss falls: {losses:?}");
}

#[test]
fn same_seed_same_metrics() {
    let csv = xor_csv(1500);
    let strip = |runs: Vec<Vec<EpochRecord>>| -> Vec<(f64, f64, f64, f64)> {
        runs.concat().iter().map(|r| (r.train_loss, r.test_loss, r.test_auc, r.test_accuracy)).collect()
    };
    let first = strip(race(&csv, &[&["a", "b"]], &[Mode::Joint], 2));
    let second = strip(race(&csv, &[&["a", "b"]], &[Mode::Joint], 2));
    assert_eq!(first, second);
}

/// Records (with `WIDEDEEP_RECORD_PARITY=1`) or checks the native result of the parity run that
/// the browser suite compares WebGPU and CPU-in-wasm against.
#[test]
fn native_parity_run_matches_the_recorded_result() {
    let mut engine = widedeep::engine::Engine::new();
    engine.load_csv("parity", parity::csv().as_bytes()).unwrap();
    engine.configure(parity::config()).unwrap();
    while !pollster::block_on(engine.train(64)).unwrap().done {}
    let auc = engine.report().unwrap().models[0].epochs.last().unwrap().test_auc;
    assert!(auc > 0.85, "the run learns the cross: {auc}");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/parity-native.json");
    if std::env::var_os("WIDEDEEP_RECORD_PARITY").is_some() {
        std::fs::write(path, format!("{{\"test_auc\": {auc}}}\n")).unwrap();
    }
    // Kernels sum in a different order with and without AVX-512 (and in wasm), which moves the
    // AUC in the fourth decimal; the same tolerance holds the browser's backends to this run.
    assert!(
        (auc - parity::recorded_auc()).abs() < parity::AUC_TOLERANCE,
        "native AUC {auc} differs from the recorded {}; rerun with WIDEDEEP_RECORD_PARITY=1 if the model changed on purpose",
        parity::recorded_auc()
    );
}
