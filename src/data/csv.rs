//! Reading CSV text into a [`Table`] with the `csv` crate, and guessing its delimiter. The text
//! is read in pieces from any [`Read`] (a file on disk, a file dropped in the page, bytes in
//! memory), so a file is never whole in memory beside its table; every encoding the playground
//! knows becomes UTF-8 on the way (see [`super::text`]).

use std::cell::Cell;
use std::io::{self, Read};

use super::scan::Scan;
use super::table::{Column, Table};
use super::text::{self, Charset, windows_1252};
use crate::{Error, Result, limits};

const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
const SNIFF_BYTES: usize = 64 * 1024;
const SNIFF_RECORDS: usize = 20;
const PROGRESS_EVERY_ROWS: usize = 1 << 15;
/// The parser's buffer: each read of the source fills it (see [`Scan`]).
const BUFFER_BYTES: usize = 1 << 16;

/// Reads a whole CSV (header line first) from its bytes.
pub fn read_table(bytes: &[u8]) -> Result<Table> {
    read_table_from(bytes, |_| {})
}

/// Reads a CSV from `source` in pieces, calling `progress` with the bytes of `source` consumed so
/// far now and then, and once at the end, so a large file can show a progress bar. The table is
/// the same however the source cuts the file. A file that is not UTF-8 gets a note saying how it
/// was read.
pub fn read_table_from(source: impl Read, mut progress: impl FnMut(u64)) -> Result<Table> {
    let consumed = Cell::new(0);
    let (mut decoded, charset) = text::open(Counted { source, consumed: &consumed })?;
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    decoded.by_ref().take(SNIFF_BYTES as u64).read_to_end(&mut head)?;
    let delimiter = sniff_delimiter(&head);
    let scan = Scan::new(io::Cursor::new(head).chain(decoded), delimiter);
    let mut csv =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).buffer_capacity(BUFFER_BYTES).from_reader(scan);
    let mut record = csv::ByteRecord::new();
    if !next_record(&mut csv, &mut record)? {
        return Err(Error::EmptyFile);
    }
    let mut cells = Cells { columns: Vec::new(), latin: false };
    cells.header(&record)?;
    let mut rows = 0u64;
    while next_record(&mut csv, &mut record)? {
        rows += 1;
        cells.push_row(&record, rows).map_err(|e| {
            // A record that ran to the end of the text inside a quote fails for that reason.
            let to_the_end = csv.get_ref().delivered() == Some(csv.position().byte());
            to_the_end.then(|| unclosed_quote(csv.get_ref(), &cells.columns, rows)).flatten().unwrap_or(e)
        })?;
        if (rows as usize).is_multiple_of(PROGRESS_EVERY_ROWS) {
            progress(consumed.get());
        }
    }
    if let Some(error) = unclosed_quote(csv.get_ref(), &cells.columns, rows) {
        return Err(error);
    }
    if rows == 0 {
        return Err(Error::NoRows);
    }
    progress(consumed.get());
    let charset = if cells.latin { Charset::Windows1252 } else { charset };
    let mut columns = cells.columns;
    columns.iter_mut().for_each(Column::seal);
    Ok(Table { columns, delimiter, notes: charset.note().into_iter().collect() })
}

/// A source that counts the bytes taken from it, for the progress bar.
struct Counted<'a, R> {
    source: R,
    consumed: &'a Cell<u64>,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.source.read(buf)?;
        self.consumed.set(self.consumed.get() + n as u64);
        Ok(n)
    }
}

fn next_record<R: Read>(csv: &mut csv::Reader<Scan<R>>, record: &mut csv::ByteRecord) -> Result<bool> {
    csv.read_byte_record(record).map_err(|e| {
        let (line, message) = (e.position().map_or(0, |p| p.line()), e.to_string());
        match e.into_kind() {
            csv::ErrorKind::Io(io) => csv.get_ref().refusal().unwrap_or_else(|| Error::from(io)),
            _ => Error::Csv { line, message },
        }
    })
}

/// The columns being filled, and how their text is read: as UTF-8 until a field is not, then
/// (the file being Windows-1252, as older exports are) every value read so far and every later
/// one as Windows-1252 — what reading the whole file as such would give, without holding it.
/// (Only a value that UTF-8 trimmed of a Unicode space at its ends can differ: its ends stay trimmed.)
struct Cells {
    columns: Vec<Column>,
    latin: bool,
}

impl Cells {
    /// The header's column names, each checked against the others in constant time (a set), so a
    /// header of 100,000 columns is read in the time of its bytes.
    fn header(&mut self, record: &csv::ByteRecord) -> Result<()> {
        check_line(record, 0)?;
        if record.len() > limits::MAX_COLUMNS {
            let message = format!("the header has {} columns, over the limit of {}", record.len(), limits::MAX_COLUMNS);
            return Err(Error::Csv { line: 1, message });
        }
        self.latin = record.iter().any(|field| std::str::from_utf8(field).is_err());
        self.columns = record
            .iter()
            .enumerate()
            .map(|(i, field)| {
                let name = self.text(field);
                let name = name.trim();
                Column::new(if name.is_empty() { format!("column_{}", i + 1) } else { name.to_string() })
            })
            .collect();
        self.check_names()
    }

