//! A small model with every kind of table lookup, trained with sparse and with dense table
//! updates: natively and in the browser suite (on WebGPU and on the CPU in WebAssembly).
#![allow(dead_code)]

use widedeep::Config;
use widedeep::features::FeatureConfig;
use widedeep::model::{Mode, NamedTensor};
use widedeep::rng::Rng;
use widedeep::train::{OptimizerKind, TableUpdates, TrainConfig};

/// A cross (hashed into more buckets than it fills), a multi-valued column (padded and pooled)
/// and an id column, 2,000 rows.
pub fn csv() -> String {
    let mut rng = Rng::new(7, 0);
    let mut text = String::from("user,tags,a,b,label\n");
    for _ in 0..2000 {
        let (user, a, b) = (rng.below(300), rng.below(5), rng.below(4));
        let tags = ["x", "x|y", "y|z|w", "z"][rng.below(4)];
        text.push_str(&format!("u{user},{tags},a{a},b{b},{}\n", u8::from((a + b + user % 3) % 2 == 0)));
    }
    text
}

/// One epoch of a joint model in batches of 32 with these updates and optimizer.
pub fn config(updates: TableUpdates, optimizer: OptimizerKind) -> Config {
    let features = FeatureConfig { crosses: vec![vec!["a".into(), "b".into()]], hash_buckets: 64, ..FeatureConfig::for_label("label") };
    let train = TrainConfig {
        modes: vec![Mode::Joint],
        epochs: 1,
        batch_size: 32,
        optimizer,
        table_updates: updates,
        learning_rate: Some(0.05),
        ..TrainConfig::default()
    };
    Config { features, train }
}

/// The wide weights among `parameters`.
pub fn wide(parameters: &[NamedTensor]) -> &[f32] {
    &parameters.iter().find(|t| t.name.starts_with("wide")).expect("a joint model has wide weights").values
}

/// The largest difference between two models' parameters, naming the tensor; panics if their
/// names or shapes differ.
pub fn largest_difference(a: &[NamedTensor], b: &[NamedTensor]) -> (f32, String) {
    assert_eq!(a.len(), b.len());
    let mut worst = (0.0, String::new());
    for (x, y) in a.iter().zip(b) {
        assert_eq!((&x.name, &x.shape), (&y.name, &y.shape));
        let gap = x.values.iter().zip(&y.values).map(|(p, q)| (p - q).abs()).fold(0.0, f32::max);
        if gap >= worst.0 {
            worst = (gap, x.name.clone());
        }
    }
    worst
}
