//! `widedeep`: the command-line tool on the same core as the browser, for large files,
//! benchmarks and plots.

// The CLI reads files, spawns a thread pool and draws with a bundled font: it is native only,
// and a wasm32 build of this binary (as `wasm-pack test` makes) is an empty program.

#[cfg(not(target_family = "wasm"))]
mod args;
#[cfg(not(target_family = "wasm"))]
mod export;
#[cfg(not(target_family = "wasm"))]
mod generate;
#[cfg(not(target_family = "wasm"))]
mod inspect;
#[cfg(not(target_family = "wasm"))]
mod plot_file;
#[cfg(not(target_family = "wasm"))]
mod predict;
#[cfg(not(target_family = "wasm"))]
mod sweep;
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
        args::Command::Export(a) => export::run(&a),
        args::Command::Encode(a) => export::encode(&a),
        args::Command::Import(a) => export::import(&a),
        args::Command::Sweep(a) => sweep::run(&a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {}", printable(&message));
            ExitCode::FAILURE
        }
    }
}

/// The core's message, with the flag that fixes it where one does: the core names no flags.
#[cfg(not(target_family = "wasm"))]
fn message(error: widedeep::Error) -> String {
    let hint = match error.kind() {
        "label_not_binary" => " (--positive VALUE, or --threshold X for numbers)",
        "label_positive_missing" => " (--positive)",
        "label_not_numeric" => " (use --positive VALUE instead of --threshold)",
        "label_unusable" => " (choose another column with --label)",
        "label_rare" => " (--test-fraction, --seed)",
        "diverged" => " (--lr)",
        _ => "",
    };
    format!("{error}{hint}")
}

/// `text` safe to print on a terminal: control characters (an escape sequence in a column name
/// or a value, a carriage return) are written as escapes instead of acting on the terminal.
#[cfg(not(target_family = "wasm"))]
fn printable(text: &str) -> String {
    text.chars().map(|c| if c.is_control() && c != '\n' { c.escape_default().to_string() } else { c.to_string() }).collect()
}

/// A column name as a flag's list takes it: in double quotes when it holds a comma or a quote
/// (`--role '"a,b"=both'`), as [`widedeep::comma_list`] reads it back.
#[cfg(not(target_family = "wasm"))]
fn flag_name(name: &str) -> String {
    if name.contains([',', '"']) { format!("\"{}\"", name.replace('"', "\"\"")) } else { name.to_string() }
}

/// The bytes of the regular file at `path`, refused past `most` bytes before they are read: a
/// device (`/dev/zero`) or a pipe never ends, so only regular files are read, by their size (and
/// never past it, should the file grow or be replaced while read).
#[cfg(not(target_family = "wasm"))]
fn read_file(path: &std::path::Path, most: u64) -> Result<Vec<u8>, String> {
    let (file, size) = open_file(path)?;
    let over = |size: u64| format!("{} is {size} bytes, over the {most} a file of its kind can be here", path.display());
    if size > most {
        return Err(over(size));
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(file, most.saturating_add(1)), &mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if bytes.len() as u64 > most {
        return Err(over(bytes.len() as u64));
    }
    Ok(bytes)
}

/// What `read` gives, with a progress bar over `size` bytes on stderr while it reads (cleared after).
#[cfg(not(target_family = "wasm"))]
fn with_bar<T>(size: u64, read: impl FnOnce(&mut dyn FnMut(f64)) -> T) -> T {
    let bar = indicatif::ProgressBar::new(size)
        .with_style(indicatif::ProgressStyle::with_template("reading {bytes}/{total_bytes} {wide_bar}").expect("valid template"));
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    let read = read(&mut |share| bar.set_position((share * size as f64) as u64));
    bar.finish_and_clear();
    read
}

/// The regular file at `path`, opened to read, and its size. A folder, a device or a pipe is
/// refused by its path before it is opened (opening a pipe waits for a writer), and again once
/// open (the path may have been replaced in between).
#[cfg(not(target_family = "wasm"))]
fn open_file(path: &std::path::Path) -> Result<(std::fs::File, u64), String> {
    let cannot = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    let not_regular = || format!("{} is not a regular file", path.display());
    if !std::fs::metadata(path).map_err(cannot)?.is_file() {
        return Err(not_regular());
    }
    let file = std::fs::File::open(path).map_err(cannot)?;
    let metadata = file.metadata().map_err(cannot)?;
    if !metadata.is_file() {
        return Err(not_regular());
    }
    Ok((file, metadata.len()))
}

/// Writes every `(path, bytes)` or none: each goes to a temporary file beside it first, and only
/// once all are written are they renamed into place, so a failed export never replaces a file
/// the user had with half of a new set.
#[cfg(not(target_family = "wasm"))]
fn write_all(files: &[(std::path::PathBuf, Vec<u8>)]) -> Result<(), String> {
    let temporary = |path: &std::path::Path| {
        path.with_file_name(format!(".{}.partial", path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned())))
    };
    let written: Result<(), String> = files.iter().try_for_each(|(path, bytes)| {
        if path.is_dir() {
            return Err(format!("cannot write {}: it is a folder", path.display()));
        }
        std::fs::write(temporary(path), bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
    });
    let renamed = written.and_then(|()| {
        files
            .iter()
            .try_for_each(|(path, _)| std::fs::rename(temporary(path), path).map_err(|e| format!("cannot write {}: {e}", path.display())))
    });
    if renamed.is_err() {
        files.iter().for_each(|(path, _)| drop(std::fs::remove_file(temporary(path))));
    }
    renamed
}

/// Reads a file (a CSV in any known encoding, or a zip archive) or a folder of MovieLens files
/// into a table, with a progress bar for big files, and prints how it was read.
#[cfg(not(target_family = "wasm"))]
fn load(path: &std::path::Path) -> Result<widedeep::data::Table, String> {
    use widedeep::data::NamedBytes;
    let read = |path: &std::path::Path| read_file(path, u64::MAX);
    let name = |path: &std::path::Path| path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let table = if path.is_dir() {
        let entries = std::fs::read_dir(path).map_err(|e| format!("cannot read the folder {}: {e}", path.display()))?;
        let mut paths: Vec<std::path::PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
        paths.sort();
        let files = paths.iter().map(|p| Ok(NamedBytes::new(name(p), read(p)?))).collect::<Result<Vec<_>, String>>()?;
        let size: usize = files.iter().map(|f| f.bytes.len()).sum();
        with_bar(size as u64, |progress| widedeep::data::read_files(files, progress))
    } else {
        // One file is read in pieces: a CSV is never whole in memory beside its table.
        let (file, size) = open_file(path)?;
        with_bar(size, |progress| {
            widedeep::data::read_stream(&name(path), std::io::BufReader::with_capacity(1 << 20, file), size, progress)
        })
    };
    let table = table.map_err(|e| format!("{}: {}", path.display(), message(e)))?;
    for note in &table.notes {
        eprintln!("{}: {}", path.display(), printable(note));
    }
    Ok(table)
}
