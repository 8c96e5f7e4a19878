//! The browser engine's logic, driven natively exactly as the worker drives it in the browser.
#![cfg(not(target_family = "wasm"))]

#[path = "common/parity.rs"]
mod parity;

use pollster::block_on;
use widedeep::Error;
use widedeep::engine::{BackendKind, Engine, ModelLogits, Preference};
use widedeep::insight::Shade;
use widedeep::metrics::Fit;
use widedeep::model::Mode;
use widedeep::train::TrainConfig;

fn loaded() -> Engine {
    let mut engine = Engine::new();
    engine.load_csv("parity.csv", parity::csv().as_bytes()).unwrap();
    engine
}

#[test]
fn a_bad_file_keeps_the_previous_data() {
    let mut engine = loaded();
    let err = engine.load_csv("bad.csv", b"a,b\n1\n").unwrap_err();
    assert_eq!(err.to_string(), "row 1 (line 2): expected 2 fields like the header, found 1");
    assert_eq!(engine.schema().unwrap().rows, 600);
    assert!(block_on(engine.configure(parity::config())).is_ok());
}

#[test]
fn order_of_calls_is_checked() {
    let mut engine = Engine::new();
    assert_eq!(block_on(engine.configure(parity::config())).unwrap_err(), Error::NoData);
    assert_eq!(engine.analyze(&parity::config(), 3).unwrap_err(), Error::NoData);
    assert_eq!(block_on(engine.train(1)).unwrap_err(), Error::NoRun);
    assert_eq!(loaded().cross_map(["a", "b"], &[], None).unwrap_err(), Error::NoRun);
    assert_eq!(block_on(engine.score_csv(b"a\n1\n")).unwrap_err(), Error::NoScorer);
    assert_eq!(Error::NoData.to_string(), "load a CSV file first");
}

#[test]
fn slices_race_the_models_in_turn_and_extend_adds_an_epoch() {
    let mut engine = loaded();
    let mut config = parity::config();
    config.train = TrainConfig { modes: Mode::ALL.to_vec(), epochs: 1, ..config.train };
    let dataset = block_on(engine.configure(config)).unwrap();
    assert_eq!((dataset.train_rows, dataset.test_rows), (420, 180));
    let first = block_on(engine.train(3)).unwrap();
    assert_eq!(first.models.iter().map(|m| m.batch).collect::<Vec<_>>(), [1, 1, 1], "one step each, in turn");
    assert!(first.models.iter().all(|m| m.running_loss.is_some_and(|l| l > 0.0 && l < 1.0)));
    assert!(first.models.iter().all(|m| m.seconds_left.is_none()), "no pace from the first epoch, slow while the code warms up");
    assert!(!first.done);
    let mut finished = 0;
    loop {
        let p = block_on(engine.train(5)).unwrap();
        finished += p.models.iter().map(|m| m.finished.len()).sum::<usize>();
        if p.done {
            break;
        }
    }
    assert_eq!(finished, 3);
    assert!(block_on(engine.train(1)).unwrap().models.iter().all(|m| m.seconds_left == Some(0.0)), "nothing left once done");
    engine.extend(1).unwrap();
    let second = block_on(engine.train(3)).unwrap();
    assert!(second.models.iter().all(|m| m.seconds_left.is_some_and(|s| s > 0.0)), "a step after the first epoch gives the pace");
    while !block_on(engine.train(50)).unwrap().done {}
    let report = engine.report().unwrap().report;
    assert!(report.models.iter().all(|m| m.epochs.len() == 2));
    assert!(report.to_csv().lines().count() == 1 + 6);
}

#[test]
fn export_import_and_score() {
    let mut engine = loaded();
    block_on(engine.configure(parity::config())).unwrap();
    while !block_on(engine.train(100)).unwrap().done {}
    let json = block_on(engine.export_model(Mode::Joint)).unwrap();
    assert_eq!(block_on(engine.export_model(Mode::Wide)).unwrap_err(), Error::NoModel("wide"));
    assert_eq!(engine.import_model(&json).unwrap(), ["a", "b", "x"]);
    let scored = block_on(engine.score_csv(b"a,b,x\na1,b0,0.5\na1,b1,0.5\nzz,b1,NA\n")).unwrap();
    let scores = scored.predictions;
    assert_eq!(scores.len(), 3);
    assert!(scored.csv.starts_with("a,b,x,probability\na1,b0,0.5,0."), "{}", scored.csv);
    assert!(scores[0] > 0.6 && scores[1] < 0.4, "a1 x b0 is positive, a1 x b1 negative: {scores:?}");
}

