//! What a user hands over, whatever its shape: one CSV in any known encoding, a `.zip` archive,
//! or several files at once (MovieLens's files dropped together, or a folder on the command
//! line). One entry point, so the CLI and the page accept the same things.

use std::io::Read;

use super::archive::{NamedBytes, is_zip, unzip};
use super::csv::read_table_from;
use super::movielens::{Release, join};
use super::table::Table;
use crate::{Error, Result};

/// File names that hold a table (the data file of a one-file archive).
const DATA_EXTENSIONS: [&str; 4] = [".csv", ".tsv", ".txt", ".dat"];

/// Reads `files` into one table: a single CSV as it is; a zip archive or several files by their
/// MovieLens layout (joined), or, for an archive holding one data file, that file. `progress`
/// sees the share of bytes parsed (0..=1) while a CSV is read.
pub fn read_files(files: Vec<NamedBytes>, mut progress: impl FnMut(f64)) -> Result<Table> {
    let archive = files.len() == 1 && is_zip(&files[0].bytes);
    let entries = if archive { unzip(&files[0].bytes)? } else { files };
    if let Some(layout) = Release::recognise(&entries) {
        let table = join(layout, &entries)?;
        progress(1.0);
        return Ok(table);
    }
    let data: Vec<&NamedBytes> = entries.iter().filter(|f| DATA_EXTENSIONS.iter().any(|e| f.base_name().ends_with(e))).collect();
    let single = match (archive, entries.len(), data.as_slice()) {
        (false, 1, _) => &entries[0],
        (true, _, [one]) => *one,
        _ => return Err(unknown_files(archive, &entries)),
    };
    let total = single.bytes.len().max(1) as f64;
    let mut table = read_table_from(single.bytes.as_slice(), |done| progress(done as f64 / total))?;
    if archive {
        table.notes.insert(0, format!("read {} from the zip archive", single.name));
    }
    Ok(table)
}

/// Reads one file of `size` bytes from `source`: a CSV in pieces, never whole in memory (a file
/// dropped in the page, a path on the command line); a zip archive, which is read from its end,
/// whole, as [`read_files`] reads it. `progress` sees the share of bytes read (0..=1).
pub fn read_stream(name: &str, mut source: impl Read, size: u64, mut progress: impl FnMut(f64)) -> Result<Table> {
    let mut start = Vec::with_capacity(4);
    source.by_ref().take(4).read_to_end(&mut start)?;
    if is_zip(&start) {
        let mut bytes = start;
        let too_large = || Error::Limit(format!("{name} is {size} bytes, more than there is memory to read it in"));
        let rest = usize::try_from(size.saturating_sub(4)).map_err(|_| too_large())?;
        bytes.try_reserve_exact(rest).map_err(|_| too_large())?;
        source.read_to_end(&mut bytes)?;
        return read_files(vec![NamedBytes::new(name, bytes)], progress);
    }
    let total = size.max(1) as f64;
    read_table_from(std::io::Cursor::new(start).chain(source), |done| progress((done as f64 / total).min(1.0)))
}

/// What was found instead of a known layout, and what was expected.
fn unknown_files(archive: bool, entries: &[NamedBytes]) -> Error {
    let found: Vec<&str> = entries.iter().take(12).map(|f| f.name.as_str()).collect();
    let more = entries.len().saturating_sub(found.len());
    let found = if found.is_empty() {
        "no files".to_string()
    } else {
        found.join(", ") + &if more > 0 { format!(" and {more} more") } else { String::new() }
    };
    let what = if archive { "the zip archive holds" } else { "the files are" };
    Error::Archive(format!("{what} {found}: expected one data file (CSV), or a MovieLens layout: {}", Release::expected()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::archive::tests::zip;
    use crate::data::movielens::tests::ml_1m;

    #[test]
    fn a_movielens_zip_or_its_files_dropped_together_are_joined() {
        let files = ml_1m();
        let entries: Vec<(&str, &[u8])> = files.iter().map(|f| (f.name.as_str(), f.bytes.as_slice())).collect();
        let archive = zip(&entries, true);
        let from_zip = read_files(vec![NamedBytes::new("ml-1m.zip", archive)], |_| {}).unwrap();
        let dropped = read_files(files, |_| {}).unwrap();
        assert_eq!(from_zip.rows(), 4);
        assert_eq!(from_zip.names(), dropped.names());
        assert!(from_zip.notes[0].starts_with("MovieLens 1M: 4 ratings × 2 users × 3 movies"));
    }

    #[test]
    fn a_stream_reads_a_csv_in_pieces_and_a_zip_whole() {
        let csv = b"species,likes\ncat,0\ndog,1\n";
        let mut shares = Vec::new();
        let table = read_stream("pets.csv", &csv[..], csv.len() as u64, |share| shares.push(share)).unwrap();
        assert_eq!((table.names(), table.rows(), shares), (vec!["species", "likes"], 2, vec![1.0]));
        let archive = zip(&[("data/pets.csv", csv)], true);
        let table = read_stream("pets.zip", archive.as_slice(), archive.len() as u64, |_| {}).unwrap();
        assert_eq!((table.rows(), table.notes.as_slice()), (2, ["read data/pets.csv from the zip archive".to_string()].as_slice()));
        let short = read_stream("x.csv", &b"a"[..], 1, |_| {}).unwrap_err();
        assert_eq!(short, Error::NoRows);
    }

    #[test]
    fn one_csv_in_a_zip_is_read_and_anything_else_is_named() {
        let archive = zip(&[("data/pets.csv", b"species,likes\ncat,0\ndog,1\n"), ("data/README.md", b"hello")], true);
        let table = read_files(vec![NamedBytes::new("pets.zip", archive)], |_| {}).unwrap();
        assert_eq!(table.names(), ["species", "likes"]);
        assert_eq!(table.notes, ["read data/pets.csv from the zip archive"]);
        let other = zip(&[("a.csv", b"x\n1\n"), ("b.csv", b"y\n2\n")], false);
        let error = read_files(vec![NamedBytes::new("two.zip", other)], |_| {}).unwrap_err();
        assert_eq!(error.kind(), "archive");
        assert!(error.to_string().starts_with("the zip archive holds a.csv, b.csv: expected one data file (CSV), or a MovieLens layout: MovieLens 1M (ratings.dat, users.dat, movies.dat)"), "{error}");
    }
}
