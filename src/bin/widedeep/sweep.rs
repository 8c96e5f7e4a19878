//! `widedeep sweep`: a race of configurations, ranked by validation AUC over several seeds.

use burn::tensor::Device;
use widedeep::data::Schema;
use widedeep::sweep::{MAX_SEEDS, MAX_VARIANTS, Score, Vary, sweep, variants};
use widedeep::train::OptimizerKind;

use crate::args::SweepArgs;
use crate::{message, printable};

pub fn run(args: &SweepArgs) -> Result<(), String> {
    let base = &args.train;
    if base.save.is_some() || !base.plot.is_empty() || base.fit.is_some() || base.top_weights.is_some() {
        return Err("--save, --plot, --fit and --top-weights belong to train: sweep ranks variants (--json writes the ranking)".into());
    }
    if !(1..=MAX_SEEDS).contains(&args.seeds) {
        return Err(format!("--seeds {}: give 1 to {MAX_SEEDS} seeds per variant", args.seeds));
    }
    if base.validation_fraction == Some(0.0) {
        return Err("--validation-fraction 0: a sweep ranks by validation AUC, so it holds back some rows (by default 0.2)".into());
    }
    let varies = args.vary.iter().map(|v| parse_vary(v)).collect::<Result<Vec<_>, _>>()?;
    let table = crate::load(&base.file)?;
    let schema = Schema::infer(&table);
    let config = crate::train::config(base, &schema)?;
    let all = variants(&config, &varies).map_err(|e| format!("--vary: {e}"))?;
    eprintln!("{} variants × {} seeds of the {} model", all.len(), args.seeds, config.train.modes[0].name());
    let quiet = base.quiet;
    let on_run = |name: &str, seed: u64, auc: f64| {
        if !quiet {
            eprintln!("  {}  seed {seed}: validation AUC {auc:.4}", printable(name));
        }
    };
    let scores = pollster::block_on(sweep(&table, &schema, &all, args.seeds, &Device::flex(), on_run)).map_err(message)?;
    print_scores(&scores, &all[0].name);
    if let Some(path) = &base.json {
        let text = serde_json::to_string_pretty(&scores).expect("scores always serialize");
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

fn print_scores(scores: &[Score], base_name: &str) {
    let base = scores.iter().find(|s| s.variant == base_name).expect("the base is scored");
    println!("\n{:<4} {:>16} {:>9} {:>16}  variant", "rank", "validation AUC", "± spread", "vs base");
    for (i, s) in scores.iter().enumerate() {
        let versus = if s.variant == base_name {
            "base".to_string()
        } else if s.within_noise(base) {
            format!("{:+.4} ≈ noise", s.difference)
        } else {
            format!("{:+.4}", s.difference)
        };
        println!("{:<4} {:>16.4} {:>9.4} {:>16}  {}", i + 1, s.mean, s.spread, versus, printable(&s.variant));
    }
}

/// One `--vary SETTING=VALUES`.
fn parse_vary(text: &str) -> Result<Vary, String> {
    let bad = |why: &str| format!("--vary {text}: {why}");
    let (setting, values) = text.split_once('=').ok_or_else(|| bad("write SETTING=VALUES"))?;
    let list = |s: &str| s.split(',').map(str::trim).map(String::from).collect::<Vec<_>>();
    let number = |s: &String| s.parse::<f64>().ok().filter(|x| x.is_finite() && *x > 0.0);
    match setting.trim() {
        "cross" => {
            let (columns, switches) = values.rsplit_once(':').ok_or_else(|| bad("write cross=COL,COL:on,off"))?;
            let on = list(switches)
                .iter()
                .map(|s| match s.as_str() {
                    "on" => Ok(true),
                    "off" => Ok(false),
                    _ => Err(bad("a cross is on or off")),
                })
                .collect::<Result<_, _>>()?;
            let columns = crate::args::list(&[columns.to_string()]);
            if !(2..=3).contains(&columns.len()) {
                return Err(bad("a cross has 2 or 3 columns"));
            }
            Ok(Vary::Cross(columns, on))
        }
        "embedding-dim" => list(values)
            .iter()
            .map(|s| {
                if s == "auto" {
                    Ok(None)
                } else {
                    s.parse::<usize>().ok().filter(|&d| d > 0).map(Some).ok_or_else(|| bad("sizes are whole numbers or auto"))
                }
            })
            .collect::<Result<_, _>>()
            .map(Vary::EmbeddingDim),
        "hidden" => values
            .split('/')
            .map(|layers| {
                list(layers)
                    .iter()
                    .map(|n| n.parse::<usize>().ok().filter(|&n| n > 0).ok_or_else(|| bad("layers are whole numbers")))
                    .collect()
            })
            .collect::<Result<_, _>>()
            .map(Vary::Hidden),
        "lr" => list(values)
            .iter()
            .map(|s| number(s).ok_or_else(|| bad("rates are positive numbers")))
            .collect::<Result<_, _>>()
            .map(Vary::LearningRate),
        "optimizer" => list(values)
            .iter()
            .map(|s| match s.as_str() {
                "adam" => Ok(OptimizerKind::Adam),
                "adagrad" => Ok(OptimizerKind::Adagrad),
                "sgd" => Ok(OptimizerKind::Sgd),
                _ => Err(bad("optimizers are adam, adagrad or sgd")),
            })
            .collect::<Result<_, _>>()
            .map(Vary::Optimizer),
        other => Err(bad(&format!(
            "'{other}' is not a setting a sweep varies (cross, embedding-dim, hidden, lr, optimizer; at most {MAX_VARIANTS} variants)"
        ))),
    }
}