#[test]
fn choosing_the_cpu_keeps_the_run_configured() {
    let mut engine = loaded();
    block_on(engine.configure(parity::config())).unwrap();
    let backend = block_on(engine.choose_backend(Preference::Cpu)).unwrap();
    assert_eq!(backend.kind, BackendKind::Cpu);
    assert!(!block_on(engine.train(1)).unwrap().done);
}

/// A race across workers: one engine reads and prepares the file, another trains on its rows.
/// Every model's metrics are those of the same race in one engine.
#[test]
fn shared_rows_train_exactly_as_one_engine_would() {
    let [together, mut primary, mut secondary] = race();
    for engine in [&mut primary, &mut secondary] {
        while !block_on(engine.train(32)).unwrap().done {}
    }
    assert_eq!(metrics(&primary, Mode::Joint), metrics(&together, Mode::Joint));
    assert_eq!(metrics(&secondary, Mode::Wide), metrics(&together, Mode::Wide));
    assert_eq!(metrics(&secondary, Mode::Deep), metrics(&together, Mode::Deep));
    assert_eq!(secondary.test_logits(Mode::Deep).unwrap(), together.test_logits(Mode::Deep).unwrap());
    assert!(secondary.cross_map(["a", "b"], &[], None).unwrap_err() == Error::NoData, "only the engine with the file draws maps");
}

/// A race moves a model between workers mid-epoch: each engine's models end with the metrics of
/// the same race in one engine, and the moved one belongs to its new engine alone.
#[test]
fn a_model_handed_over_mid_race_ends_with_the_metrics_it_would_have_had() {
    let [together, mut primary, mut secondary] = race();
    let progress = block_on(secondary.train(5)).unwrap();
    assert_eq!((progress.models[0].mode, progress.models[0].batch, progress.models[0].batches), (Mode::Wide, 3, 4), "mid-epoch");
    let wide = block_on(secondary.hand_over(Mode::Wide)).unwrap();
    assert_eq!(block_on(secondary.hand_over(Mode::Wide)).unwrap_err(), Error::NoModel("wide"));
    assert_eq!(
        primary.take_over(&wide[..wide.len() / 2]).unwrap_err().to_string(),
        "the model handed over is damaged: start the race again"
    );
    assert_eq!(primary.take_over(&wide).unwrap(), Mode::Wide);
    assert_eq!(primary.take_over(&wide).unwrap_err().to_string(), "this run already trains a wide model");
    for engine in [&mut primary, &mut secondary] {
        while !block_on(engine.train(32)).unwrap().done {}
    }
    let modes = |engine: &Engine| engine.report().unwrap().report.models.iter().map(|m| m.mode).collect::<Vec<_>>();
    assert_eq!((modes(&primary), modes(&secondary)), (vec![Mode::Joint, Mode::Wide], vec![Mode::Deep]));
    assert_eq!(primary.report().unwrap().report.config.train.modes, [Mode::Joint, Mode::Wide]);
    assert_eq!(metrics(&primary, Mode::Wide), metrics(&together, Mode::Wide), "the moved model");
    assert_eq!(metrics(&primary, Mode::Joint), metrics(&together, Mode::Joint));
    assert_eq!(metrics(&secondary, Mode::Deep), metrics(&together, Mode::Deep));
    assert_eq!(primary.test_logits(Mode::Wide).unwrap(), together.test_logits(Mode::Wide).unwrap());
}

/// A race stopped before its target shows each model's kept epoch in its pictures, as one that
/// reached it does.
#[test]
fn a_race_stopped_early_shows_its_kept_epoch() {
    let mut engine = loaded();
    let mut config = parity::config();
    config.train = TrainConfig { modes: vec![Mode::Joint], epochs: 30, validation_fraction: 0.25, ..config.train };
    block_on(engine.configure(config)).unwrap();
    while engine.report().unwrap().report.models[0].epochs.len() < 6 {
        block_on(engine.train(20)).unwrap();
    }
    let last = engine.report().unwrap().report.models[0].epochs.len();
    assert_eq!(engine.test_logits(Mode::Joint).unwrap().epoch, last, "while it trains, the last epoch");
    engine.stop();
    let run = &engine.report().unwrap().report.models[0];
    let best = run.best_epoch.expect("a kept epoch");
    assert!(best < last, "a kept epoch before the last: {best} of {last}");
    assert_eq!(engine.test_logits(Mode::Joint).unwrap().epoch, best, "once stopped, the kept epoch");
    assert!(block_on(engine.train(20)).unwrap().done, "nothing left to train");
}

