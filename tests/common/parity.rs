//! One small training run that every backend must reproduce: natively, on the CPU in
//! WebAssembly and on WebGPU. Included by several test crates, each using part of it.
#![allow(dead_code)]

use widedeep::Config;
use widedeep::features::FeatureConfig;
use widedeep::model::Mode;
use widedeep::rng::Rng;
use widedeep::train::TrainConfig;

/// 600 rows whose label is mostly an XOR of two columns (10% noise) plus a numeric signal.
pub fn csv() -> String {
    let mut rng = Rng::new(7, 0);
    let mut text = String::from("a,b,x,label\n");
    for _ in 0..600 {
        let (a, b, x) = (rng.below(4), rng.below(4), rng.next_f64());
        let clean = ((a % 2) ^ (b % 2)) == 1;
        let label = clean ^ (rng.next_f64() < 0.1);
        text.push_str(&format!("a{a},b{b},{x:.3},{}\n", u8::from(label)));
    }
    text
}

/// Joint model, a cross, 3 epochs of batch 128.
pub fn config() -> Config {
    let features = FeatureConfig { crosses: vec![vec!["a".into(), "b".into()]], ..FeatureConfig::for_label("label") };
    let train = TrainConfig {
        modes: vec![Mode::Joint],
        hidden: vec![16, 8],
        epochs: 3,
        batch_size: 128,
        learning_rate: Some(0.02),
        ..TrainConfig::default()
    };
    Config { features, train }
}

/// How far another CPU or backend may land from the recorded AUC: summation order differs
/// between kernels (AVX-512, AVX2, SIMD128, GPU), which moves a 180-row AUC by a few pairs.
pub const AUC_TOLERANCE: f64 = 0.005;

/// The final native test AUC of the joint model, recorded by `tests/learning.rs`.
pub fn recorded_auc() -> f64 {
    let value: serde_json::Value = serde_json::from_str(include_str!("../parity-native.json")).expect("parity-native.json is JSON");
    value["test_auc"].as_f64().expect("a test_auc number")
}
