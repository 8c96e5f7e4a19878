//! `widedeep sweep`: a race of configurations, ranked by validation AUC over several seeds.

use burn::tensor::Device;
use widedeep::data::Schema;
use widedeep::sweep::{MAX_SEEDS, MAX_VARIANTS, Score, Sweep, Vary, sweep, variants};

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
    let varies = args.vary.iter().map(|v| Vary::parse(v).map_err(|why| format!("--vary {v}: {why}"))).collect::<Result<Vec<_>, _>>()?;
    let table = crate::load(&base.file)?;
    let schema = Schema::infer(&table);
    let config = crate::train::config(base, &schema)?;
    let all = variants(&config, &varies, MAX_VARIANTS).map_err(|e| format!("--vary: {e}"))?;
    eprintln!("{} variants × {} seeds of the {} model", all.len(), args.seeds, config.train.modes[0].name());
    let quiet = base.quiet;
    let on_run = |progress: &widedeep::sweep::SweepProgress| {
        for (name, seed, score) in progress.ended.iter().filter(|_| !quiet) {
            eprintln!("  {}  seed {seed}: validation {score:.4} ({}/{} runs)", printable(name), progress.finished, progress.runs);
        }
    };
    let sweep_of = Sweep::new(all, args.seeds).map_err(message)?;
    let scores = pollster::block_on(sweep(&table, &schema, sweep_of, &Device::flex(), on_run)).map_err(message)?;
    print_scores(&scores);
    if let Some(path) = &base.json {
        let text = serde_json::to_string_pretty(&scores).expect("scores always serialize");
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

fn print_scores(scores: &[Score]) {
    let base = scores.iter().find(|s| s.index == 0).expect("the base is scored");
    println!("\n{:<4} {:>16} {:>9} {:>16}  variant", "rank", format!("validation {}", base.measure), "± spread", "vs base");
    for (i, s) in scores.iter().enumerate() {
        println!("{:<4} {:>16.4} {:>9.4} {:>16}  {}", i + 1, s.mean, s.spread, s.versus, printable(&s.variant));
    }
}
