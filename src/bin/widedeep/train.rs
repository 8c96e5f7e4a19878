//! `widedeep train`: flags → [`Config`] → a comparison of trainers → tables, JSON, plots, a model file.

use std::collections::BTreeMap;

use burn::tensor::Device;
use indicatif::{ProgressBar, ProgressStyle};
use serde::de::DeserializeOwned;
use widedeep::comma_list;
use widedeep::data::{LabelRule, Schema, Task, no_label_reason};
use widedeep::features::FeatureConfig;
use widedeep::features::Role;
use widedeep::insight::{top_wide_weights, wide_rows};
use widedeep::model::{Mode, SavedModel};
use widedeep::plot::{ModelFit, Picture};
use widedeep::train::{Comparison, DatasetInfo, EpochRecord, Ftrl, ModelRun, TrainConfig, Trainer, WideOptimizer};
use widedeep::{Config, Report, Setup};

use crate::args::{Epochs, ModelChoice, TrainArgs};
use crate::{flag_name, message, printable};

pub fn run(args: &TrainArgs) -> Result<(), String> {
    args.plot.iter().try_for_each(|p| crate::plot_file::check(p, "--plot"))?;
    args.fit.iter().try_for_each(|p| crate::plot_file::check(p, "--fit"))?;
    let outputs = [("--save", &args.save), ("--json", &args.json), ("--fit", &args.fit)];
    outputs
        .iter()
        .filter_map(|(flag, path)| path.as_ref().map(|p| (flag, p)))
        .chain(args.plot.iter().map(|p| (&"--plot", p)))
        .try_for_each(|(flag, path)| output_place(flag, path))?;
    let table = crate::load(&args.file)?;
    let schema = Schema::infer(&table);
    let config = config(args, &schema)?;
    let device = Device::flex();
    let mut comparison = Comparison::new(&table, &schema, &config.features, &config.train, &device).map_err(message)?;
    let dataset = DatasetInfo::new(args.file.display().to_string(), &comparison.prepared);
    for leak in &dataset.leaks {
        let reason = leak.reason(&config.features.label);
        match config.features.roles.get(&leak.column) {
            Some(Role::Ignore) | None => {
                eprintln!("{}: left out; use --role {}=both to keep it", printable(&reason), flag_name(&leak.column))
            }
            Some(_) => eprintln!("{}: kept, as --role asks: expect a score that means little", printable(&reason)),
        }
    }
    for warning in &dataset.warnings {
        eprintln!("warning: {}", printable(warning));
    }
    let target = match (dataset.target_scale, dataset.classes.as_slice()) {
        (Some([mean, sd]), _) => format!("a regression, mean {} sd {}", short(mean), short(sd)),
        (None, []) => format!("{:.1}% positive", 100.0 * dataset.positive_share),
        (None, classes) => {
            let shares: Vec<String> = classes.iter().map(|(name, share)| format!("{name} {:.1}%", 100.0 * share)).collect();
            shares.join(", ")
        }
    };
    eprintln!(
        "{} rows ({} train, {} test), label {}, {target}; {} wide ids, {} deep inputs",
        dataset.rows,
        dataset.train_rows,
        dataset.test_rows,
        printable(&dataset.label),
        dataset.wide_ids,
        dataset.deep_inputs
    );
    for trainer in &mut comparison.trainers {
        train_one(trainer, config.train.epochs, args.quiet)?;
    }
    let models: Vec<ModelRun> = comparison.trainers.iter().map(ModelRun::of).collect();
    match models.as_slice() {
        [one] => print_confusion(one, &dataset.classes),
        _ => print_comparison(&models, &dataset.classes),
    }
    let report = Report { dataset, config, models };
    // The model first: a picture that cannot be written never costs the training.
    if let Some(path) = &args.save {
        save(path, &comparison)?;
    }
    if let Some(path) = &args.json {
        std::fs::write(path, report.to_json()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    for path in &args.plot {
        crate::plot_file::save(path, &Picture::Curves(report.models.clone()), crate::plot_file::CURVES)?;
    }
    if let Some(path) = &args.fit {
        let models = comparison.trainers.iter().filter_map(ModelFit::of);
        crate::plot_file::save(path, &Picture::Fit(models.collect()), crate::plot_file::FIT)?;
    }
    if let Some(count) = args.top_weights {
        print_top_weights(&comparison, count)?;
    }
    Ok(())
}

/// Each model's `count` largest wide weights, named (`city=city_10 × product=product_03 · 412
/// rows · +1.150`): what the wide part memorized.
fn print_top_weights(comparison: &Comparison, count: usize) -> Result<(), String> {
    let prepared = &comparison.prepared;
    let rows = wide_rows(&prepared.layout, &prepared.train);
    for trainer in comparison.trainers.iter().filter(|t| t.mode().has_wide()) {
        let weights = trainer.model().wide_weights().expect("a model with a wide part has wide weights");
        let values = pollster::block_on(widedeep::model::read::floats(weights)).map_err(message)?;
        println!("\n{} model, largest wide weights:", trainer.mode().name());
        for weight in top_wide_weights(&prepared.encoder, &prepared.layout, &rows, &values, count) {
            println!("  {}", printable(&weight.line()));
        }
    }
    Ok(())
}

fn train_one(trainer: &mut Trainer, epochs: usize, quiet: bool) -> Result<(), String> {
    let name = trainer.mode().name();
    for epoch in 1..=epochs {
        let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new(trainer.batches_per_epoch() as u64) };
        bar.set_style(ProgressStyle::with_template("{prefix} {wide_bar} {pos}/{len} batches {msg}").expect("valid template"));
        bar.set_prefix(format!("{name:>5} epoch {epoch}/{epochs}"));
        let record = trainer.run_epoch(|step| bar.set_position(step.batch as u64)).map_err(message)?;
        bar.finish_and_clear();
        println!("{}", epoch_line(name, epochs, &record));
        if trainer.out_of_patience() {
            println!(
                "{name:>5}  stopped after epoch {epoch}: no better validation {} since epoch {}",
                score_name(&record),
                trainer.best().map_or(0, |b| b.epoch)
            );
            break;
        }
    }
    if let Some(best) = trainer.best() {
        let name_of = trainer.history().last().map_or("AUC", score_name);
        println!("{name:>5}  best epoch {} (validation {name_of} {:.4}): the model kept", best.epoch, best.score);
    }
    Ok(())
}

/// The name of the score a record's model is judged by: AUC, or a regression's R².
fn score_name(record: &EpochRecord) -> &'static str {
    if record.test_regression.is_some() { "R²" } else { "AUC" }
}