    fn check_names(&self) -> Result<()> {
        let mut seen = std::collections::HashSet::with_capacity(self.columns.len());
        match self.columns.iter().find(|&c| !seen.insert(Name(&c.name))) {
            Some(twice) => Err(Error::DuplicateColumn(twice.name.clone())),
            None => Ok(()),
        }
    }

    /// A field as text: UTF-8, or Windows-1252 once the file has shown it is that.
    fn text<'a>(&self, field: &'a [u8]) -> std::borrow::Cow<'a, str> {
        match std::str::from_utf8(field) {
            Ok(text) if !self.latin || field.is_ascii() => text.into(),
            _ => windows_1252(field).into(),
        }
    }

    fn push_row(&mut self, record: &csv::ByteRecord, row: u64) -> Result<()> {
        let line = record.position().map_or(0, |p| p.line());
        check_line(record, row)?;
        if record.len() != self.columns.len() {
            return Err(Error::FieldCount { row, line, expected: self.columns.len(), found: record.len() });
        }
        if !self.latin {
            // One check of the row's text, then its fields are slices of it: each must start and
            // end between characters (the row joins its fields without delimiters, so Latin-1
            // fields side by side, like `CAFÉ,°C`, can join into valid UTF-8).
            let between =
                |text: &str, i: usize| record.range(i).is_some_and(|r| text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
            if let Ok(text) = std::str::from_utf8(record.as_slice())
                && (0..record.len()).all(|i| between(text, i))
            {
                for (i, column) in self.columns.iter_mut().enumerate() {
                    column.push(record.range(i).map_or("", |range| &text[range]));
                }
                return Ok(());
            }
            self.latin = true;
            self.columns.iter_mut().for_each(|column| column.recode(|value| windows_1252(value.as_bytes())));
            self.check_names()?;
        }
        for (i, field) in record.iter().enumerate() {
            let text = self.text(field);
            self.columns[i].push(&text);
        }
        Ok(())
    }
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

/// When the file ended inside a quoted field, the error naming where the quote opened: the
/// record holding it, the last one read (`row`), ran to the end of the file.
fn unclosed_quote<R: Read>(scan: &Scan<R>, columns: &[Column], row: u64) -> Option<Error> {
    let open = scan.open_quote()?;
    let column = columns.get(open.field).map_or_else(|| format!("field {}", open.field + 1), |c| format!("column '{}'", c.name));
    let record = if row == 0 { "the header".to_string() } else { format!("row {row}") };
    Some(Error::Csv {
        line: open.line,
        message: format!("{record}, {column}: a quote opens here and is never closed, so the rest of the file would be one value"),
    })
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
    fn a_quote_left_open_is_named_whatever_the_line_ends_and_latin_1_fields_side_by_side_are_read() {
        let crlf = read(b"a,b,c\r\n1,2,3\r\n\"4,5,6\r\n7,8,9\r\n").unwrap_err().to_string();
        assert_eq!(crlf, "line 3: row 2, column 'a': a quote opens here and is never closed, so the rest of the file would be one value");
        // Line 1 throughout (lone CRs): the short row 2 is the error, not row 3's quote.
        let cr = read(b"a,b,c\r1,2,3\r4,5\r\"6,7,8\r").unwrap_err();
        assert_eq!(cr.to_string(), "row 2 (line 1): expected 3 fields like the header, found 2");
        // "CAFÉ,°C" in Latin-1: the two fields joined (C9 B0) are valid UTF-8, each alone is not.
        let latin = read(b"a,b\n1,2\nCAF\xC9,\xB0C\n").unwrap();
        assert_eq!((values(&latin, 0), values(&latin, 1)), (vec![Some("1"), Some("CAFÉ")], vec![Some("2"), Some("°C")]));
    }

    #[test]
    fn a_nul_byte_is_refused_with_its_line() {
        let error = read(b"a,b\n1,2\n3,x\x00y\n").unwrap_err();
        assert_eq!(error.to_string(), "line 3: a NUL byte (\\0): this is not a text file, or it is damaged");
    }

    /// `bytes` handed over `size` bytes at a time, as a dropped file's pieces are.
    struct Pieces<'a> {
        bytes: &'a [u8],
        size: usize,
    }

    impl Read for Pieces<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.size.min(buf.len()).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    /// Every column's name, values and codes, the delimiter and the notes.
    type Outcome = (Vec<(String, Vec<Box<str>>, Vec<u32>)>, u8, Vec<String>);

    /// What a read gives, to compare: the table as [`Outcome`], or the error's kind and words.
    fn outcome(read: Result<Table>) -> std::result::Result<Outcome, String> {
        let table = read.map_err(|e| format!("{}: {e}", e.kind()))?;
        let columns = table.columns.into_iter().map(|c| (c.name, c.values, c.codes)).collect();
        Ok((columns, table.delimiter, table.notes))
    }

    /// Files that cut badly: quotes and multi-line values across pieces, UTF-8 sequences, CRLF,
    /// UTF-16 with a surrogate pair, Windows-1252 found only after the first 64 KB, every error.
    fn fixtures() -> Vec<Vec<u8>> {
        let mut files: Vec<Vec<u8>> = [
            &b"a,b,c\n1,x,2.5\n3,y,4\n"[..],
            b"a;b\n1,5;2,25\n3,0;4,75\n",
            b"id,genres\n1,Comedy|Romance\n2,Drama\n",
            "\u{feff}\"naïve, name\",città\r\n\"x, \"\"quoted\"\"\",Zürich\r\n\"multi\nline\",東京\r\n".as_bytes(),
            b"a,b\nNA,1\n?,\nnull,None\nNaN,2\n",
            b"",
            b"\xEF\xBB\xBF\n\n",
            b"a,b,c",
            b"a,b,c\n1,2,3\n4,5\n",
            b"a,a\n1,2\n",
            b"a,b\n1,2\n\"3,4\n5,6\n",
            b"a,\"b\n1,2\n",
            b"a,b\n\"x \"\"q\"\"\",2\nab\"c,3\n\"multi\nline\",4",
            b"a,b\n1,2\n3,x\x00y\n",
            b"a,b\n1,ok\n2,Caf\xe9\n",
            b"a,b\r1,2\r3,4\r",
            b"a,b\n1,2\nCAF\xC9,\xB0C\n",
            b"a,b,c\r\n1,2,3\r\n\"4,5,6\r\n7,8,9\r\n",
            b"a,b,c\r1,2,3\r4,5\r\"6,7,8\r",
        ]
        .iter()
        .map(|f| f.to_vec())
        .collect();
        let text = "name,city\nAnn,Zürich 😀\n\"Bo\r\nb\",東京\n";
        for unit in [u16::to_le_bytes, u16::to_be_bytes] {
            let mark = if unit(1)[0] == 1 { [0xFF, 0xFE] } else { [0xFE, 0xFF] };
            let mut utf16: Vec<u8> = mark.into_iter().chain(text.encode_utf16().flat_map(unit)).collect();
            files.push(utf16.clone());
            utf16.push(b'x');
            files.push(utf16);
        }
        let mut late = String::from("city,label\n");
        (0..8000).for_each(|i| late.push_str(&format!("Zürich {i},\"{}\r\n\"\r\n", i % 2)));
        let mut late = late.into_bytes();
        late.extend_from_slice(b"Caf\xe9,1\r\n");
        files.push(late.clone());
        late.extend_from_slice(b"end,\"1\r\n");
        files.push(late);
        files.push(include_bytes!("../../data/adult.csv").to_vec());
        files
    }

    #[test]
    fn a_parse_is_the_same_however_the_source_cuts_the_file() {
        for file in fixtures() {
            let whole = outcome(read(&file));
            for size in [1, 2, 3, 5, 7, 64, 4099, 65_537] {
                let pieces = outcome(read_table_from(Pieces { bytes: &file, size }, |_| {}));
                assert!(pieces == whole, "{size}-byte pieces of {:?}", String::from_utf8_lossy(&file[..file.len().min(60)]));
            }
        }
    }

    #[test]
    fn a_file_found_to_be_windows_1252_late_reads_as_if_decoded_whole() {
        for file in fixtures() {
            let (text, charset) = crate::data::decode(&file);
            let (Ok((columns, delimiter, notes)), Ok((decoded, _, _))) = (outcome(read(&file)), outcome(read(text.as_bytes()))) else {
                continue;
            };
            assert_eq!(columns, decoded, "{:?}", String::from_utf8_lossy(&file[..file.len().min(60)]));
            assert_eq!(notes, charset.note().into_iter().collect::<Vec<_>>());
            assert_ne!(delimiter, 0);
        }
        let mut late = fixtures().into_iter().find(|f| f.ends_with(b"Caf\xe9,1\r\n")).unwrap();
        assert!(late.len() > SNIFF_BYTES + BUFFER_BYTES);
        let table = read(&late).unwrap();
        assert_eq!((table.columns[0].get(0), table.columns[0].get(8000)), (Some("ZÃ¼rich 0"), Some("Café")));
        late.extend_from_slice(b"\xff,2\n");
        assert_eq!(read(&late).unwrap().rows(), 8002);
    }

    #[test]
    fn progress_reports_bytes() {
        let mut text = String::from("a,b\n");
        for i in 0..70_000 {
            text.push_str(&format!("{i},x\n"));
        }
        let mut seen = Vec::new();
        let t = read_table_from(text.as_bytes(), |b| seen.push(b)).unwrap();
        assert_eq!(t.rows(), 70_000);
        assert!(seen.len() >= 3 && seen.windows(2).all(|w| w[0] <= w[1]));
        // Read in pieces: the first rows were counted when less than two thirds of the text was read.
        assert!(seen[0] < text.len() as u64 * 2 / 3, "{seen:?} of {}", text.len());
        assert_eq!(*seen.last().unwrap(), text.len() as u64);
    }
}
