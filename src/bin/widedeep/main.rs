//! `widedeep`: the command-line tool on the same core as the browser, for large files,
//! benchmarks and plots.

// The CLI reads files, spawns a thread pool and draws with a bundled font: it is native only,
// and a wasm32 build of this binary (as `wasm-pack test` makes) is an empty program.

#[cfg(not(target_family = "wasm"))]
mod args;
#[cfg(not(target_family = "wasm"))]
mod generate;
#[cfg(not(target_family = "wasm"))]
mod inspect;
#[cfg(not(target_family = "wasm"))]
mod plot_file;
#[cfg(not(target_family = "wasm"))]
mod predict;
#[cfg(not(target_family = "wasm"))]
mod train;

#[cfg(target_family = "wasm")]
fn main() {}

#[cfg(not(target_family = "wasm"))]
fn main() -> std::process::ExitCode {
    use clap::Parser;
    use std::process::ExitCode;
    let cli = args::Cli::parse();
    let result = match cli.command {
        args::Command::Inspect(a) => inspect::run(&a),
        args::Command::Train(a) => train::run(&a),
        args::Command::Predict(a) => predict::run(&a),
        args::Command::Generate(a) => generate::run(&a),
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
#[cfg(not(target_family = "wasm"))]
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