/// A number in a few significant digits, for a line of text.
fn short(x: f64) -> String {
    format!("{}", (x * 1e4).round() / 1e4)
}

fn epoch_line(name: &str, epochs: usize, r: &EpochRecord) -> String {
    if let Some(m) = r.test_regression {
        return format!(
            "{name:>5}  epoch {:>3}/{epochs}  train loss {:.4}  test loss {:.4}  RMSE {:.4}  MAE {:.4}  R² {:.4}{}  {:.2} s  {:.0} samples/s",
            r.epoch,
            r.train_loss,
            r.test_loss,
            m.test_rmse,
            m.test_mae,
            m.test_r2,
            r.validation_r2.map_or(String::new(), |v| format!("  validation R² {v:.4}")),
            r.seconds,
            r.samples_per_second
        );
    }
    format!(
        "{name:>5}  epoch {:>3}/{epochs}  train loss {:.4}  test loss {:.4}  AUC {:.4}  accuracy {:.4}{}  {:.2} s  {:.0} samples/s",
        r.epoch,
        r.train_loss,
        r.test_loss,
        r.test_auc,
        r.test_accuracy,
        r.validation_auc.map_or(String::new(), |v| format!("  validation AUC {v:.4}")),
        r.seconds,
        r.samples_per_second
    )
}