/// A model handed over in its seventh epoch, with a best epoch behind it and a rate the plateau
/// schedule cut, keeps both: its best epoch, its rates, the model it exports and the fit it
/// shows (the best epoch's) are those of the same race in one engine.
#[test]
fn a_model_handed_over_keeps_its_best_epoch_and_its_rate() {
    let train =
        TrainConfig { epochs: 8, validation_fraction: 0.25, lr_schedule: widedeep::train::LrSchedule::Plateau, ..parity::config().train };
    let [together, mut primary, mut secondary] = race_with(train);
    while block_on(primary.train(1)).unwrap().models[0].epoch < 7 {}
    let joint = block_on(primary.hand_over(Mode::Joint)).unwrap();
    assert_eq!(secondary.take_over(&joint).unwrap(), Mode::Joint);
    for engine in [&mut primary, &mut secondary] {
        while !block_on(engine.train(32)).unwrap().done {}
    }
    let run = |engine: &Engine| engine.report().unwrap().report.models.into_iter().find(|m| m.mode == Mode::Joint).unwrap();
    let rates = |engine: &Engine| run(engine).epochs.iter().map(|e| e.learning_rate).collect::<Vec<_>>();
    assert!(rates(&together).windows(2).any(|w| w[1] < w[0]), "the plateau cut the rate: {:?}", rates(&together));
    assert_eq!(rates(&secondary), rates(&together));
    assert_eq!(run(&secondary).best_epoch, run(&together).best_epoch);
    assert!(run(&together).best_epoch.is_some_and(|b| b < 7), "best before the hand-over: {:?}", run(&together).best_epoch);
    assert_eq!(metrics(&secondary, Mode::Joint), metrics(&together, Mode::Joint));
    let exported = |engine: &Engine| block_on(engine.export_model(Mode::Joint)).unwrap();
    assert_eq!(exported(&secondary), exported(&together), "the best epoch's model");
    // Compared as printed: an empty bin's NaN equals nothing, not even itself.
    let fit = |engine: &Engine| format!("{:?}", engine.fits().unwrap().into_iter().find(|f| f.mode == Mode::Joint).unwrap().fit);
    assert_eq!(fit(&secondary), fit(&together), "the best epoch's fit");
}

/// A two-epoch race of every model on the parity data: `[one engine that trained them all, a
/// primary that read the file and trains joint, a secondary on the primary's rows with wide and
/// deep]`, the last two not yet trained.
fn race() -> [Engine; 3] {
    race_with(TrainConfig { epochs: 2, ..parity::config().train })
}

/// [`race`] with the training settings `train` (its modes aside).
fn race_with(train: TrainConfig) -> [Engine; 3] {
    let mut config = parity::config();
    config.train = TrainConfig { modes: Mode::ALL.to_vec(), ..train };
    let mut together = loaded();
    block_on(together.configure(config.clone())).unwrap();
    while !block_on(together.train(32)).unwrap().done {}
    let mut primary = loaded();
    let mut secondary = Engine::new();
    block_on(primary.configure(with_modes(&config, &[Mode::Joint]))).unwrap();
    let bytes = primary.prepared_bytes().unwrap();
    let dataset = block_on(secondary.configure_prepared("parity.csv", bytes, with_modes(&config, &[Mode::Wide, Mode::Deep]))).unwrap();
    assert_eq!((dataset.train_rows, dataset.test_rows), (420, 180));
    [together, primary, secondary]
}

/// Every epoch's training loss, test loss, AUC and accuracy of `mode`'s model in `engine`.
fn metrics(engine: &Engine, mode: Mode) -> Vec<(f64, f64, f64, f64)> {
    let report = engine.report().unwrap().report;
    let run = report.models.into_iter().find(|m| m.mode == mode).unwrap();
    run.epochs.iter().map(|e| (e.train_loss, e.test_loss, e.test_auc, e.test_accuracy)).collect()
}

fn with_modes(config: &widedeep::Config, modes: &[Mode]) -> widedeep::Config {
    let mut config = config.clone();
    config.train.modes = modes.to_vec();
    config
}

#[test]
fn a_diverging_run_stops_with_a_clear_error_and_the_engine_goes_on() {
    let mut engine = loaded();
    let mut config = parity::config();
    config.train = TrainConfig { learning_rate: Some(1e30), epochs: 2, ..config.train };
    block_on(engine.configure(config)).unwrap();
    let error = loop {
        match block_on(engine.train(4)) {
            Ok(progress) => assert!(!progress.done, "a learning rate of 1e30 cannot train two epochs"),
            Err(error) => break error,
        }
    };
    assert_eq!(error.kind(), "diverged");
    assert!(error.to_string().ends_with("training diverged; lower the learning rate (now 1e30)"), "{error}");
    assert!(matches!(error, Error::Diverged { epoch: 1, .. }), "{error:?}");
    // The data stays; the next run trains.
    block_on(engine.configure(parity::config())).unwrap();
    assert!(block_on(engine.train(2)).is_ok());
}

