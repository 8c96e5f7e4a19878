//! Reading CSV text into a [`Table`] with the `csv` crate, and guessing its delimiter. Bytes in
//! any encoding the playground knows are decoded to UTF-8 first (see [`super::text`]).

use super::table::{Column, Table};
use super::text::decode;
use crate::{Error, Result, limits};

const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
const SNIFF_BYTES: usize = 64 * 1024;
const SNIFF_RECORDS: usize = 20;
const PROGRESS_EVERY_ROWS: usize = 1 << 15;

/// Reads a whole CSV (header line first) from its bytes.
pub fn read_table(bytes: &[u8]) -> Result<Table> {
    read_table_with_progress(bytes, |_| {})
}

/// Like [`read_table`], calling `progress` with the bytes consumed so far now and then, so a
/// large file can show a progress bar. A file that is not UTF-8 gets a note saying how it was read.
pub fn read_table_with_progress(bytes: &[u8], mut progress: impl FnMut(u64)) -> Result<Table> {
    let (text, encoding) = decode(bytes);
    let text = text.as_bytes();
    refuse_nul(text)?;
    let delimiter = sniff_delimiter(&text[..text.len().min(SNIFF_BYTES)]);
    let mut csv = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text);
    let mut record = csv::ByteRecord::new();
    if !next_record(&mut csv, &mut record)? {
        return Err(Error::EmptyFile);
    }
    let mut columns = header_columns(&record)?;
    let mut rows = 0u64;
    let mut last_start = record.position().map_or(0, |p| p.byte() as usize);
    while next_record(&mut csv, &mut record)? {
        rows += 1;
        last_start = record.position().map_or(0, |p| p.byte() as usize);
        push_row(&mut columns, &record, rows).map_err(|e| unclosed_quote(text, last_start, delimiter, &columns, rows).unwrap_or(e))?;
        if (rows as usize).is_multiple_of(PROGRESS_EVERY_ROWS) {
            progress(csv.position().byte());
        }
    }
    if let Some(error) = unclosed_quote(text, last_start, delimiter, &columns, rows) {
        return Err(error);
    }
    if rows == 0 {
        return Err(Error::NoRows);
    }
    progress(bytes.len() as u64);
    columns.iter_mut().for_each(Column::seal);
    Ok(Table { columns, delimiter, notes: encoding.note().into_iter().collect() })
}

fn next_record<R: std::io::Read>(csv: &mut csv::Reader<R>, record: &mut csv::ByteRecord) -> Result<bool> {
    csv.read_byte_record(record).map_err(|e| {
        let (line, message) = (e.position().map_or(0, |p| p.line()), e.to_string());
        match e.into_kind() {
            csv::ErrorKind::Io(io) => Error::from(io),
            _ => Error::Csv { line, message },
        }
    })
}

/// A field of the decoded text: UTF-8, since the text is and delimiters are ASCII.
fn text(field: &[u8]) -> &str {
    std::str::from_utf8(field).expect("fields of UTF-8 text split at ASCII bytes are UTF-8")
}

/// The header's column names, each checked against the others in constant time (a set), so a
/// header of 100,000 columns is read in the time of its bytes.
fn header_columns(record: &csv::ByteRecord) -> Result<Vec<Column>> {
    check_line(record, 0)?;
    if record.len() > limits::MAX_COLUMNS {
        let message = format!("the header has {} columns, over the limit of {}", record.len(), limits::MAX_COLUMNS);
        return Err(Error::Csv { line: 1, message });
    }
    let mut names: Vec<String> = Vec::with_capacity(record.len());
    for (i, field) in record.iter().enumerate() {
        let name = text(field).trim();
        names.push(if name.is_empty() { format!("column_{}", i + 1) } else { name.to_string() });
    }
    let mut seen = std::collections::HashSet::with_capacity(names.len());
    if let Some(twice) = names.iter().find(|&name| !seen.insert(Name(name))) {
        return Err(Error::DuplicateColumn(twice.clone()));
    }
    Ok(names.into_iter().map(Column::new).collect())
}

