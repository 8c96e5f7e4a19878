//! Saving a trained model and scoring other files with it.
#![cfg(not(target_family = "wasm"))]

use burn::tensor::Device;
use widedeep::Error;
use widedeep::data::{Schema, read_table};
use widedeep::features::FeatureConfig;
use widedeep::model::{Mode, SavedModel, predict_logits};
use widedeep::rng::Rng;
use widedeep::train::{Comparison, TrainConfig};

/// `liked` is mostly decided by the colour; size adds a little.
fn csv(rows: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed, 0);
    let mut text = String::from("colour,size,price,liked\n");
    for _ in 0..rows {
        let colour = ["red", "green", "blue"][rng.below(3)];
        let size = ["S", "M", "L"][rng.below(3)];
        let price = rng.next_f64() * 100.0;
        let p = if colour == "red" { 0.85 } else { 0.15 } + if size == "L" { 0.1 } else { 0.0 };
        text.push_str(&format!("{colour},{size},{price:.2},{}\n", u8::from(rng.next_f64() < p)));
    }
    text
}

fn trained(mode: Mode) -> (Comparison, SavedModel) {
    let table = read_table(csv(2000, 1).as_bytes()).unwrap();
    let features = FeatureConfig { crosses: vec![vec!["colour".into(), "size".into()]], ..FeatureConfig::for_label("liked") };
    let train = TrainConfig { modes: vec![mode], epochs: 3, learning_rate: Some(0.01), ..TrainConfig::default() };
    let mut comparison = Comparison::new(&table, &Schema::infer(&table), &features, &train, &Device::flex()).unwrap();
    for _ in 0..3 {
        comparison.trainers[0].run_epoch(|_| {}).unwrap();
    }
    let weights = pollster::block_on(comparison.trainers[0].export(&comparison.prepared.layout)).unwrap();
    let saved = SavedModel::new(comparison.prepared.encoder.clone(), comparison.trainers[0].config().clone(), weights);
    (comparison, saved)
}

#[test]
fn export_import_gives_the_same_predictions() {
    for mode in Mode::ALL {
        let (comparison, saved) = trained(mode);
        let saved = SavedModel::from_json(&saved.to_json()).unwrap();
        let device = Device::flex();
        let inputs = widedeep::model::Inputs::upload(&comparison.prepared.test, &comparison.prepared.layout, &device);
        let before = pollster::block_on(predict_logits(&comparison.trainers[0].model(), &inputs)).unwrap();
        let after = pollster::block_on(predict_logits(&saved.build(&device).unwrap(), &inputs)).unwrap();
        assert_eq!(before, after, "{mode:?}");
    }
}

#[test]
fn scores_a_file_with_unseen_categories_and_no_label() {
    let (_, saved) = trained(Mode::Joint);
    let table = read_table("size,colour,price\nL,red,10\nXXL,purple,NA\nS,,5\n".as_bytes()).unwrap();
    let scored = pollster::block_on(saved.score(&table, &Device::flex())).unwrap();
    assert_eq!(scored.metrics, None);
    let p = scored.predictions;
    assert_eq!(p.len(), 3);
    assert!(p.iter().all(|p| (0.0..=1.0).contains(p)));
    assert!(p[0] > 0.7, "red and large is likely liked: {}", p[0]);
    assert!(p[1] > 0.05 && p[1] < 0.95, "unseen values give an uncertain but finite score: {}", p[1]);
}

#[test]
fn scoring_a_labelled_file_reports_metrics() {
    let (_, saved) = trained(Mode::Wide);
    let table = read_table(csv(1000, 2).as_bytes()).unwrap();
    let scored = pollster::block_on(saved.score(&table, &Device::flex())).unwrap();
    let metrics = scored.metrics.unwrap();
    assert!(metrics.auc > 0.8, "{metrics:?}");
}

#[test]
fn a_file_without_a_needed_column_or_a_bad_model_is_a_clear_error() {
    let (_, saved) = trained(Mode::Wide);
    let table = read_table("colour,price\nred,1\n".as_bytes()).unwrap();
    let err = pollster::block_on(saved.score(&table, &Device::flex())).unwrap_err();
    assert_eq!(err, Error::UnknownColumn { name: "size".into(), available: "colour, price".into() });
    let err = SavedModel::from_json("{\"format\":\"other/9\"}").unwrap_err();
    assert_eq!(err.to_string(), "saved model: unsupported format \"other/9\": expected \"widedeep-model/1\"");
    assert!(SavedModel::from_json("not json").unwrap_err().to_string().starts_with("saved model: not a widedeep model file"));
    let mut broken = saved.clone();
    broken.parameters.tensors[0].values.pop();
    let err = SavedModel::from_json(&broken.to_json()).unwrap_err().to_string();
    assert!(err.contains("parameter 'wide' has shape"), "{err}");
}

#[test]
fn files_of_the_first_release_still_load() {
    let (_, saved) = trained(Mode::Joint);
    let json = saved.to_json();
    assert!(json.contains("\"parameters\":"));
    let old = SavedModel::from_json(&json.replace("\"parameters\":", "\"weights\":")).unwrap();
    assert_eq!(old, saved);
}
