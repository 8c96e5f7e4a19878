//! Writing a table back out as CSV with an added column (scored files), safe to open in a
//! spreadsheet.

use std::borrow::Cow;

use super::Table;
use super::schema::parse_number;

/// The table as CSV text in its own delimiter, with `values` as an extra last column called
/// `name`. Missing cells are written empty; every cell and name passes through [`inert`].
pub fn csv_with_column(table: &Table, name: &str, values: &[String]) -> String {
    let mut out = csv::WriterBuilder::new().delimiter(table.delimiter).from_writer(Vec::new());
    let header = table.names().into_iter().chain([name]).map(inert_bytes);
    out.write_record(header).expect("writing to memory cannot fail");
    for (row, value) in values.iter().enumerate() {
        let fields = table.columns.iter().map(|c| c.get(row).unwrap_or("")).chain([value.as_str()]).map(inert_bytes);
        out.write_record(fields).expect("writing to memory cannot fail");
    }
    String::from_utf8(out.into_inner().expect("flushing memory cannot fail")).expect("the table's text is UTF-8")
}

/// A cell a spreadsheet would run as a formula (OWASP's rule: starting with `=`, `+`, `-`, `@`,
/// a tab or a carriage return) gets a leading `'`, so it shows as the text it is; a plain number
/// such as `-3` or `+1.5e3` is left as it is (it is a number to a spreadsheet too).
pub fn inert(cell: &str) -> Cow<'_, str> {
    let active = cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && parse_number(cell).is_none();
    if active { format!("'{cell}").into() } else { cell.into() }
}

/// [`inert`] as the CSV writer takes it, copying only the cells it changes.
fn inert_bytes(cell: &str) -> Cow<'_, [u8]> {
    match inert(cell) {
        Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
        Cow::Owned(text) => Cow::Owned(text.into_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::read_table;

    #[test]
    fn quotes_and_missing_cells_survive() {
        let table = read_table("a;b\n\"x;y\";NA\nz;2\n".as_bytes()).unwrap();
        let text = csv_with_column(&table, "p", &["0.5".into(), "0.25".into()]);
        assert_eq!(text, "a;b;p\n\"x;y\";;0.5\nz;2;0.25\n");
    }

    #[test]
    fn formulas_are_written_as_text_and_numbers_as_numbers() {
        let file = "=name,b\n=HYPERLINK(\"http://x\"),-3\n+cmd|' /C calc'!A0,@SUM(1)\n\"\t=1+2\",+1.5e3\n-1+2,\"\r=2\"\n";
        let table = read_table(file.as_bytes()).unwrap();
        let text = csv_with_column(&table, "p", &["0.1".into(), "0.2".into(), "0.3".into(), "0.4".into()]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "'=name,b,p");
        assert_eq!(lines[1], "\"'=HYPERLINK(\"\"http://x\"\")\",-3,0.1");
        assert_eq!(lines[2], "'+cmd|' /C calc'!A0,'@SUM(1),0.2");
        // A value read trimmed (`\t=1+2` became `=1+2`) is never written back active.
        assert_eq!(lines[3], "'=1+2,+1.5e3,0.3");
        assert_eq!(lines[4], "'-1+2,'=2,0.4");
        assert_eq!(inert("\t=1"), "'\t=1");
        assert_eq!(inert("plain"), "plain");
    }
}
