//! Columns stored as codes into per-column dictionaries of distinct strings.
//!
//! A 1M-row file keeps one `u32` per cell plus each distinct string once, which is what keeps
//! loading under a few hundred MB where a `String` per cell would need gigabytes.

use rustc_hash::FxHashMap;

/// The code of a missing cell.
pub const MISSING: u32 = u32::MAX;

/// Whether a (trimmed) cell means "no value": empty, NA, N/A, NaN, ?, null or None.
pub fn is_missing_token(value: &str) -> bool {
    matches!(value, "" | "?") || ["na", "n/a", "nan", "null", "none"].iter().any(|t| value.eq_ignore_ascii_case(t))
}

/// One column: its name, its distinct values, and a code per row.
#[derive(Debug, Clone, Default)]
pub struct Column {
    /// The header text.
    pub name: String,
    /// Distinct non-missing values, in order of first appearance.
    pub values: Vec<Box<str>>,
    /// For each row, an index into `values`, or [`MISSING`].
    pub codes: Vec<u32>,
    lookup: FxHashMap<Box<str>, u32>,
}

impl Column {
    /// An empty column ready to receive cells.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), ..Self::default() }
    }

    /// Appends one cell, interning its text; missing tokens become [`MISSING`].
    pub fn push(&mut self, raw: &str) {
        let code = self.intern(raw);
        self.codes.push(code);
    }

    /// The code of `raw` trimmed, added to the values when new.
    fn intern(&mut self, raw: &str) -> u32 {
        let value = raw.trim();
        if is_missing_token(value) {
            MISSING
        } else if let Some(&code) = self.lookup.get(value) {
            code
        } else {
            let code = self.values.len() as u32;
            self.values.push(value.into());
            self.lookup.insert(value.into(), code);
            code
        }
    }

    /// Reads every value again through `recode`, for a file found to be Windows-1252 after its
    /// first rows were read as UTF-8 (see `data::csv`); values that become equal become one.
    pub(crate) fn recode(&mut self, recode: impl Fn(&str) -> String) {
        self.name = recode(&self.name).trim().to_string();
        let old = std::mem::take(&mut self.values);
        self.lookup.clear();
        let codes: Vec<u32> = old.iter().map(|value| self.intern(&recode(value))).collect();
        for code in self.codes.iter_mut().filter(|c| **c != MISSING) {
            *code = codes[*code as usize];
        }
    }

    /// Drops the interning map once loading is done; it is not needed to read the column.
    pub fn seal(&mut self) {
        self.lookup = FxHashMap::default();
    }

    /// The value of `row`, or `None` when missing.
    pub fn get(&self, row: usize) -> Option<&str> {
        match self.codes[row] {
            MISSING => None,
            code => Some(&self.values[code as usize]),
        }
    }

    /// How many rows use each distinct value (same order as `values`), and how many are missing.
    pub fn counts(&self) -> (Vec<usize>, usize) {
        let mut counts = vec![0usize; self.values.len()];
        let mut missing = 0;
        for &code in &self.codes {
            match code {
                MISSING => missing += 1,
                code => counts[code as usize] += 1,
            }
        }
        (counts, missing)
    }
}

/// A whole CSV file, column by column.
#[derive(Debug, Clone)]
pub struct Table {
    /// The columns in header order.
    pub columns: Vec<Column>,
    /// The field delimiter that was detected.
    pub delimiter: u8,
    /// What the reader did that the user should know: an encoding other than UTF-8, the
    /// MovieLens files it joined.
    pub notes: Vec<String>,
}

impl Table {
    /// The number of data rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.codes.len())
    }

    /// The column called `name`, or an error listing the columns there are.
    pub fn column(&self, name: &str) -> crate::Result<&Column> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| crate::Error::UnknownColumn { name: name.to_string(), available: self.names_listed() })
    }

    /// The first header names, joined for a message, with how many more there are: a file of
    /// 100,000 columns names a few, not all.
    pub fn names_listed(&self) -> String {
        const SHOWN: usize = 20;
        let names = self.names();
        let listed = names[..names.len().min(SHOWN)].join(", ");
        match names.len().saturating_sub(SHOWN) {
            0 => listed,
            more => format!("{listed} and {more} more"),
        }
    }

    /// The header names.
    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_tokens() {
        for t in ["", "NA", "na", "N/A", "NaN", "nan", "?", "null", "NULL", "None"] {
            assert!(is_missing_token(t), "{t}");
        }
        for t in ["0", "Nancy", "-", "none of them"] {
            assert!(!is_missing_token(t), "{t}");
        }
    }

    #[test]
    fn interning_and_counts() {
        let mut c = Column::new("x");
        for v in ["a", " b ", "a", "NA", "b", "c"] {
            c.push(v);
        }
        c.seal();
        assert_eq!(c.values.iter().map(|v| &**v).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(c.codes, [0, 1, 0, MISSING, 1, 2]);
        assert_eq!(c.counts(), (vec![2, 2, 1], 1));
        assert_eq!(c.get(1), Some("b"));
        assert_eq!(c.get(3), None);
    }
}