/// A header name as a set key. In tests it counts its comparisons, so a test can show that
/// reading a header costs work in proportion to its columns.
#[derive(Hash, Eq)]
struct Name<'a>(&'a str);

impl PartialEq for Name<'_> {
    fn eq(&self, other: &Self) -> bool {
        #[cfg(test)]
        tests::COMPARISONS.with(|c| c.set(c.get() + 1));
        self.0 == other.0
    }
}

/// A record longer than [`limits::MAX_LINE_BYTES`] is refused, naming its line: most often a
/// file with no line breaks, or a quote that swallowed the rest.
fn check_line(record: &csv::ByteRecord, row: u64) -> Result<()> {
    let bytes = record.as_slice().len();
    if bytes <= limits::MAX_LINE_BYTES {
        return Ok(());
    }
    let line = record.position().map_or(1, |p| p.line());
    let what = if row == 0 { "the header".to_string() } else { format!("row {row}") };
    Err(Error::Csv { line, message: format!("{what} is {bytes} bytes long, over the limit of {} bytes per line", limits::MAX_LINE_BYTES) })
}

/// A NUL byte is refused, naming its line: text never holds one, so the file is binary or
/// damaged, and a NUL inside a value would reach every export.
fn refuse_nul(text: &[u8]) -> Result<()> {
    match text.iter().position(|&b| b == 0) {
        None => Ok(()),
        Some(at) => {
            let line = 1 + text[..at].iter().filter(|&&b| b == b'\n').count() as u64;
            Err(Error::Csv { line, message: "a NUL byte (\\0): this is not a text file, or it is damaged".into() })
        }
    }
}

/// When the text from `start` (the last record read) to its end holds a quote that opens a
/// field and never closes, the error naming where it opened: the CSV parser would otherwise read
/// the rest of the file as one value, silently.
fn unclosed_quote(text: &[u8], start: usize, delimiter: u8, columns: &[Column], row: u64) -> Option<Error> {
    let (mut field, mut quoted, mut field_start, mut opened) = (0usize, false, true, None);
    let mut bytes = text[start..].iter().enumerate().peekable();
    while let Some((i, &b)) = bytes.next() {
        match b {
            b'"' if field_start => (quoted, opened) = (true, Some((i, field))),
            b'"' if quoted && bytes.peek().is_some_and(|&(_, &n)| n == b'"') => {
                bytes.next();
            }
            b'"' if quoted => quoted = false,
            b'\n' if !quoted => return None,
            b if b == delimiter && !quoted => field += 1,
            _ => {}
        }
        field_start = !quoted && (b == delimiter || b == b'\n');
    }
    let (at, field) = opened.filter(|_| quoted)?;
    let line = 1 + text[..start + at].iter().filter(|&&b| b == b'\n').count() as u64;
    let column = columns.get(field).map_or_else(|| format!("field {}", field + 1), |c| format!("column '{}'", c.name));
    let record = if row == 0 { "the header".to_string() } else { format!("row {row}") };
    Some(Error::Csv {
        line,
        message: format!("{record}, {column}: a quote opens here and is never closed, so the rest of the file would be one value"),
    })
}