#[test]
fn sizes_from_a_link_are_refused_before_anything_is_allocated() {
    let mut engine = loaded();
    let mut wide = parity::config();
    wide.train.hidden = vec![100_000, 100_000];
    let error = block_on(engine.configure(wide)).unwrap_err();
    assert_eq!(error.kind(), "limit");
    assert!(error.to_string().contains("parameters, over the limit of"), "{error}");
    let mut buckets = parity::config();
    buckets.features.hash_buckets = u32::MAX as usize;
    let error = block_on(engine.configure(buckets)).unwrap_err();
    assert_eq!(error.to_string(), "the number of hash buckets is 4294967295, over the limit of 16777216");
    assert!(block_on(engine.configure(parity::config())).is_ok(), "the engine goes on");
}

#[test]
fn a_model_out_of_patience_is_done_and_its_calibration_is_there_to_draw() {
    let mut engine = loaded();
    let mut config = parity::config();
    config.train = TrainConfig { modes: vec![Mode::Joint], epochs: 40, validation_fraction: 0.2, patience: Some(1), ..config.train };
    block_on(engine.configure(config)).unwrap();
    while !block_on(engine.train(50)).unwrap().done {}
    let run = &engine.report().unwrap().report.models[0];
    let best = run.best_epoch.expect("the validation rows name a best epoch");
    assert_eq!(run.epochs.len(), best + 1, "done one epoch after the best, far short of 40");
    let fits = engine.fits().unwrap();
    assert_eq!(fits.len(), 1);
    let Fit::Calibration(calibration) = &fits[0].fit else { panic!("a yes/no label's fit is its calibration: {:?}", fits[0].fit) };
    let rows: usize = calibration.bins.iter().map(|b| b.rows).sum();
    assert_eq!(rows, 180, "every test row in a bin");
    assert!((calibration.brier - run.epochs[best - 1].test_brier).abs() < 1e-12, "the kept epoch's calibration");
    // The model it exports is the kept epoch's: the same as a run that stopped there.
    let mut until_best = loaded();
    let mut config = parity::config();
    config.train = TrainConfig { modes: vec![Mode::Joint], epochs: best, validation_fraction: 0.2, ..config.train };
    block_on(until_best.configure(config)).unwrap();
    while !block_on(until_best.train(50)).unwrap().done {}
    let exported = |engine: &Engine| block_on(engine.export_model(Mode::Joint)).unwrap();
    assert_eq!(exported(&engine), exported(&until_best), "the best epoch's parameters, not the last epoch's");
    // Its pictures too, once it is done: the cross map's logits and their epoch, the named
    // weights, the logit split, the embedding map and the what-if are the kept epoch's.
    let shown = engine.test_logits(Mode::Joint).unwrap();
    assert_eq!((shown.epoch, &shown), (best, &until_best.test_logits(Mode::Joint).unwrap()));
    let both = |f: &dyn Fn(&Engine) -> String| (f(&engine), f(&until_best));
    let (weights, weights_best) = both(&|e| format!("{:?}", block_on(e.named_weights(Mode::Joint, 8)).unwrap()));
    assert_eq!(weights, weights_best);
    assert_eq!(block_on(engine.named_weights(Mode::Joint, 8)).unwrap().len(), 8, "weights to compare");
    let (split, split_best) = both(&|e| format!("{:?}", block_on(e.logit_split()).unwrap()));
    assert_eq!(split, split_best);
    assert!(split.contains(&format!("epoch: {best}")), "{split}");
    let (maps, maps_best) = both(&|e| format!("{:?}", block_on(e.embedding_maps("a", None)).unwrap()));
    assert_eq!(maps, maps_best);
    let shown_maps = block_on(engine.embedding_maps("a", None)).unwrap();
    assert!(!shown_maps.is_empty() && shown_maps.iter().all(|m| m.epoch == best), "maps of the kept epoch: {maps}");
    let row = std::collections::BTreeMap::from([("a".to_string(), "1".to_string()), ("b".to_string(), "2".to_string())]);
    let (what_if, what_if_best) = both(&|e| format!("{:?}", block_on(e.explain(Mode::Joint, &row)).unwrap()));
    assert_eq!(what_if, what_if_best);
    let bundle = widedeep::data::unzip(&block_on(engine.export_torch(Mode::Joint)).unwrap()).unwrap();
    let names: Vec<_> = bundle.iter().map(|f| f.name.as_str()).collect();
    for file in ["weights.safetensors", "structure.json", "spec.json", "encode.py", "model.py", "train.py", "predict.py", "README.md"] {
        assert!(names.contains(&format!("widedeep-joint-torch/{file}").as_str()), "{file} in {names:?}");
    }
}

