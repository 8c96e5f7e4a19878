//! Reading CSV text into a [`Table`] with the `csv` crate, and guessing its delimiter.

use std::io::{Cursor, Read};

use super::table::{Column, Table};
use crate::{Error, Result};

const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
const SNIFF_BYTES: u64 = 64 * 1024;
const SNIFF_RECORDS: usize = 20;
const PROGRESS_EVERY_ROWS: usize = 1 << 15;
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads a whole CSV (header line first) from any reader: a file natively, bytes in the browser.
pub fn read_table(reader: impl Read) -> Result<Table> {
    read_table_with_progress(reader, |_| {})
}

/// Like [`read_table`], calling `progress` with the bytes consumed so far now and then, so a
/// large file can show a progress bar.
pub fn read_table_with_progress(mut reader: impl Read, mut progress: impl FnMut(u64)) -> Result<Table> {
    let mut head = Vec::new();
    (&mut reader).take(SNIFF_BYTES).read_to_end(&mut head).map_err(|e| io_error(&e))?;
    let skip = if head.starts_with(BOM) { BOM.len() } else { 0 };
    let delimiter = sniff_delimiter(&head[skip..]);
    let mut head = Cursor::new(head);
    head.set_position(skip as u64);
    let mut csv = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(head.chain(reader));

    let mut record = csv::ByteRecord::new();
    if !next_record(&mut csv, &mut record)? {
        return Err(Error::EmptyFile);
    }
    let mut columns = header_columns(&record)?;
    let mut rows = 0u64;
    while next_record(&mut csv, &mut record)? {
        rows += 1;
        push_row(&mut columns, &record, rows)?;
        if rows as usize % PROGRESS_EVERY_ROWS == 0 {
            progress(csv.position().byte());
        }
    }
    if rows == 0 {
        return Err(Error::NoRows);
    }
    progress(csv.position().byte());
    columns.iter_mut().for_each(Column::seal);
    Ok(Table { columns, delimiter })
}

fn next_record<R: Read>(csv: &mut csv::Reader<R>, record: &mut csv::ByteRecord) -> Result<bool> {
    csv.read_byte_record(record).map_err(|e| Error::Csv {
        line: e.position().map_or(0, |p| p.line()),
        message: match e.kind() {
            csv::ErrorKind::Io(io) => io_error(io).to_string(),
            _ => e.to_string(),
        },
    })
}

fn io_error(e: &std::io::Error) -> Error {
    Error::Csv { line: 0, message: format!("could not read the file: {e}") }
}

fn header_columns(record: &csv::ByteRecord) -> Result<Vec<Column>> {
    let mut names: Vec<String> = Vec::with_capacity(record.len());
    for (i, field) in record.iter().enumerate() {
        let name = std::str::from_utf8(field).map_err(|_| Error::InvalidUtf8 { row: 0, line: 1, column: format!("#{}", i + 1) })?.trim();
        let name = if name.is_empty() { format!("column_{}", i + 1) } else { name.to_string() };
        if names.contains(&name) {
            return Err(Error::DuplicateColumn(name));
        }
        names.push(name);
    }
    Ok(names.into_iter().map(Column::new).collect())
}

fn push_row(columns: &mut [Column], record: &csv::ByteRecord, row: u64) -> Result<()> {
    let line = record.position().map_or(0, |p| p.line());
    if record.len() != columns.len() {
        return Err(Error::FieldCount { row, line, expected: columns.len(), found: record.len() });
    }
    for (column, field) in columns.iter_mut().zip(record.iter()) {
        let text = std::str::from_utf8(field).map_err(|_| Error::InvalidUtf8 { row, line, column: column.name.clone() })?;
        column.push(text);
    }
    Ok(())
}

/// Picks the delimiter that splits the first records (header included) into the same number of
/// fields, preferring more fields; a `|` inside values (like `Comedy|Romance`) varies from row to
/// row and so loses to the real delimiter.
fn sniff_delimiter(head: &[u8]) -> u8 {
    let records = split_records(head);
    let consistent = |d: u8| {
        let counts: Vec<usize> = records.iter().map(|r| count_outside_quotes(r, d)).collect();
        let first = counts.first().copied().unwrap_or(0);
        (first > 0 && counts.iter().all(|&c| c == first)).then_some(first)
    };
    let best =
        DELIMITERS.iter().filter_map(|&d| consistent(d).map(|n| (n, d))).fold(None, |best: Option<(usize, u8)>, (n, d)| match best {
            Some((m, _)) if m >= n => best,
            _ => Some((n, d)),
        });
    match best {
        Some((_, d)) => d,
        None => {
            let header = records.first().copied().unwrap_or(&[]);
            DELIMITERS
                .iter()
                .copied()
                .max_by_key(|&d| count_outside_quotes(header, d))
                .filter(|&d| count_outside_quotes(header, d) > 0)
                .unwrap_or(b',')
        }
    }
}