fn push_row(columns: &mut [Column], record: &csv::ByteRecord, row: u64) -> Result<()> {
    let line = record.position().map_or(0, |p| p.line());
    check_line(record, row)?;
    if record.len() != columns.len() {
        return Err(Error::FieldCount { row, line, expected: columns.len(), found: record.len() });
    }
    for (column, field) in columns.iter_mut().zip(record.iter()) {
        column.push(text(field));
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
    fn other_encodings_are_read_with_a_note() {
        let t = read(b"a,b\n1,ok\n2,Caf\xe9\n").unwrap();
        assert_eq!(values(&t, 1), [Some("ok"), Some("Café")]);
        assert_eq!(t.notes.len(), 1);
        assert!(t.notes[0].contains("not valid UTF-8"), "{:?}", t.notes);
        let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("x;y\nç;1\n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let t = read(&utf16).unwrap();
        assert_eq!((t.delimiter, values(&t, 0)), (b';', vec![Some("ç")]));
        assert!(read(b"a\n1\n").unwrap().notes.is_empty(), "UTF-8 needs no note");
    }

    #[test]
    fn duplicate_and_blank_headers() {
        assert_eq!(read(b"a,a\n1,2\n").unwrap_err(), Error::DuplicateColumn("a".into()));
        assert_eq!(read(b"a,\n1,2\n").unwrap().names(), ["a", "column_2"]);
    }

    thread_local! {
        /// Comparisons of header names made on this thread (see [`Name`]).
        pub(super) static COMPARISONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }

    #[test]
    fn a_wide_header_costs_work_in_proportion_to_its_columns() {
        for columns in [1_000usize, 100_001] {
            let header: Vec<String> = (0..columns).map(|i| format!("c{i}")).collect();
            let text = format!("{}\n{}\n", header.join(","), vec!["1"; columns].join(","));
            COMPARISONS.with(|c| c.set(0));
            let table = read(text.as_bytes()).unwrap();
            assert_eq!(table.columns.len(), columns);
            // A set compares a name only with the few that share its hash bits: a few in a hundred
            // columns (the old list compared each name with all before it: 5e9 comparisons for
            // 100,001 columns).
            let compared = COMPARISONS.with(std::cell::Cell::get);
            assert!(compared <= columns as u64 / 10, "{compared} comparisons for {columns} columns");
        }
        let twice = read(b"a,b,c,b\n1,2,3,4\n").unwrap_err();
        assert_eq!(twice, Error::DuplicateColumn("b".into()));
    }

    #[test]
    fn too_many_columns_or_too_long_a_line_is_named() {
        let wide = format!("{}\n", vec!["x"; limits::MAX_COLUMNS + 1].join(","));
        let error = read(wide.as_bytes()).unwrap_err();
        assert_eq!(error.kind(), "file");
        assert_eq!(
            error.to_string(),
            format!("line 1: the header has {} columns, over the limit of {}", limits::MAX_COLUMNS + 1, limits::MAX_COLUMNS)
        );
        let long = format!("a,b\n1,2\n3,{}\n", "y".repeat(limits::MAX_LINE_BYTES));
        let error = read(long.as_bytes()).unwrap_err().to_string();
        assert!(error.starts_with("line 3: row 2 is 67108865 bytes long, over the limit of 67108864 bytes per line"), "{error}");
    }

    #[test]
    fn a_quote_left_open_is_an_error_wherever_it_is() {
        let mut text = String::from("a,b,label\n1,x,yes\n2,y,no\n3,z,\"yes\n");
        for i in 0..1000 {
            text.push_str(&format!("{i},w,no\n"));
        }
        let error = read(text.as_bytes()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "line 4: row 3, column 'label': a quote opens here and is never closed, so the rest of the file would be one value"
        );
        let first = read(b"a,b\n1,2\n\"3,4\n5,6\n").unwrap_err().to_string();
        assert_eq!(first, "line 3: row 2, column 'a': a quote opens here and is never closed, so the rest of the file would be one value");
        let header = read(b"a,\"b\n1,2\n").unwrap_err().to_string();
        assert!(header.starts_with("line 1: the header, column 'a'") || header.contains("the header"), "{header}");
        // Closed quotes, doubled quotes and quotes inside a value are fine.
        let fine = read(b"a,b\n\"x \"\"q\"\"\",2\nab\"c,3\n\"multi\nline\",4").unwrap();
        assert_eq!(values(&fine, 0), [Some("x \"q\""), Some("ab\"c"), Some("multi\nline")]);
    }

    #[test]
    fn a_nul_byte_is_refused_with_its_line() {
        let error = read(b"a,b\n1,2\n3,x\x00y\n").unwrap_err();
        assert_eq!(error.to_string(), "line 3: a NUL byte (\\0): this is not a text file, or it is damaged");
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
