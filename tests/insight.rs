//! What each part learns, checked against the memorize set's answer key: the wide part's largest
//! cross weights name the exception pairs, and on those pairs joint is closer to the data than
//! deep. The embedding map and the diagram come from the same run.
#![cfg(not(target_family = "wasm"))]

use std::collections::BTreeMap;

use pollster::block_on;
use widedeep::Config;
use widedeep::engine::{Engine, ModelLogits};
use widedeep::features::FeatureConfig;
use widedeep::model::Mode;
use widedeep::synth::{MemorizeWorld, memorize_generalize};
use widedeep::train::TrainConfig;

const SEED: u64 = 1;

/// The memorize preset's setup: 24,000 rows, the city × product cross, 2-d embeddings, one
/// hidden layer of 16, 6 epochs.
fn trained(crosses: Vec<Vec<String>>) -> Engine {
    let mut csv = Vec::new();
    memorize_generalize(24_000, SEED, &mut csv).unwrap();
    let mut engine = Engine::new();
    engine.load_csv("memorize.csv", &csv).unwrap();
    let features = FeatureConfig {
        roles: [("price".to_string(), widedeep::features::Role::Ignore)].into(),
        crosses,
        embedding_dim: Some(2),
        ..FeatureConfig::for_label("bought")
    };
    let train = TrainConfig {
        modes: vec![Mode::Deep, Mode::Joint],
        hidden: vec![16],
        epochs: 6,
        learning_rate: Some(0.01),
        ..TrainConfig::default()
    };
    block_on(engine.configure(Config { features, train })).unwrap();
    while !block_on(engine.train(256)).unwrap().done {}
    engine
}

fn city_product() -> Vec<Vec<String>> {
    vec![vec!["city".into(), "product".into()]]
}

fn exception_names() -> Vec<String> {
    let (world, _) = MemorizeWorld::new(SEED);
    world
        .exceptions
        .iter()
        .map(|&(c, p)| {
            let (city, product) = MemorizeWorld::names(c, p);
            format!("city={city} × product={product}")
        })
        .collect()
}

#[test]
fn the_largest_cross_weights_name_the_exception_pairs_and_joint_fits_them_better_than_deep() {
    let engine = trained(city_product());
    let exceptions = exception_names();
    let weights = block_on(engine.named_weights(Mode::Joint, 200)).unwrap();
    let crosses: Vec<_> = weights.iter().filter(|w| w.feature.contains(" × ")).take(12).collect();
    assert_eq!(crosses.len(), 12, "cross weights are among the largest: {weights:?}");
    let named = crosses.iter().filter(|w| exceptions.contains(&w.feature)).count();
    assert!(named * 2 > crosses.len(), "most of the 12 largest cross weights name an exception pair, {named} do: {crosses:#?}");
    assert!(crosses.iter().all(|w| w.rows > 0), "each named bucket has training rows");

    let logits: Vec<ModelLogits> = [Mode::Deep, Mode::Joint].map(|m| engine.test_logits(m).unwrap()).into();
    let map = engine.cross_map(["city", "product"], &logits, None).unwrap();
    assert_eq!(map.models, [Mode::Deep, Mode::Joint]);
    assert_eq!((map.epochs.as_slice(), map.when.as_str()), ([6, 6].as_slice(), "epoch 6"));
    let (world, _) = MemorizeWorld::new(SEED);
    let (mut deep_error, mut joint_error, mut cells) = (0.0, 0.0, 0);
    for &(c, p) in &world.exceptions {
        let (city, product) = MemorizeWorld::names(c, p);
        let row = map.row_values.iter().position(|v| *v == city).unwrap();
        let col = map.col_values.iter().position(|v| *v == product).unwrap();
        let cell = map.cell(row, col);
        deep_error += (cell.observed - cell.predicted[0]).abs();
        joint_error += (cell.observed - cell.predicted[1]).abs();
        cells += 1;
    }
    assert!(joint_error < 0.5 * deep_error, "on the {cells} exception cells joint errs {joint_error:.2} in total, deep {deep_error:.2}");
    let outlined: Vec<(usize, usize)> = (0..map.row_values.len())
        .flat_map(|r| (0..map.col_values.len()).map(move |c| (r, c)))
        .filter(|&(r, c)| map.cell(r, c).exception)
        .collect();
    let outlined_exceptions = outlined
        .iter()
        .filter(|&&(r, c)| exceptions.contains(&format!("city={} × product={}", map.row_values[r], map.col_values[c])))
        .count();
    assert!(
        outlined_exceptions >= 6 && outlined_exceptions * 2 > outlined.len(),
        "{outlined_exceptions} of {} outlined cells are exception pairs",
        outlined.len()
    );
}

