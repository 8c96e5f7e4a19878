//! One input column's fitted encoding: a vocabulary, a token vocabulary, or numeric buckets.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::Role;
use crate::data::{Column, ColumnKind, MISSING, quantile_edges};
use crate::{Error, Result, limits};

/// The reserved id for missing and unseen values, in every vocabulary and bucket set.
pub const UNKNOWN: u32 = 0;

/// The embedding size for a vocabulary of `cardinality` ids: 6·n^¼ (the rule of thumb from
/// Google's feature-column guide), rounded up to a power of two and kept within 4..=32, so a
/// two-valued column gets 8 and a 1,000-value id gets 32. Few distinct sizes also means few
/// embedding tables to look up per step.
pub fn default_embedding_dim(cardinality: usize) -> usize {
    let rule = (6.0 * (cardinality as f64).powf(0.25)).ceil() as usize;
    rule.next_power_of_two().clamp(4, 32)
}

/// How a column's values become ids (and, for numbers, a standardized value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Encoding {
    /// Each value seen in training gets id `1 + index`.
    Vocab { values: Vec<String> },
    /// Each `|`-separated token seen in training gets id `1 + index`; a cell keeps at most
    /// `max_tokens` tokens.
    Tokens { tokens: Vec<String>, max_tokens: usize },
    /// Bucket id `1 + (number of edges <= x)`; deep value `(x - mean) / std`.
    Numeric { edges: Vec<f64>, mean: f64, std: f64 },
}

/// A column as the model sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// The column name.
    pub column: String,
    /// The kind it was encoded as.
    pub kind: ColumnKind,
    /// Which parts it feeds (crosses may use an ignored field).
    pub role: Role,
    /// The fitted encoding.
    pub encoding: Encoding,
}

/// A column mapped through a field: the ids (and value) of every row, found without hashing
/// strings per row.
pub struct FieldColumn<'a> {
    codes: &'a [u32],
    ids: Vec<Vec<u32>>,
    values: Vec<f32>,
}

impl FieldColumn<'_> {
    /// The ids of `row` (one, or one per token); `[UNKNOWN]` when missing.
    pub fn ids(&self, row: usize) -> &[u32] {
        match self.codes[row] {
            MISSING => &[UNKNOWN],
            code => &self.ids[code as usize],
        }
    }

    /// The standardized value of `row` (0, the mean, when missing or not numeric).
    pub fn value(&self, row: usize) -> f32 {
        match self.codes[row] {
            MISSING => 0.0,
            code => self.values.get(code as usize).copied().unwrap_or(0.0),
        }
    }
}

impl Field {
    /// Fits the encoding on the rows `rows` of `column`.
    pub fn fit(
        column: &Column,
        kind: ColumnKind,
        role: Role,
        rows: &[usize],
        quantiles: usize,
        edges: Option<&[f64]>,
        max_tokens: usize,
    ) -> Self {
        let encoding = match kind {
            ColumnKind::Numeric => fit_numeric(column, rows, quantiles, edges),
            ColumnKind::MultiCategorical => fit_tokens(column, rows, max_tokens),
            _ => fit_vocab(column, rows),
        };
        Self { column: column.name.clone(), kind, role, encoding }
    }

    /// Number of ids, the reserved one included.
    pub fn cardinality(&self) -> usize {
        1 + match &self.encoding {
            Encoding::Vocab { values } => values.len(),
            Encoding::Tokens { tokens, .. } => tokens.len(),
            Encoding::Numeric { edges, .. } => edges.len() + 1,
        }
    }

    /// Slots a row needs: one, or `max_tokens` for multi-valued fields.
    pub fn slots(&self) -> usize {
        match &self.encoding {
            Encoding::Tokens { max_tokens, .. } => *max_tokens,
            _ => 1,
        }
    }

    /// Whether the deep part embeds this field (as opposed to reading its number).
    pub fn embedded(&self) -> bool {
        !matches!(self.encoding, Encoding::Numeric { .. })
    }