/// A model trained with class weights says so where its probabilities are read: its fit (the
/// reliability diagram's legend) and its what-if carry the weights; without them, neither does.
#[test]
fn class_weights_travel_with_the_fit_and_the_what_if() {
    let mut engine = loaded();
    let mut config = parity::config();
    config.train = TrainConfig { modes: vec![Mode::Joint], epochs: 2, class_weight: "10:1".parse().unwrap(), ..config.train };
    block_on(engine.configure(config.clone())).unwrap();
    while !block_on(engine.train(50)).unwrap().done {}
    let text = parity::csv();
    let mut lines = text.lines();
    let (names, first) = (lines.next().unwrap().split(','), lines.next().unwrap().split(','));
    let row: std::collections::BTreeMap<String, String> = names.zip(first).map(|(k, v)| (k.to_string(), v.to_string())).collect();
    assert_eq!(engine.fits().unwrap()[0].class_weights, Some([10.0, 1.0]));
    let said = block_on(engine.explain(Mode::Joint, &row)).unwrap().class_weights;
    assert_eq!(said.as_deref(), Some("Class weights (10.0:1) shift the probabilities above the rates."));
    config.train.class_weight = widedeep::train::ClassWeight::None;
    block_on(engine.configure(config)).unwrap();
    while !block_on(engine.train(50)).unwrap().done {}
    assert_eq!(engine.fits().unwrap()[0].class_weights, None);
    assert_eq!(block_on(engine.explain(Mode::Joint, &row)).unwrap().class_weights, None);
}

/// The page's "prices" preset through the engine as the worker drives it: the setup makes it a
/// regression, the report names the task with RMSE and R², a model handed to another worker
/// goes on with its history (`null` AUCs read back), the named weights are in the price's
/// thousands, and the pictures show mean prices: the fit, the cross map, the embedding map.
#[test]
fn the_prices_preset_trains_a_regression_and_its_pictures_say_what_they_show() {
    let mut engine = Engine::new();
    engine.load_csv("prices.csv", &Engine::preset_csv("prices").unwrap()).unwrap();
    let mut config = engine.setup_config("prices").unwrap();
    config.train.epochs = 3;
    let dataset = block_on(engine.configure(config.clone())).unwrap();
    assert_eq!((dataset.task, dataset.label.as_str()), (widedeep::data::Task::Regression, "price (a number)"));
    let [mean, sd] = dataset.target_scale.unwrap();
    assert!((250.0..450.0).contains(&mean) && (100.0..250.0).contains(&sd), "{mean} {sd}");
    while !block_on(engine.train(50)).unwrap().done {}
    let report = engine.report().unwrap().report;
    let joint = report.models.iter().find(|m| m.mode == Mode::Joint).unwrap().last().cloned().unwrap();
    let r = joint.test_regression.unwrap();
    assert!(r.test_r2 > 0.9 && r.test_rmse < 45.0, "{r:?}");
    let json = serde_json::to_string(&report).unwrap();
    assert!(json.contains("\"test_auc\":null") && json.contains("\"task\":\"regression\""), "{json}");
    let weights = block_on(engine.named_weights(Mode::Joint, 40)).unwrap();
    let premium =
        weights.iter().find(|w| w.feature.contains(" × ") || w.feature.contains(" x ")).expect("a premium pair among the largest");
    assert!(premium.weight.abs() > 30.0, "a premium of ±120 thousand shows in thousands: {premium:?}");
    for fit in engine.fits().unwrap() {
        let Fit::Scatter(scatter) = &fit.fit else { panic!("a number's fit is predicted against actual: {fit:?}") };
        assert_eq!(scatter.residuals.counts.iter().sum::<usize>(), dataset.test_rows, "every test row's residual");
        assert_eq!(scatter.points.len(), dataset.test_rows.min(widedeep::metrics::SCATTER_POINTS));
        let run = report.models.iter().find(|m| m.mode == fit.mode).unwrap();
        assert_eq!(scatter.metrics.r2, run.epochs.last().unwrap().test_regression.unwrap().test_r2, "the kept (last) epoch's");
    }
    // The cross map holds mean prices in thousands: joint's cells come closer to them than deep's.
    let logits: Vec<ModelLogits> = Mode::ALL.iter().map(|&m| engine.test_logits(m).unwrap()).collect();
    let map = engine.cross_map(["neighbourhood", "kind"], &logits, None).unwrap();
    assert!(matches!(&map.shade, Shade::Number { label, .. } if label == "price"), "{:?}", map.shade);
    let filled: Vec<&widedeep::insight::Cell> = map.cells.iter().filter(|c| c.rows >= 5).collect();
    assert!(!filled.is_empty() && filled.iter().all(|c| (50.0..900.0).contains(&c.observed)), "mean prices in thousands");
    let gap = |model: usize| filled.iter().map(|c| (c.observed - c.predicted[model]).abs()).sum::<f64>() / filled.len() as f64;
    let (deep, joint) = (gap(1), gap(2));
    assert!(joint < deep, "the cross brings joint closer to each cell's mean price: {joint} against deep's {deep}");
    let maps = block_on(engine.embedding_maps("neighbourhood", None)).unwrap();
    assert!(!maps.is_empty() && maps.iter().all(|m| m.shade == map.shade), "the embeddings coloured by the mean price");
    assert!(maps[0].points.iter().all(|p| (50.0..900.0).contains(&p.mean)), "{:?}", maps[0].points);
    // The what-if gives the number, in thousands, as wide + deep + bias.
    let row: std::collections::BTreeMap<String, String> = [("neighbourhood", "nb_03"), ("kind", "house"), ("area", "120"), ("rooms", "3")]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .into();
    let x = block_on(engine.explain(Mode::Joint, &row)).unwrap();
    let prediction = x.prediction.expect("a regression's number");
    assert!((prediction - (x.wide + x.deep + x.bias)).abs() < 1e-6 * prediction.abs() && (150.0..700.0).contains(&prediction), "{x:?}");
    assert!(x.probability.is_nan() && x.classes.is_empty());
    let fired: f64 = x.fired.iter().map(|f| f.weight).sum();
    assert!((fired - x.wide).abs() < 1e-3 * x.wide.abs().max(1.0), "the fired weights add up to the wide part, in thousands: {x:?}");
    let bytes = block_on(engine.hand_over(Mode::Wide)).unwrap();
    let mut other = Engine::new();
    other.load_csv("prices.csv", &Engine::preset_csv("prices").unwrap()).unwrap();
    config.train.modes.retain(|&m| m != Mode::Wide);
    block_on(other.configure_prepared("prices.csv", engine.prepared_bytes().unwrap(), config)).unwrap();
    assert_eq!(other.take_over(&bytes).unwrap(), Mode::Wide);
}