/// The first records of `head`, split on newlines outside quotes; a cut-off last record is dropped.
fn split_records(head: &[u8]) -> Vec<&[u8]> {
    let mut records = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, &b) in head.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => {
                let record = head[start..i].strip_suffix(b"\r").unwrap_or(&head[start..i]);
                if !record.is_empty() {
                    records.push(record);
                }
                start = i + 1;
                if records.len() == SNIFF_RECORDS {
                    return records;
                }
            }
            _ => {}
        }
    }
    if records.is_empty() && start < head.len() {
        records.push(&head[start..]);
    }
    records
}

fn count_outside_quotes(record: &[u8], delimiter: u8) -> usize {
    let mut quoted = false;
    record
        .iter()
        .filter(|&&b| {
            if b == b'"' {
                quoted = !quoted;
            }
            b == delimiter && !quoted
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::MISSING;

    fn read(text: &[u8]) -> Result<Table> {
        read_table(text)
    }

    fn values(t: &Table, col: usize) -> Vec<Option<&str>> {
        (0..t.rows()).map(|r| t.columns[col].get(r)).collect()
    }

    #[test]
    fn detects_each_delimiter() {
        for d in [",", ";", "\t", "|"] {
            let text = format!("a{d}b{d}c\n1{d}x{d}2.5\n3{d}y{d}4\n");
            let t = read(text.as_bytes()).unwrap();
            assert_eq!(t.delimiter, d.as_bytes()[0], "{d:?}");
            assert_eq!(t.names(), ["a", "b", "c"]);
            assert_eq!(values(&t, 1), [Some("x"), Some("y")]);
        }
    }

    #[test]
    fn pipes_inside_values_do_not_win_over_commas() {
        let t = read(b"id,genres\n1,Comedy|Romance\n2,Drama\n3,Action|Sci-Fi|War\n").unwrap();
        assert_eq!(t.delimiter, b',');
        assert_eq!(values(&t, 1)[2], Some("Action|Sci-Fi|War"));
    }

    #[test]
    fn semicolons_with_decimal_commas() {
        let t = read(b"a;b\n1,5;2,25\n3,0;4,75\n").unwrap();
        assert_eq!(t.delimiter, b';');
        assert_eq!(values(&t, 0), [Some("1,5"), Some("3,0")]);
    }

    #[test]
    fn quotes_bom_crlf_and_unicode_headers() {
        let text = "\u{feff}\"naïve, name\",città\r\n\"x, \"\"quoted\"\"\",Zürich\r\n\"multi\nline\",東京\r\n";
        let t = read(text.as_bytes()).unwrap();
        assert_eq!(t.names(), ["naïve, name", "città"]);
        assert_eq!(values(&t, 0), [Some("x, \"quoted\""), Some("multi\nline")]);
        assert_eq!(values(&t, 1), [Some("Zürich"), Some("東京")]);
    }

    #[test]
    fn missing_tokens_become_missing() {
        let t = read(b"a,b\nNA,1\n?,\nnull,None\nNaN,2\n").unwrap();
        assert!(t.columns[0].codes.iter().all(|&c| c == MISSING));
        assert_eq!(values(&t, 1), [Some("1"), None, None, Some("2")]);
    }

    #[test]
    fn empty_and_header_only_files() {
        assert_eq!(read(b"").unwrap_err(), Error::EmptyFile);
        assert_eq!(read(b"\xEF\xBB\xBF\n\n").unwrap_err(), Error::EmptyFile);
        assert_eq!(read(b"a,b,c\n").unwrap_err(), Error::NoRows);
        assert_eq!(read(b"a,b,c").unwrap_err().to_string(), "the file has a header line but no data rows");
    }

    #[test]
    fn wrong_field_count_names_row_and_line() {
        let err = read(b"a,b,c\n1,2,3\n4,5\n").unwrap_err();
        assert_eq!(err, Error::FieldCount { row: 2, line: 3, expected: 3, found: 2 });
        assert_eq!(err.to_string(), "row 2 (line 3): expected 3 fields like the header, found 2");
    }

    #[test]
    fn invalid_utf8_names_row_and_column() {
        let err = read(b"a,b\n1,ok\n2,bad\xff\n").unwrap_err();
        assert_eq!(err, Error::InvalidUtf8 { row: 2, line: 3, column: "b".into() });
        assert!(err.to_string().contains("column 'b'"));
    }

    #[test]
    fn duplicate_and_blank_headers() {
        assert_eq!(read(b"a,a\n1,2\n").unwrap_err(), Error::DuplicateColumn("a".into()));
        assert_eq!(read(b"a,\n1,2\n").unwrap().names(), ["a", "column_2"]);
    }

    #[test]
    fn progress_reports_bytes() {
        let mut text = String::from("a,b\n");
        for i in 0..70_000 {
            text.push_str(&format!("{i},x\n"));
        }
        let mut seen = Vec::new();
        let t = read_table_with_progress(text.as_bytes(), |b| seen.push(b)).unwrap();
        assert_eq!(t.rows(), 70_000);
        assert!(seen.len() >= 3 && seen.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(*seen.last().unwrap(), text.len() as u64);
    }
}