#[test]
fn maps_and_the_diagram_come_from_the_trained_models() {
    let engine = trained(city_product());
    let maps = block_on(engine.embedding_maps("city", None)).unwrap();
    assert_eq!(maps.iter().map(|m| m.mode).collect::<Vec<_>>(), [Mode::Deep, Mode::Joint]);
    assert!(maps.iter().all(|m| m.points.len() == 24 && m.epoch == 6), "one point per city");
    assert_eq!(block_on(engine.embedding_maps("city", None)).unwrap(), maps, "the same model gives the same projection");
    let rows: u32 = maps[0].points.iter().map(|p| p.rows).sum();
    assert_eq!(rows as usize, engine.report().unwrap().report.dataset.train_rows);
    assert!(block_on(engine.embedding_maps("bought", None)).unwrap().is_empty(), "the label is not embedded");
    let split = block_on(engine.logit_split()).unwrap().expect("a trained joint model splits its logit");
    let diagram = engine.diagram(Some(split)).unwrap();
    assert_eq!(diagram.hidden, [16]);
    assert_eq!(diagram.crosses, [("city x product".to_string(), 1000)]);
    assert_eq!(diagram.split, Some(split));
    assert!(split.wide > 0.0 && split.deep > 0.0 && split.epoch == 6, "{split:?}");

    let row: BTreeMap<String, String> =
        [("city", "city_05"), ("product", "product_02")].map(|(k, v)| (k.to_string(), v.to_string())).into();
    let explained = block_on(engine.explain(Mode::Joint, &row)).unwrap();
    let features: Vec<&str> = explained.fired.iter().map(|f| f.feature.as_str()).collect();
    assert_eq!(features.len(), 3, "{features:?}");
    assert!(
        features.contains(&"city=city_05")
            && features.contains(&"product=product_02")
            && features.contains(&"city=city_05 × product=product_02")
    );
    let sum: f64 = explained.fired.iter().map(|f| f.weight).sum();
    assert!((sum - explained.wide).abs() < 1e-4, "the fired weights add up to the wide part: {sum} vs {}", explained.wide);
    assert!(block_on(engine.explain(Mode::Deep, &row)).unwrap().fired.is_empty());
}

#[test]
fn without_the_cross_joint_loses_the_exceptions() {
    let with = trained(city_product());
    let without = trained(Vec::new());
    let auc = |engine: &Engine| engine.report().unwrap().report.models[1].epochs.last().unwrap().test_auc;
    assert!(auc(&with) > auc(&without) + 0.01, "joint with the cross {} vs without {}", auc(&with), auc(&without));
}

#[test]
fn a_lessons_sentences_are_true_of_the_run_on_screen() {
    let engine = trained(city_product());
    let logits: Vec<ModelLogits> = [Mode::Deep, Mode::Joint].map(|m| engine.test_logits(m).unwrap()).into();
    let map = engine.cross_map(["city", "product"], &logits, None).unwrap();
    let weights = block_on(engine.named_weights(Mode::Joint, widedeep::insight::WEIGHTS_SHOWN)).unwrap();
    let told = widedeep::insight::tell(&widedeep::insight::Shown {
        cross_map: Some(map.clone()),
        weights: weights.clone(),
        split: block_on(engine.logit_split()).unwrap(),
        embedding: Some(block_on(engine.embedding_maps("city", None)).unwrap()),
    });
    let story = told.cross_map.unwrap();
    let outlined = map.cells.iter().filter(|c| c.exception).count();
    assert!(outlined > 0 && story.exceptions == outlined, "the count is the map's: {outlined}");
    assert!(story.text.starts_with(&format!("{outlined} cells depart from the deep model")), "{}", story.text);
    let largest = story.largest.unwrap();
    let (row, col) = largest.cell.split_once(" × ").unwrap();
    let cell = map.cell(map.row_values.iter().position(|v| v == row).unwrap(), map.col_values.iter().position(|v| v == col).unwrap());
    assert!(cell.exception && cell.rows == largest.rows && cell.observed == largest.observed && cell.predicted[0] == largest.deep);
    let gap = |c: &widedeep::insight::Cell| (c.observed - c.predicted[0]).abs();
    assert!(map.cells.iter().filter(|c| c.exception).all(|c| gap(c) <= gap(cell)), "it is the largest departure");
    // Named weights of outlined cells are marked, and only those.
    let names: Vec<String> = (0..map.row_values.len())
        .flat_map(|r| (0..map.col_values.len()).map(move |c| (r, c)))
        .filter(|&(r, c)| map.cell(r, c).exception)
        .map(|(r, c)| format!("city={} × product={}", map.row_values[r], map.col_values[c]))
        .collect();
    let expected: Vec<bool> = weights.iter().map(|w| names.contains(&w.feature)).collect();
    assert_eq!(story.outlined, expected);
    assert!(expected.iter().any(|&o| o), "on this run some listed weights are outlined cells: {weights:#?}");
    if let Some((rank, weight)) = largest.weight {
        assert_eq!((weights[rank - 1].feature.clone(), weights[rank - 1].weight), (format!("city={row} × product={col}"), weight));
    }
    let split = told.split.unwrap();
    assert!(split.text.contains("At epoch 6"), "{}", split.text);
    assert!(told.embedding.unwrap().text.contains("In the deep model, city's first axis"));
}