/// The readers preset (four classes) as the page races it, with the wide part under FTRL (its
/// table holds four weights per id, updated row by row): the report names the task and its
/// classes, every epoch carries a confusion matrix over all test rows, L1 zeros weights, the
/// weights are named per class, and a model handed to another worker goes on.
#[test]
fn the_readers_preset_trains_four_classes_under_ftrl_and_moves_between_workers() {
    use widedeep::train::{Ftrl, WideOptimizer};
    let mut engine = Engine::new();
    engine.load_csv("readers.csv", &Engine::preset_csv("readers").unwrap()).unwrap();
    let mut config = engine.setup_config("readers").unwrap();
    config.train.epochs = 2;
    config.train.wide_optimizer = Some(WideOptimizer::Ftrl(Ftrl { learning_rate: 0.1, l1: 0.1, l2: 1.0 }));
    let dataset = block_on(engine.configure(config.clone())).unwrap();
    assert_eq!(dataset.task, widedeep::data::Task::Multiclass);
    let mut names: Vec<&str> = dataset.classes.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["mystery", "romance", "science", "travel"]);
    assert!((dataset.classes.iter().map(|(_, s)| s).sum::<f64>() - 1.0).abs() < 1e-9);
    while !block_on(engine.train(50)).unwrap().done {}
    let report = engine.report().unwrap().report;
    for run in &report.models {
        let last = run.last().unwrap();
        let matrix = last.test_confusion.as_ref().expect("a confusion matrix per epoch");
        assert_eq!(matrix.iter().flatten().sum::<usize>(), dataset.test_rows, "{:?}", run.mode);
        // Above the largest class's share (about a third), in two epochs, FTRL's L1 included.
        assert!(last.test_accuracy > 0.45 && last.test_auc > 0.8, "{:?}: {last:?}", run.mode);
    }
    for fit in engine.fits().unwrap() {
        let Fit::Confusion(confusion) = &fit.fit else { panic!("several classes' fit is a confusion matrix: {fit:?}") };
        assert_eq!(confusion.classes, report_classes(&dataset));
        let run = report.models.iter().find(|m| m.mode == fit.mode).unwrap();
        assert_eq!(Some(&confusion.counts), run.last().unwrap().test_confusion.as_ref(), "the kept (last) epoch's matrix");
    }
    let wide = report.models.iter().find(|m| m.mode == Mode::Wide).unwrap().last().unwrap();
    assert!(wide.wide_zero_share.unwrap() > 0.0, "FTRL's L1 zeros some of the four weights per id: {wide:?}");
    let weights = block_on(engine.named_weights(Mode::Joint, 8)).unwrap();
    assert!(weights.iter().all(|w| w.feature.contains(" → ")), "each weight names its class: {weights:?}");
    let row: std::collections::BTreeMap<String, String> =
        [("city", "town_01"), ("shelf", "shelf_01"), ("hours", "11")].map(|(k, v)| (k.to_string(), v.to_string())).into();
    let x = block_on(engine.explain(Mode::Joint, &row)).unwrap();
    assert_eq!(x.classes.len(), 4);
    assert!((x.classes.iter().map(|(_, p)| p).sum::<f64>() - 1.0).abs() < 1e-9 && x.classes.windows(2).all(|w| w[0].1 >= w[1].1), "{x:?}");
    assert_eq!(x.probability, x.classes[0].1, "the parts shown are the most probable class's");
    assert_eq!(x.classes[0].0, "science", "eleven hours a week: science, as the world says");
    // The cross map of town × shelf shows one class's share: travel's is high at the travel pairs.
    let logits: Vec<ModelLogits> = Mode::ALL.iter().map(|&m| engine.test_logits(m).unwrap()).collect();
    let map = engine.cross_map(["city", "shelf"], &logits, Some("travel")).unwrap();
    assert_eq!(map.shade, Shade::Class("travel".into()));
    let (world, _) = widedeep::synth::ReaderWorld::new(1);
    let travel_cells: Vec<f64> = world
        .travel
        .iter()
        .filter_map(|&(c, s)| {
            let (r, k) = (
                map.row_values.iter().position(|v| *v == format!("town_{:02}", c + 1))?,
                map.col_values.iter().position(|v| *v == format!("shelf_{:02}", s + 1))?,
            );
            let cell = &map.cells[r * map.col_values.len() + k];
            (cell.rows >= 5).then_some(cell.observed)
        })
        .collect();
    assert!(!travel_cells.is_empty() && travel_cells.iter().all(|&share| share > 0.6), "travel's share at its pairs: {travel_cells:?}");
    assert!(map.cells.iter().all(|c| c.rows == 0 || (0.0..=1.0).contains(&c.predicted[2])), "probabilities of one class");
    let first = engine.cross_map(["city", "shelf"], &logits, None).unwrap();
    assert_eq!(first.shade, Shade::Class(report_classes(&dataset)[0].clone()), "no class named: the first");
    let err = engine.cross_map(["city", "shelf"], &logits, Some("poetry")).unwrap_err().to_string();
    assert!(err.starts_with("'poetry' is not one of this run's classes ("), "{err}");
    let maps = block_on(engine.embedding_maps("city", Some("travel"))).unwrap();
    assert!(!maps.is_empty() && maps.iter().all(|m| m.shade == Shade::Class("travel".into())), "coloured by travel's share");
    assert!(maps[0].points.iter().all(|p| (0.0..=1.0).contains(&p.mean)) && maps[0].points.iter().any(|p| p.mean > 0.0));
    let err = block_on(engine.embedding_maps("city", Some("poetry"))).unwrap_err().to_string();
    assert!(err.starts_with("'poetry' is not one of this run's classes ("), "{err}");
    let bytes = block_on(engine.hand_over(Mode::Deep)).unwrap();
    let mut other = Engine::new();
    other.load_csv("readers.csv", &Engine::preset_csv("readers").unwrap()).unwrap();
    config.train.modes.retain(|&m| m != Mode::Deep);
    block_on(other.configure_prepared("readers.csv", engine.prepared_bytes().unwrap(), config)).unwrap();
    assert_eq!(other.take_over(&bytes).unwrap(), Mode::Deep);
    // Its confusion matrix comes with it: the fit picture does not wait for its next epoch.
    let deep = report.models.iter().find(|m| m.mode == Mode::Deep).unwrap().last().unwrap().test_confusion.clone();
    let fits = other.fits().unwrap();
    let Some(Fit::Confusion(handed)) = fits.iter().find(|f| f.mode == Mode::Deep).map(|f| &f.fit) else { panic!("{fits:?}") };
    assert_eq!(Some(&handed.counts), deep.as_ref());
}

