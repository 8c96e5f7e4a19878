//! Writing a table back out as CSV with an added column (scored files).

use super::Table;

/// The table as CSV text in its own delimiter, with `values` as an extra last column called
/// `name`. Missing cells are written empty.
pub fn csv_with_column(table: &Table, name: &str, values: &[String]) -> String {
    let mut out = csv::WriterBuilder::new().delimiter(table.delimiter).from_writer(Vec::new());
    let header = table.names().into_iter().chain([name]);
    out.write_record(header).expect("writing to memory cannot fail");
    for (row, value) in values.iter().enumerate() {
        let fields = table.columns.iter().map(|c| c.get(row).unwrap_or("")).chain([value.as_str()]);
        out.write_record(fields).expect("writing to memory cannot fail");
    }
    String::from_utf8(out.into_inner().expect("flushing memory cannot fail")).expect("the table's text is UTF-8")
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
}
