//! Inferring what each column is, so a user gets a sensible model without configuring anything.

use serde::{Deserialize, Serialize};

use super::table::{Column, Table};

/// Integer columns with at most this many distinct values are codes (age groups, occupation
/// ids), not quantities, and are treated as categorical.
pub const MAX_INTEGER_CATEGORIES: usize = 32;
/// Text columns with more distinct values than this are high-cardinality ids.
pub const MAX_CATEGORIES: usize = 64;
/// Share of rows whose value holds a `|` for a column to count as multi-valued.
const MULTI_SHARE: f64 = 0.05;
const EXAMPLES: usize = 3;
/// Names that mark a label column, most telling first: an exact `label` or `target` beats a
/// domain word (`income`, `clicked`), which beats the generic `y` and `class`; a price last (a
/// number: a regression).
const LABEL_NAMES: [&str; 19] = [
    "label",
    "target",
    "income",
    "liked",
    "clicked",
    "click",
    "churn",
    "outcome",
    "survived",
    "converted",
    "default",
    "response",
    "is_positive",
    "purchased",
    "y",
    "class",
    "price",
    "saleprice",
    "median_house_value",
];

/// What a column holds, which decides how it is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Real numbers: quantile buckets in the wide part, standardized in the deep part.
    Numeric,
    /// A small set of values: one wide id each and an embedding.
    Categorical,
    /// Several `|`-separated tokens per cell (like `Comedy|Romance`): one wide id per token and a
    /// mean-pooled embedding.
    MultiCategorical,
    /// Many distinct values (user id, zip code): embedded, never suggested for crosses.
    Id,
    /// Free text: ignored unless the user says otherwise.
    Text,
    /// One value everywhere: carries no information, ignored.
    Constant,
}

impl ColumnKind {
    /// Whether the column becomes vocabulary ids (as opposed to numbers or nothing).
    pub fn is_categorical(self) -> bool {
        matches!(self, Self::Categorical | Self::MultiCategorical | Self::Id)
    }
}

/// What the inspector shows for one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnInfo {
    /// The header text.
    pub name: String,
    /// The inferred kind.
    pub kind: ColumnKind,
    /// Number of distinct non-missing values.
    pub distinct: usize,
    /// Share of rows that are missing, in [0, 1].
    pub missing_share: f64,
    /// The most frequent values.
    pub examples: Vec<String>,
    /// Why the column is ignored by default, when it is.
    pub warning: Option<String>,
}

/// The inferred schema of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    /// Number of data rows.
    pub rows: usize,
    /// One entry per column, in header order.
    pub columns: Vec<ColumnInfo>,
    /// The column that looks like the label, if any.
    pub label: Option<String>,
    /// How the file was read, when the user should know (see [`Table::notes`]).
    #[serde(default)]
    pub notes: Vec<String>,
}

impl Schema {
    /// Infers every column's kind and guesses the label.
    pub fn infer(table: &Table) -> Self {
        let columns: Vec<ColumnInfo> = table.columns.iter().map(infer_column).collect();
        let label = guess_label(&columns);
        Self { rows: table.rows(), columns, label, notes: table.notes.clone() }
    }

    /// The info for `name`, if there is such a column.
    pub fn column(&self, name: &str) -> Option<&ColumnInfo> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// The column whose name ranks first among label names (label, target, income, liked, …, y,
/// class), else the last column with exactly two values.
pub fn guess_label(columns: &[ColumnInfo]) -> Option<String> {
    let named = LABEL_NAMES.iter().find_map(|name| columns.iter().find(|c| c.name.eq_ignore_ascii_case(name) && c.distinct >= 2));
    let binary = || columns.iter().rev().find(|c| c.distinct == 2);
    named.or_else(binary).map(|c| c.name.clone())
}

/// Why [`guess_label`] found nothing, in words: a column named like a label with a single value
/// says so (a file filtered down to one class), else that no column looks like a label.
pub fn no_label_reason(columns: &[ColumnInfo]) -> String {
    let single = LABEL_NAMES.iter().find_map(|name| columns.iter().find(|c| c.name.eq_ignore_ascii_case(name) && c.distinct < 2));
    match single {
        Some(c) if c.distinct == 1 => format!(
            "column '{}' looks like the label but has a single value '{}': nothing to learn",
            c.name,
            c.examples.first().map_or("", String::as_str)
        ),
        Some(c) => format!("column '{}' looks like the label but every value is missing", c.name),
        None => "no column looks like a label (none is named like one, and none has exactly two values)".into(),
    }
}

fn infer_column(column: &Column) -> ColumnInfo {
    let (counts, missing) = column.counts();
    let rows = column.codes.len();
    let present = rows - missing;
    let (kind, warning) = infer_kind(column, &counts, present);
    ColumnInfo {
        name: column.name.clone(),
        kind,
        distinct: column.values.len(),
        missing_share: if rows == 0 { 0.0 } else { missing as f64 / rows as f64 },
        examples: top_values(column, &counts),
        warning,
    }
}

fn infer_kind(column: &Column, counts: &[usize], present: usize) -> (ColumnKind, Option<String>) {
    let distinct = column.values.len();
    if distinct <= 1 {
        let why = if distinct == 0 { "every value is missing" } else { "it has one value everywhere" };
        return (ColumnKind::Constant, Some(format!("ignored: {why}")));
    }
    let numbers: Option<Vec<f64>> = column.values.iter().map(|v| parse_number(v)).collect();
    let id_like = looks_like_id_name(&column.name);
    let kind = match numbers {
        Some(numbers) => {
            let integers = numbers.iter().all(|x| x.fract() == 0.0);
            if integers && id_like {
                ColumnKind::Id
            } else if integers && distinct <= MAX_INTEGER_CATEGORIES {
                ColumnKind::Categorical
            } else {
                ColumnKind::Numeric
            }
        }
        None if multi_share(column, counts, present) >= MULTI_SHARE => ColumnKind::MultiCategorical,
        None if looks_like_text(column) => ColumnKind::Text,
        None if distinct > MAX_CATEGORIES || id_like => ColumnKind::Id,
        None => ColumnKind::Categorical,
    };
    let unique = present >= 20 && distinct * 20 >= present * 19;
    match kind {
        ColumnKind::Text => (kind, Some("ignored: free text".into())),
        ColumnKind::Id if unique => (kind, Some("ignored: a different value on almost every row, like a row key".into())),
        _ => (kind, None),
    }
}

/// Parses a finite number (also `1,5`-free plain forms like `-3`, `2.5e3`).
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|x| x.is_finite())
}