/// The best model's confusion matrix at its last epoch: test rows by actual class (rows) and
/// predicted class (columns).
fn print_confusion(run: &ModelRun, classes: &[(String, f64)]) {
    let Some(matrix) = run.last().and_then(|e| e.test_confusion.as_ref()) else { return };
    let width = classes.iter().map(|(c, _)| c.chars().count()).max().unwrap_or(1).max(6);
    println!("\n{} model, test rows by actual class (rows) and predicted class (columns):", run.mode.name());
    let header: String = classes.iter().map(|(c, _)| format!(" {:>width$}", printable(c))).collect();
    println!("{:>width$}{header}", "");
    for ((class, _), row) in classes.iter().zip(matrix) {
        let cells: String = row.iter().map(|n| format!(" {n:>width$}")).collect();
        println!("{:>width$}{cells}", printable(class));
    }
}

fn print_comparison(models: &[ModelRun], classes: &[(String, f64)]) {
    let mut ranked: Vec<&ModelRun> = models.iter().filter(|m| m.last().is_some()).collect();
    ranked.sort_by(|a, b| b.last().unwrap().test_score().total_cmp(&a.last().unwrap().test_score()));
    if ranked.first().and_then(|m| m.last()).is_some_and(|e| e.test_regression.is_some()) {
        println!("\n{:<6} {:>10} {:>10} {:>8} {:>10} {:>12}", "model", "RMSE", "MAE", "R²", "s/epoch", "samples/s");
        for m in ranked {
            let r = m.last().and_then(|e| e.test_regression).expect("a regression's records");
            println!(
                "{:<6} {:>10.4} {:>10.4} {:>8.4} {:>10.2} {:>12.0}",
                m.mode.name(),
                r.test_rmse,
                r.test_mae,
                r.test_r2,
                seconds(m),
                speed(m)
            );
        }
        return;
    }
    if let Some(best) = ranked.first().filter(|m| m.last().is_some_and(|e| e.test_confusion.is_some())) {
        println!("\n{:<6} {:>9} {:>9} {:>9} {:>10} {:>12}", "model", "macro AUC", "accuracy", "log-loss", "s/epoch", "samples/s");
        for m in &ranked {
            let e = m.last().expect("filtered");
            println!(
                "{:<6} {:>9.4} {:>9.4} {:>9.4} {:>10.2} {:>12.0}",
                m.mode.name(),
                e.test_auc,
                e.test_accuracy,
                e.test_loss,
                seconds(m),
                speed(m)
            );
        }
        print_confusion(best, classes);
        return;
    }
    println!(
        "\n{:<6} {:>8} {:>9} {:>9} {:>7} {:>7} {:>10} {:>12}",
        "model", "AUC", "accuracy", "log-loss", "Brier", "ECE", "s/epoch", "samples/s"
    );
    for m in ranked {
        let last = m.last().expect("filtered");
        println!(
            "{:<6} {:>8.4} {:>9.4} {:>9.4} {:>7.4} {:>7.4} {:>10.2} {:>12.0}",
            m.mode.name(),
            last.test_auc,
            last.test_accuracy,
            last.test_loss,
            last.test_brier,
            last.test_ece,
            seconds(m),
            speed(m)
        );
    }
}

/// A run's mean seconds per epoch.
fn seconds(m: &ModelRun) -> f64 {
    m.epochs.iter().map(|e| e.seconds).sum::<f64>() / m.epochs.len() as f64
}

/// A run's mean training rows per second.
fn speed(m: &ModelRun) -> f64 {
    m.epochs.iter().map(|e| e.samples_per_second).sum::<f64>() / m.epochs.len() as f64
}