    /// Maps every distinct value of `column` once, for fast per-row lookups.
    pub fn map_column<'a>(&self, column: &'a Column) -> FieldColumn<'a> {
        let (ids, values) = match &self.encoding {
            Encoding::Vocab { values } => {
                let lookup = index(values);
                (column.values.iter().map(|v| vec![lookup.get(&**v).copied().unwrap_or(UNKNOWN)]).collect(), Vec::new())
            }
            Encoding::Tokens { tokens, max_tokens } => {
                let lookup = index(tokens);
                let ids = column.values.iter().map(|v| token_ids(v, &lookup, *max_tokens)).collect();
                (ids, Vec::new())
            }
            Encoding::Numeric { edges, mean, std } => column
                .values
                .iter()
                .map(|v| match crate::data::parse_number(v) {
                    Some(x) => (vec![1 + edges.partition_point(|&e| e <= x) as u32], standardize(x, *mean, *std)),
                    None => (vec![UNKNOWN], 0.0),
                })
                .unzip(),
        };
        FieldColumn { codes: &column.codes, ids, values }
    }

    /// The value behind id `id` of this field: `Doctorate`, a token, or a range like `[25,30)`.
    pub fn value_name(&self, id: u32) -> String {
        let i = id as usize;
        match &self.encoding {
            _ if id == UNKNOWN => "(missing or unseen)".to_string(),
            Encoding::Vocab { values } => values[i - 1].clone(),
            Encoding::Tokens { tokens, .. } => tokens[i - 1].clone(),
            Encoding::Numeric { edges, .. } => bucket_name(edges, i - 1),
        }
    }

    /// The human name of id `id` of this field, like `education=Doctorate` (for showing learned
    /// weights).
    pub fn describe_id(&self, id: u32) -> String {
        format!("{}={}", self.column, self.value_name(id))
    }
}

impl Field {
    /// Checks a field read from a saved model before anything is sized by it: a scale of zero or
    /// a non-finite number would make every prediction NaN, and a huge token count would make
    /// every row that wide.
    pub fn check(&self) -> Result<()> {
        let bad = |problem: String| Err(Error::ModelFile(format!("column '{}': {problem}", self.column)));
        match &self.encoding {
            Encoding::Numeric { mean, std, .. } if !(mean.is_finite() && std.is_finite() && *std > 0.0) => {
                bad(format!("its mean {mean} and scale {std} must be finite, and the scale above zero"))
            }
            Encoding::Numeric { edges, .. } if edges.iter().any(|e| !e.is_finite()) || edges.windows(2).any(|w| w[0] >= w[1]) => {
                bad("its bucket edges must be finite and strictly increasing".into())
            }
            Encoding::Tokens { max_tokens, .. } if !(1..=limits::MAX_TOKENS).contains(max_tokens) => {
                bad(format!("it keeps {max_tokens} tokens per cell; the limit is 1 to {}", limits::MAX_TOKENS))
            }
            _ => Ok(()),
        }
    }
}

/// `(x - mean) / std`, finite for any finite `x` (where the difference overflows, computed as
/// `x/std - mean/std`) and within ±[`limits::MAX_STANDARDIZED`]: a value far outside the training
/// range (1e308 against ages) would otherwise become infinite in the model's 32-bit floats.
fn standardize(x: f64, mean: f64, std: f64) -> f32 {
    let z = match (x - mean) / std {
        z if z.is_finite() => z,
        _ => x / std - mean / std,
    };
    z.clamp(-limits::MAX_STANDARDIZED, limits::MAX_STANDARDIZED) as f32
}

fn index(values: &[String]) -> FxHashMap<&str, u32> {
    values.iter().enumerate().map(|(i, v)| (v.as_str(), 1 + i as u32)).collect()
}

fn token_ids(cell: &str, lookup: &FxHashMap<&str, u32>, max_tokens: usize) -> Vec<u32> {
    let ids: Vec<u32> = split_tokens(cell).take(max_tokens).map(|t| lookup.get(t).copied().unwrap_or(UNKNOWN)).collect();
    if ids.is_empty() { vec![UNKNOWN] } else { ids }
}

fn split_tokens(cell: &str) -> impl Iterator<Item = &str> {
    cell.split('|').map(str::trim).filter(|t| !t.is_empty())
}

fn bucket_name(edges: &[f64], bucket: usize) -> String {
    match (bucket.checked_sub(1).map(|b| edges[b]), edges.get(bucket)) {
        (None, Some(hi)) => format!("<{hi}"),
        (Some(lo), Some(hi)) => format!("[{lo},{hi})"),
        (Some(lo), None) => format!(">={lo}"),
        (None, None) => "any".to_string(),
    }
}

/// Values seen in training, most frequent first (ties by first appearance), so ids are stable
/// and the vocabulary reads well.
fn fit_vocab(column: &Column, rows: &[usize]) -> Encoding {
    let counts = code_counts(column, rows);
    let mut order: Vec<usize> = (0..counts.len()).filter(|&c| counts[c] > 0).collect();
    order.sort_by_key(|&c| std::cmp::Reverse(counts[c]));
    Encoding::Vocab { values: order.iter().map(|&c| column.values[c].to_string()).collect() }
}