/// A run's class names, in the models' output order.
fn report_classes(dataset: &widedeep::train::DatasetInfo) -> Vec<String> {
    dataset.classes.iter().map(|(name, _)| name.clone()).collect()
}

/// *Try variants* on the parity data, whose label is an XOR of `a` and `b`: a wide model with the
/// cross beats one without it by far more than the seeds' spread, each variant over three
/// seeds, ranked as runs end; each variant's configuration is what keeping it adopts; a fifth
/// variant or an unknown setting is refused, a diverging variant ranks last, a validation share
/// of no rows is an error.
#[test]
fn a_race_of_variants_ranks_the_cross_that_carries_the_signal_first() {
    let mut engine = loaded();
    let mut base = parity::config();
    base.features.crosses.clear();
    base.train = TrainConfig { modes: vec![Mode::Wide], epochs: 3, ..base.train };
    let listed = engine.start_variants(base.clone(), "cross=a,b:off,on", 3).unwrap();
    let names: Vec<_> = listed.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["cross a × b off", "cross a × b on"]);
    assert_eq!(listed[1].config.features.crosses, [["a", "b"]]);
    let mut slices = Vec::new();
    loop {
        let slice = block_on(engine.train_variants(8)).unwrap();
        let done = slice.progress.done;
        slices.push(slice);
        if done {
            break;
        }
    }
    let two = slices.iter().find(|s| s.progress.finished == 2).expect("the table fills in run by run");
    assert_eq!(two.scores.iter().map(|s| s.validation.len()).collect::<Vec<_>>(), [1, 1], "every variant's first seed first");
    let last = slices.last().unwrap();
    assert_eq!((last.progress.finished, last.progress.runs, last.progress.current.clone()), (6, 6, None));
    let [top, base_score] = &last.scores[..] else { panic!("two variants: {:?}", last.scores) };
    assert_eq!((top.index, top.variant.as_str(), base_score.index), (1, "cross a × b on", 0));
    assert_eq!((top.validation.len(), top.test.len(), top.curves.len()), (3, 3, 3));
    assert!(top.curves.iter().all(|c| c.len() == 3), "three epochs each: {:?}", top.curves);
    assert!(top.difference > 0.2 && !top.within_noise(base_score), "far past the noise: {top:?} against {base_score:?}");
    assert_eq!((top.versus.clone(), base_score.versus.as_str(), top.measure.as_str()), (format!("{:+.4}", top.difference), "base", "AUC"));
    assert_eq!(
        engine.start_variants(base.clone(), "lr=0.1,0.2,0.3,0.4,0.5", 3).unwrap_err().to_string(),
        "a sweep trains at most 4 variants, each with at least one value: vary fewer settings or values"
    );
    let unknown = engine.start_variants(base.clone(), "depth=3", 3).unwrap_err();
    assert_eq!(
        unknown.to_string(),
        "invalid setting: vary depth=3: 'depth' is not a setting a sweep varies (cross, embedding-dim, hidden, lr, optimizer, l1)"
    );
    let l1 = engine.start_variants(base.clone(), "l1=0,10", 3).unwrap_err();
    assert_eq!(l1.to_string(), "invalid setting: l1 is FTRL's L1: train the wide part with FTRL to vary it");
    assert!(block_on(engine.train_variants(8)).unwrap().progress.done, "the finished race stays");
    assert_eq!(Engine::new().start_variants(parity::config(), "lr=0.1", 1).unwrap_err(), Error::NoData);
    // A variant that diverges ranks last and says so; the others are ranked all the same.
    engine.start_variants(base.clone(), "lr=0.02,1e38", 2).unwrap();
    let mut last = block_on(engine.train_variants(64)).unwrap();
    while !last.progress.done {
        last = block_on(engine.train_variants(64)).unwrap();
    }
    let versus: Vec<&str> = last.scores.iter().map(|s| s.versus.as_str()).collect();
    assert_eq!(versus, ["base", "diverged in 2 of 2 seeds: lower its learning rate"]);
    assert_eq!(last.said, "The base (learning rate 0.02) ranks first: keep what you have.");
    // A validation share that holds back no row is refused, not a panic.
    let tiny = widedeep::Config { train: TrainConfig { validation_fraction: 0.0001, ..base.train.clone() }, ..base };
    engine.start_variants(tiny, "lr=0.01,0.02", 1).unwrap();
    let refused = block_on(engine.train_variants(8)).unwrap_err().to_string();
    assert!(refused.contains("holds back none of the 420 training rows"), "{refused}");
}