fn save(path: &std::path::Path, comparison: &Comparison) -> Result<(), String> {
    let trainer = comparison.trainers.iter().find(|t| t.mode() == Mode::Joint).unwrap_or(&comparison.trainers[0]);
    let parameters = pollster::block_on(trainer.kept_parameters(&comparison.prepared.layout)).map_err(message)?;
    let saved = SavedModel::new(comparison.prepared.encoder.clone(), trainer.config().clone(), parameters);
    std::fs::write(path, saved.to_json()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!("saved the {} model to {}", trainer.mode().name(), path.display());
    Ok(())
}

/// Refuses, before any training, an output `path` that cannot be a file: a folder, or a file in a
/// folder that does not exist.
fn output_place(flag: &str, path: &std::path::Path) -> Result<(), String> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    if path.is_dir() {
        return Err(format!("{flag} {}: it is a folder", path.display()));
    }
    if !parent.is_dir() {
        return Err(format!("{flag} {}: the folder {} does not exist", path.display(), parent.display()));
    }
    Ok(())
}

/// Turns the flags into the core's configuration: a setup's, or one built flag by flag.
pub fn config(args: &TrainArgs, schema: &Schema) -> Result<Config, String> {
    let mut config = match &args.setup {
        Some(name) => {
            let setup: Setup = name.parse().map_err(|e: widedeep::Error| format!("--setup: {e}"))?;
            setup.config(schema).map_err(message)?
        }
        None => flags_config(args, schema)?,
    };
    if let Some(Epochs::Count(epochs)) = args.epochs {
        config.train.epochs = epochs;
    }
    config.train.table_updates = parse_enum(&args.table_updates, "--table-updates", "table update")?;
    config.train.wide_optimizer = wide_optimizer(args)?;
    if let Some(fraction) = args.validation_fraction {
        if !(0.0..0.5).contains(&fraction) {
            return Err(format!("--validation-fraction {fraction}: give a share of at least 0 and below 0.5"));
        }
        config.train.validation_fraction = fraction;
    }
    if args.epochs == Some(Epochs::Auto) {
        config.train.until_it_stops(args.validation_fraction).map_err(|e| format!("--epochs auto: {e}"))?;
    }
    if let Some(patience) = args.patience {
        if patience == 0 || config.train.validation_fraction == 0.0 {
            return Err(format!("--patience {patience}: give at least 1 epoch, with --validation-fraction to judge by"));
        }
        config.train.patience = Some(patience);
    }
    if let Some(schedule) = &args.lr_schedule {
        config.train.lr_schedule = schedule.parse().map_err(|e: widedeep::Error| format!("--lr-schedule: {e}"))?;
        if config.train.lr_schedule == widedeep::train::LrSchedule::Plateau && config.train.validation_fraction == 0.0 {
            return Err("--lr-schedule plateau: cuts the rate when the validation AUC stalls: give --validation-fraction".into());
        }
    }
    if let Some(loss) = &args.loss {
        config.train.regression_loss = loss.parse().map_err(|e: widedeep::Error| format!("--loss: {e}"))?;
    }
    if let Some(weight) = &args.class_weight {
        config.train.class_weight = weight.parse().map_err(|e: widedeep::Error| format!("--class-weight: {e}"))?;
    }
    config.train.modes = match args.model {
        Some(ModelChoice::Wide) => vec![Mode::Wide],
        Some(ModelChoice::Deep) => vec![Mode::Deep],
        Some(ModelChoice::Joint) => vec![Mode::Joint],
        Some(ModelChoice::All) => Mode::ALL.to_vec(),
        None if args.setup.is_some() => Mode::ALL.to_vec(),
        None => vec![Mode::Joint],
    };
    Ok(config)
}

