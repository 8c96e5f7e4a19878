//! `widedeep train`: flags → [`Config`] → a race of trainers → tables, JSON, plots, a model file.

use std::collections::BTreeMap;

use burn::tensor::Device;
use indicatif::{ProgressBar, ProgressStyle};
use serde::de::DeserializeOwned;
use widedeep::Config;
use widedeep::data::{LabelRule, Schema};
use widedeep::features::FeatureConfig;
use widedeep::model::{Mode, SavedModel};
use widedeep::train::{DatasetInfo, EpochRecord, ModelRun, OptimizerKind, Race, Report, SplitKind, TrainConfig, Trainer};

use crate::args::{ModelChoice, OptimizerChoice, SplitChoice, TrainArgs};

pub fn run(args: &TrainArgs) -> Result<(), String> {
    args.plot.iter().try_for_each(|p| crate::plot_file::check(p))?;
    let table = crate::load(&args.file)?;
    let schema = Schema::infer(&table);
    let config = config(args, &schema)?;
    let device = Device::flex();
    let mut race = Race::new(&table, &schema, &config, &device).map_err(|e| e.to_string())?;
    let dataset = DatasetInfo::new(args.file.display().to_string(), &race.prepared);
    eprintln!(
        "{} rows ({} train, {} test), label {}, {:.1}% positive; {} wide ids, {} deep inputs",
        dataset.rows,
        dataset.train_rows,
        dataset.test_rows,
        dataset.label,
        100.0 * dataset.positive_share,
        dataset.wide_ids,
        dataset.deep_inputs
    );
    for trainer in &mut race.trainers {
        train_one(trainer, config.train.epochs, args.quiet)?;
    }
    let models: Vec<ModelRun> = race.trainers.iter().map(|t| ModelRun { mode: t.mode(), epochs: t.history().to_vec() }).collect();
    if models.len() > 1 {
        print_comparison(&models);
    }
    let report = Report { dataset, config, models };
    if let Some(path) = &args.json {
        std::fs::write(path, report.to_json()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    for path in &args.plot {
        crate::plot_file::save(path, &report.models)?;
    }
    if let Some(path) = &args.save {
        save(path, &race)?;
    }
    Ok(())
}

fn train_one(trainer: &mut Trainer, epochs: usize, quiet: bool) -> Result<(), String> {
    let name = trainer.mode().name();
    for epoch in 1..=epochs {
        let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new(trainer.batches_per_epoch() as u64) };
        bar.set_style(ProgressStyle::with_template("{prefix} {wide_bar} {pos}/{len} batches {msg}").expect("valid template"));
        bar.set_prefix(format!("{name:>5} epoch {epoch}/{epochs}"));
        let record = trainer.run_epoch(|step| bar.set_position(step.batch as u64)).map_err(|e| e.to_string())?;
        bar.finish_and_clear();
        println!("{}", epoch_line(name, epochs, &record));
    }
    Ok(())
}

fn epoch_line(name: &str, epochs: usize, r: &EpochRecord) -> String {
    format!(
        "{name:>5}  epoch {:>3}/{epochs}  train loss {:.4}  test loss {:.4}  AUC {:.4}  accuracy {:.4}  {:.2} s  {:.0} samples/s",
        r.epoch, r.train_loss, r.test_loss, r.test_auc, r.test_accuracy, r.seconds, r.samples_per_second
    )
}

fn print_comparison(models: &[ModelRun]) {
    println!("\n{:<6} {:>8} {:>9} {:>9} {:>10} {:>12}", "model", "AUC", "accuracy", "log-loss", "s/epoch", "samples/s");
    let mut ranked: Vec<&ModelRun> = models.iter().filter(|m| m.last().is_some()).collect();
    ranked.sort_by(|a, b| b.last().unwrap().test_auc.total_cmp(&a.last().unwrap().test_auc));
    for m in ranked {
        let last = m.last().expect("filtered");
        let seconds = m.epochs.iter().map(|e| e.seconds).sum::<f64>() / m.epochs.len() as f64;
        let speed = m.epochs.iter().map(|e| e.samples_per_second).sum::<f64>() / m.epochs.len() as f64;
        println!(
            "{:<6} {:>8.4} {:>9.4} {:>9.4} {:>10.2} {:>12.0}",
            m.mode.name(),
            last.test_auc,
            last.test_accuracy,
            last.test_loss,
            seconds,
            speed
        );
    }
}

fn save(path: &std::path::Path, race: &Race) -> Result<(), String> {
    let trainer = race.trainers.iter().find(|t| t.mode() == Mode::Joint).unwrap_or(&race.trainers[0]);
    let weights = pollster::block_on(trainer.export(&race.prepared.layout)).map_err(|e| e.to_string())?;
    let saved = SavedModel::new(race.prepared.encoder.clone(), trainer.config().clone(), weights);
    std::fs::write(path, saved.to_json()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!("saved the {} model to {}", trainer.mode().name(), path.display());
    Ok(())
}

/// Turns the flags into the core's configuration.
fn config(args: &TrainArgs, schema: &Schema) -> Result<Config, String> {
    let label = args.label.clone().or_else(|| schema.label.clone()).ok_or("no column looks like a label: name one with --label COL")?;
    let label_rule = match (&args.positive, args.threshold) {
        (Some(value), _) => LabelRule::Positive { value: value.clone() },
        (None, Some(at)) => LabelRule::Threshold { at },
        (None, None) => LabelRule::Auto,
    };
    let mut roles: BTreeMap<String, _> =
        pairs(&args.roles, "--role")?.into_iter().map(|(c, r)| Ok((c, parse_enum(&r, "role")?))).collect::<Result<_, String>>()?;
    roles.extend(args.ignore.iter().map(|c| (c.clone(), widedeep::features::Role::Ignore)));
    let kinds = pairs(&args.kinds, "--kind")?.into_iter().map(|(c, k)| Ok((c, parse_enum(&k, "kind")?))).collect::<Result<_, String>>()?;
    let bucket_edges = pairs(&args.buckets, "--buckets")?.into_iter().map(|(c, e)| Ok((c, numbers(&e)?))).collect::<Result<_, String>>()?;
    let features = FeatureConfig {
        label,
        label_rule,
        roles,
        kinds,
        crosses: args.crosses.iter().map(|c| c.split(',').map(|s| s.trim().to_string()).collect()).collect(),
        hash_buckets: args.hash_buckets,
        quantile_buckets: args.quantiles,
        bucket_edges,
        embedding_dim: args.embedding_dim,
        ..FeatureConfig::default()
    };
    let modes = match args.model {
        ModelChoice::Wide => vec![Mode::Wide],
        ModelChoice::Deep => vec![Mode::Deep],
        ModelChoice::Joint => vec![Mode::Joint],
        ModelChoice::All => Mode::ALL.to_vec(),
    };
    let train = TrainConfig {
        modes,
        hidden: args
            .hidden
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().parse::<usize>().map_err(|_| format!("--hidden: '{s}' is not a whole number")))
            .collect::<Result<_, _>>()?,
        optimizer: match args.optimizer {
            OptimizerChoice::Adam => OptimizerKind::Adam,
            OptimizerChoice::Adagrad => OptimizerKind::Adagrad,
            OptimizerChoice::Sgd => OptimizerKind::Sgd,
        },
        learning_rate: args.lr,
        batch_size: args.batch,
        epochs: args.epochs,
        test_fraction: args.test_fraction,
        split: match args.split {
            SplitChoice::Random => SplitKind::Random,
            SplitChoice::Ordered => SplitKind::Ordered,
        },
        seed: args.seed,
        ..TrainConfig::default()
    };
    Ok(Config { features, train })
}

fn pairs(items: &[String], flag: &str) -> Result<Vec<(String, String)>, String> {
    items
        .iter()
        .map(|item| {
            item.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| format!("{flag} expects COL=VALUE, got '{item}'"))
        })
        .collect()
}

fn parse_enum<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).map_err(|_| format!("unknown {what} '{text}'"))
}

fn numbers(text: &str) -> Result<Vec<f64>, String> {
    text.split(',').map(|s| s.trim().parse::<f64>().map_err(|_| format!("'{s}' is not a number"))).collect()
}