fn fit_tokens(column: &Column, rows: &[usize], cap: usize) -> Encoding {
    let counts = code_counts(column, rows);
    let mut token_counts: FxHashMap<&str, (usize, usize)> = FxHashMap::default();
    let mut widest = 1;
    for (code, &n) in counts.iter().enumerate().filter(|(_, n)| **n > 0) {
        let tokens: Vec<&str> = split_tokens(&column.values[code]).collect();
        widest = widest.max(tokens.len());
        for t in tokens {
            let next = token_counts.len();
            token_counts.entry(t).or_insert((0, next)).0 += n;
        }
    }
    let mut tokens: Vec<(&str, (usize, usize))> = token_counts.into_iter().collect();
    tokens.sort_by_key(|&(_, (n, first))| (std::cmp::Reverse(n), first));
    Encoding::Tokens { tokens: tokens.into_iter().map(|(t, _)| t.to_string()).collect(), max_tokens: widest.min(cap) }
}

fn fit_numeric(column: &Column, rows: &[usize], quantiles: usize, edges: Option<&[f64]>) -> Encoding {
    let numbers: Vec<Option<f64>> = column.values.iter().map(|v| crate::data::parse_number(v)).collect();
    let mut xs: Vec<f64> = rows.iter().map(|&r| column.codes[r]).filter(|&c| c != MISSING).filter_map(|c| numbers[c as usize]).collect();
    let (mean, std) = mean_and_std(&xs);
    let edges = match edges {
        Some(edges) => edges.to_vec(),
        None => {
            xs.sort_by(f64::total_cmp);
            quantile_edges(&xs, quantiles)
        }
    };
    Encoding::Numeric { edges, mean, std }
}

/// The mean and standard deviation (1 when the values do not vary), finite for any finite
/// values: where the sums overflow (values like 1e308), computed again on the values divided by
/// the largest magnitude.
fn mean_and_std(xs: &[f64]) -> (f64, f64) {
    let moments = |scale: f64| {
        let n = xs.len().max(1) as f64;
        let mean = xs.iter().map(|x| x / scale).sum::<f64>() / n;
        let var = xs.iter().map(|x| (x / scale - mean).powi(2)).sum::<f64>() / n;
        (mean * scale, var.sqrt() * scale)
    };
    let (mean, std) = match moments(1.0) {
        (mean, std) if mean.is_finite() && std.is_finite() => (mean, std),
        _ => moments(xs.iter().fold(0f64, |m, x| m.max(x.abs()))),
    };
    (mean, if std > 0.0 { std } else { 1.0 })
}