/// The configuration the feature and training flags describe.
fn flags_config(args: &TrainArgs, schema: &Schema) -> Result<Config, String> {
    let label = match args.label.clone().or_else(|| schema.label.clone()) {
        Some(label) => label,
        None => return Err(format!("{}: name the label with --label COL", no_label_reason(&schema.columns))),
    };
    let label_rule = match (&args.positive, args.threshold) {
        (Some(value), _) => LabelRule::Positive { value: value.clone() },
        (None, Some(at)) => LabelRule::Threshold { at },
        (None, None) => LabelRule::Auto,
    };
    let mut roles: BTreeMap<String, Role> = pairs(&comma_list(&args.roles), "--role")?
        .into_iter()
        .map(|(c, r)| Ok((c, parse_enum(&r, "--role", "role")?)))
        .collect::<Result<_, String>>()?;
    roles.extend(comma_list(&args.ignore).into_iter().map(|c| (c, Role::Ignore)));
    let kinds = pairs(&comma_list(&args.kinds), "--kind")?
        .into_iter()
        .map(|(c, k)| Ok((c, parse_enum(&k, "--kind", "kind")?)))
        .collect::<Result<_, String>>()?;
    let bucket_edges = pairs(&args.buckets, "--buckets")?.into_iter().map(|(c, e)| Ok((c, numbers(&e)?))).collect::<Result<_, String>>()?;
    let task = args
        .task
        .as_deref()
        .map(|t| t.parse::<Task>().map_err(|_| format!("--task: expected binary, multiclass or regression, got '{t}'")))
        .transpose()?;
    let features = FeatureConfig {
        label,
        label_rule,
        task,
        roles,
        kinds,
        crosses: args.crosses.iter().map(|c| comma_list(std::slice::from_ref(c))).collect(),
        hash_buckets: args.hash_buckets,
        quantile_buckets: args.quantiles,
        bucket_edges,
        embedding_dim: args.embedding_dim,
        ..FeatureConfig::default()
    };
    let train = TrainConfig {
        hidden: args
            .hidden
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().parse::<usize>().map_err(|_| format!("--hidden: '{s}' is not a whole number")))
            .collect::<Result<_, _>>()?,
        optimizer: parse_enum(&args.optimizer, "--optimizer", "optimizer")?,
        learning_rate: args.lr,
        batch_size: args.batch,
        test_fraction: args.test_fraction,
        split: parse_enum(&args.split, "--split", "split")?,
        seed: args.seed,
        ..TrainConfig::default()
    };
    Ok(Config { features, train })
}

/// The wide part's optimizer the flags ask for; FTRL's flags alone are a mistake worth naming.
fn wide_optimizer(args: &TrainArgs) -> Result<Option<WideOptimizer>, String> {
    let ftrl = Ftrl { learning_rate: args.wide_lr, l1: args.l1, l2: args.l2 };
    match args.wide_optimizer.as_deref().map(str::trim) {
        Some("ftrl") => Ok(Some(WideOptimizer::Ftrl(ftrl))),
        Some(other) => Err(format!("--wide-optimizer: unknown optimizer '{other}' (ftrl is the one the wide part can have of its own)")),
        None if ftrl != Ftrl::default() => Err("--l1, --l2 and --wide-lr set FTRL: add --wide-optimizer ftrl".into()),
        None => Ok(None),
    }
}

/// `COL=VALUE` items split at their last `=` (a value never holds one; a column name may).
fn pairs(items: &[String], flag: &str) -> Result<Vec<(String, String)>, String> {
    items
        .iter()
        .map(|item| {
            item.rsplit_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| format!("{flag} expects COL=VALUE, got '{item}'"))
        })
        .collect()
}

/// A value of one of the core's enums, by the name its configuration uses.
fn parse_enum<T: DeserializeOwned>(text: &str, flag: &str, what: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).map_err(|_| format!("{flag}: unknown {what} '{text}'"))
}

fn numbers(text: &str) -> Result<Vec<f64>, String> {
    text.split(',').map(|s| s.trim().parse::<f64>().map_err(|_| format!("'{s}' is not a number"))).collect()
}