fn looks_like_id_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "id"
        || lower.ends_with("_id")
        || lower.ends_with("-id")
        || lower.ends_with(" id")
        || name.ends_with("Id")
        || name.ends_with("ID")
}

fn multi_share(column: &Column, counts: &[usize], present: usize) -> f64 {
    let with_pipe: usize = column.values.iter().zip(counts).filter(|(v, _)| v.contains('|')).map(|(_, &n)| n).sum();
    if present == 0 { 0.0 } else { with_pipe as f64 / present as f64 }
}

fn looks_like_text(column: &Column) -> bool {
    let sample = &column.values[..column.values.len().min(200)];
    let words: usize = sample.iter().map(|v| v.split_whitespace().count()).sum();
    words as f64 / sample.len() as f64 >= 4.0
}

fn top_values(column: &Column, counts: &[usize]) -> Vec<String> {
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(counts[i]));
    order.iter().take(EXAMPLES).map(|&i| column.values[i].to_string()).collect()
}

/// Distinct quantile cut points of `sorted` (ascending): equal-count buckets where the data
/// allows. The one rule for cutting numbers, used by the encoder, the cross suggestions, the leak
/// guard and the cross map alike.
pub(crate) fn quantile_edges(sorted: &[f64], buckets: usize) -> Vec<f64> {
    let mut edges: Vec<f64> = (1..buckets).filter_map(|q| sorted.get(q * sorted.len() / buckets).copied()).collect();
    edges.dedup();
    edges.retain(|&e| sorted.first().is_some_and(|&lo| e > lo));
    edges
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::read_table;

    fn schema(text: &str) -> Schema {
        Schema::infer(&read_table(text.as_bytes()).unwrap())
    }

    fn kinds(s: &Schema) -> Vec<ColumnKind> {
        s.columns.iter().map(|c| c.kind).collect()
    }

    #[test]
    fn infers_kinds() {
        let mut text = String::from("user_id,age,price,color,genres,note,const,zip,key,liked\n");
        for i in 0..100 {
            let genres = ["Comedy|Romance", "Drama", "Action|War"][i % 3];
            let note = "a rather long free text comment here";
            text.push_str(&format!("{},{},{}.5,c{},{genres},{note} {i},k,Z{i}x,{i},{}\n", i % 40, [1, 18, 25][i % 3], i, i % 5, i % 2));
        }
        let s = schema(&text);
        use ColumnKind::*;
        assert_eq!(kinds(&s), [Id, Categorical, Numeric, Categorical, MultiCategorical, Text, Constant, Id, Numeric, Categorical]);
        assert_eq!(s.label.as_deref(), Some("liked"));
        assert!(s.column("zip").unwrap().warning.as_deref().unwrap().contains("row key"));
        assert!(s.column("note").unwrap().warning.is_some());
        assert!(s.column("const").unwrap().warning.as_deref().unwrap().contains("one value"));
        assert!(s.column("color").unwrap().warning.is_none());
    }

    #[test]
    fn reports_distinct_missing_and_examples() {
        let s = schema("a,b\nx,1\nx,0\ny,NA\nx,1\n");
        let a = s.column("a").unwrap();
        assert_eq!((a.distinct, a.missing_share), (2, 0.0));
        assert_eq!(a.examples, ["x", "y"]);
        let b = s.column("b").unwrap();
        assert_eq!((b.distinct, b.missing_share), (2, 0.25));
    }

    #[test]
    fn label_guess_prefers_names_then_last_binary_column() {
        assert_eq!(schema("income,x,flag\n>50K,1,a\n<=50K,2,b\n").label.as_deref(), Some("income"));
        assert_eq!(schema("flag,x,other\na,1,p\nb,2,q\n").label.as_deref(), Some("other"));
        assert_eq!(schema("x,y2\n1,5\n2,6\n3,7\n").label, None);
        assert_eq!(schema("x,y,label\n1,2,0\n2,3,1\n3,1,0\n").label.as_deref(), Some("label"), "an exact label beats y");
        assert_eq!(schema("class,Target\na,0\nb,1\n").label.as_deref(), Some("Target"), "target beats class, in any case");
    }

    #[test]
    fn a_missing_label_guess_says_why() {
        let one = schema("x,label\n1,yes\n2,yes\n3,yes\n");
        assert_eq!(one.label, None);
        assert_eq!(no_label_reason(&one.columns), "column 'label' looks like the label but has a single value 'yes': nothing to learn");
        let none = schema("x,label\n1,NA\n2,\n");
        assert_eq!(no_label_reason(&none.columns), "column 'label' looks like the label but every value is missing");
        let other = schema("x,z\n1,5\n2,6\n3,7\n");
        assert!(no_label_reason(&other.columns).starts_with("no column looks like a label"));
    }
}
