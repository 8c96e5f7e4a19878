//! `widedeep`: the command-line tool on the same core as the browser, for large files,
//! benchmarks and plots.

mod args;
mod inspect;
mod plot_file;
mod predict;
mod train;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let result = match cli.command {
        args::Command::Inspect(a) => inspect::run(&a),
        args::Command::Train(a) => train::run(&a),
        args::Command::Predict(a) => predict::run(&a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Reads a CSV file into a table, with a progress bar for big files.
fn load(path: &std::path::Path) -> Result<widedeep::data::Table, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = indicatif::ProgressBar::new(size)
        .with_style(indicatif::ProgressStyle::with_template("reading {bytes}/{total_bytes} {wide_bar}").expect("valid template"));
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    let table = widedeep::data::read_table_with_progress(std::io::BufReader::with_capacity(1 << 20, file), |b| bar.set_position(b));
    bar.finish_and_clear();
    table.map_err(|e| format!("{}: {e}", path.display()))
}