fn code_counts(column: &Column, rows: &[usize]) -> Vec<usize> {
    let mut counts = vec![0usize; column.values.len()];
    for c in rows.iter().map(|&r| column.codes[r]).filter(|&c| c != MISSING) {
        counts[c as usize] += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(values: &[&str]) -> Column {
        let mut c = Column::new("c");
        values.iter().for_each(|v| c.push(v));
        c
    }

    fn all(n: usize) -> Vec<usize> {
        (0..n).collect()
    }

    #[test]
    fn embedding_dim_rule() {
        assert_eq!([2, 3, 17, 43, 944, 1683, 100_000].map(default_embedding_dim), [8, 8, 16, 16, 32, 32, 32]);
    }

    #[test]
    fn vocab_reserves_zero_for_missing_and_unseen() {
        let train = column(&["b", "a", "b", "NA"]);
        let f = Field::fit(&train, ColumnKind::Categorical, Role::Both, &all(4), 10, None, 16);
        assert_eq!(f.encoding, Encoding::Vocab { values: vec!["b".into(), "a".into()] });
        assert_eq!(f.cardinality(), 3);
        let other = column(&["a", "zzz", "?", "b"]);
        let m = f.map_column(&other);
        assert_eq!((0..4).map(|r| m.ids(r)[0]).collect::<Vec<_>>(), [2, 0, 0, 1]);
        assert_eq!(f.describe_id(2), "c=a");
    }

    #[test]
    fn vocab_uses_training_rows_only() {
        let c = column(&["a", "b", "c"]);
        let f = Field::fit(&c, ColumnKind::Categorical, Role::Both, &[0, 2], 10, None, 16);
        assert_eq!(f.map_column(&c).ids(1), [UNKNOWN]);
    }

    #[test]
    fn tokens_split_on_pipes_and_cap() {
        let c = column(&["Comedy|Romance", "Drama", "Comedy|Drama|War", ""]);
        let f = Field::fit(&c, ColumnKind::MultiCategorical, Role::Both, &all(4), 10, None, 2);
        assert_eq!(f.slots(), 2);
        let m = f.map_column(&c);
        let comedy = m.ids(0)[0];
        assert_eq!(m.ids(0).len(), 2);
        assert_eq!(m.ids(2)[0], comedy);
        assert_eq!(m.ids(2).len(), 2, "capped at max_tokens");
        assert_eq!(m.ids(3), [UNKNOWN]);
    }

    #[test]
    fn numeric_buckets_and_standardization() {
        let c = column(&["1", "2", "3", "4", "NA"]);
        let f = Field::fit(&c, ColumnKind::Numeric, Role::Both, &all(5), 4, None, 16);
        let Encoding::Numeric { edges, mean, std } = &f.encoding else { panic!() };
        assert_eq!(edges, &[2.0, 3.0, 4.0]);
        assert_eq!(*mean, 2.5);
        assert!((std - 1.25f64.sqrt()).abs() < 1e-12);
        let m = f.map_column(&c);
        assert_eq!((0..5).map(|r| m.ids(r)[0]).collect::<Vec<_>>(), [1, 2, 3, 4, 0]);
        assert!((m.value(3) - (1.5 / 1.25f64.sqrt()) as f32).abs() < 1e-6);
        assert_eq!(m.value(4), 0.0);
        assert_eq!(f.describe_id(1), "c=<2");
        assert_eq!(f.describe_id(2), "c=[2,3)");
        assert_eq!(f.describe_id(4), "c=>=4");
    }

    #[test]
    fn explicit_edges_and_constant_numbers() {
        let c = column(&["17", "18", "30", "70"]);
        let f = Field::fit(&c, ColumnKind::Numeric, Role::Both, &all(4), 10, Some(&[18.0, 25.0, 65.0]), 16);
        let m = f.map_column(&c);
        assert_eq!((0..4).map(|r| m.ids(r)[0]).collect::<Vec<_>>(), [1, 2, 3, 4]);
        let k = column(&["5", "5"]);
        let f = Field::fit(&k, ColumnKind::Numeric, Role::Both, &all(2), 10, None, 16);
        let Encoding::Numeric { std, edges, .. } = &f.encoding else { panic!() };
        assert_eq!((*std, edges.len()), (1.0, 0));
    }

    #[test]
    fn huge_numbers_standardize_to_finite_values() {
        let c = column(&["1", "1e308", "-1e308", "2", "1.5e308"]);
        let f = Field::fit(&c, ColumnKind::Numeric, Role::Both, &all(5), 4, None, 16);
        let Encoding::Numeric { mean, std, .. } = f.encoding.clone() else { panic!() };
        assert!(mean.is_finite() && std.is_finite() && std > 1e307, "{mean} {std}");
        let m = f.map_column(&c);
        assert!((0..5).all(|r| m.value(r).is_finite()));
        assert!((m.value(1) - (1e308 / std - mean / std) as f32).abs() < 1e-5, "{}", m.value(1));
        // Far outside the training range (a scored file): clipped, not infinite.
        let narrow = Field::fit(&column(&["1", "2", "3"]), ColumnKind::Numeric, Role::Both, &all(3), 4, None, 16);
        let scored = narrow.map_column(&c);
        assert_eq!((scored.value(1), scored.value(2)), (1e6, -1e6));
    }

    #[test]
    fn a_saved_field_with_a_zero_or_broken_scale_is_refused() {
        let numeric = |mean: f64, std: f64, edges: Vec<f64>| Field {
            column: "age".into(),
            kind: ColumnKind::Numeric,
            role: Role::Both,
            encoding: Encoding::Numeric { edges, mean, std },
        };
        assert_eq!(numeric(1.0, 2.0, vec![1.0, 2.0]).check(), Ok(()));
        for bad in [numeric(1.0, 0.0, vec![]), numeric(f64::NAN, 1.0, vec![]), numeric(1.0, f64::INFINITY, vec![])] {
            let error = bad.check().unwrap_err();
            assert_eq!(error.kind(), "model_file");
            assert!(error.to_string().contains("column 'age'") && error.to_string().contains("scale above zero"), "{error}");
        }
        assert!(numeric(1.0, 1.0, vec![2.0, 1.0]).check().unwrap_err().to_string().contains("strictly increasing"));
        let tokens = Field { encoding: Encoding::Tokens { tokens: vec![], max_tokens: 10_000_000 }, ..numeric(0.0, 1.0, vec![]) };
        assert!(tokens.check().unwrap_err().to_string().contains("10000000 tokens per cell"));
    }
}
