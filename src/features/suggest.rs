//! Suggesting crosses: pairs of columns that say more about the label together than apart.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::{FeatureConfig, Role, quantile_edges};
use crate::data::{Column, ColumnKind, MISSING, Schema, Table, parse_number};

/// Rows sampled to rank pairs: enough for stable counts, fast on any file.
const SAMPLE: usize = 20_000;
/// Columns with more values than this make crosses too sparse to suggest.
const MAX_VALUES: usize = 64;
/// Numbers are cut into this many quantile buckets for ranking.
const NUMBER_BUCKETS: usize = 5;
/// Pairs are ranked among this many columns, the most informative alone: a file of 100,000
/// columns would otherwise have 5 billion pairs (and hold every column's codes at once).
const MAX_CANDIDATES: usize = 64;

/// A cross worth trying, with its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The two columns.
    pub columns: Vec<String>,
    /// Bits of information about the label that the pair carries beyond its better single
    /// column (bias-corrected), on a sample of rows: the part only a cross can memorize.
    pub gain: f64,
}

/// The `max` best pairs of low-cardinality columns, best first, scored on up to 20,000 of `rows`
/// (the training rows: the test rows must not choose the model), among the
/// [`MAX_CANDIDATES`] columns that say most about the label alone. Columns are taken as the user
/// configured them: kind overrides apply, and columns whose role is ignore are not suggested.
pub fn suggest_crosses(
    table: &Table,
    schema: &Schema,
    config: &FeatureConfig,
    targets: &[Option<bool>],
    rows: &[usize],
    max: usize,
) -> Vec<Suggestion> {
    let labelled: Vec<usize> = rows.iter().copied().filter(|&r| targets[r].is_some()).collect();
    let rows: Vec<usize> = labelled.iter().step_by(labelled.len().div_ceil(SAMPLE).max(1)).copied().collect();
    let y: Vec<bool> = rows.iter().map(|&r| targets[r] == Some(true)).collect();
    let columns = table
        .columns
        .iter()
        .zip(&schema.columns)
        .filter(|(c, info)| c.name != config.label && config.role_of(info) != Role::Ignore)
        .filter_map(|(c, info)| codes(c, config.kind_of(info), &rows).map(|codes| (c.name.as_str(), codes)));
    let candidates = most_informative(columns, &y);
    let mut suggestions = Vec::new();
    for (i, (a, a_codes, a_alone)) in candidates.iter().enumerate() {
        for (b, b_codes, b_alone) in &candidates[i + 1..] {
            let pair = a_codes.iter().zip(b_codes).map(|(&a, &b)| (a as u64) << 32 | b as u64);
            let gain = information(pair, &y) - a_alone.max(*b_alone);
            suggestions.push(Suggestion { columns: vec![a.to_string(), b.to_string()], gain });
        }
    }
    suggestions.sort_by(|a, b| b.gain.total_cmp(&a.gain));
    suggestions.truncate(max);
    suggestions
}

/// The [`MAX_CANDIDATES`] columns with the most information about `y` alone, in their file
/// order, with their codes and that information; at most twice as many are held at once.
fn most_informative<'a>(columns: impl Iterator<Item = (&'a str, Vec<u32>)>, y: &[bool]) -> Vec<(&'a str, Vec<u32>, f64)> {
    let mut kept: Vec<(usize, (&str, Vec<u32>, f64))> = Vec::new();
    let keep_best = |kept: &mut Vec<(usize, (&'a str, Vec<u32>, f64))>| {
        kept.sort_by(|a, b| b.1.2.total_cmp(&a.1.2).then(a.0.cmp(&b.0)));
        kept.truncate(MAX_CANDIDATES);
    };
    for (index, (name, codes)) in columns.enumerate() {
        let alone = information(codes.iter().map(|&c| c as u64), y);
        kept.push((index, (name, codes, alone)));
        if kept.len() == 2 * MAX_CANDIDATES {
            keep_best(&mut kept);
        }
    }
    keep_best(&mut kept);
    kept.sort_by_key(|(index, _)| *index);
    kept.into_iter().map(|(_, candidate)| candidate).collect()
}

/// Small integer codes per sampled row: categorical values as they are, numbers as quantile
/// buckets; `None` for columns that cannot be crossed usefully.
fn codes(column: &Column, kind: ColumnKind, rows: &[usize]) -> Option<Vec<u32>> {
    match kind {
        ColumnKind::Categorical if column.values.len() <= MAX_VALUES => Some(rows.iter().map(|&r| column.codes[r]).collect()),
        ColumnKind::Numeric => {
            let numbers: Vec<Option<f64>> = rows.iter().map(|&r| column.get(r).and_then(parse_number)).collect();
            let mut sorted: Vec<f64> = numbers.iter().flatten().copied().collect();
            sorted.sort_by(f64::total_cmp);
            let edges = quantile_edges(&sorted, NUMBER_BUCKETS);
            Some(numbers.iter().map(|x| x.map_or(MISSING, |x| edges.partition_point(|&e| e <= x) as u32)).collect())
        }
        _ => None,
    }
}

/// Mutual information between `x` and the label in bits, minus the Miller-Madow bias
/// ((cells - 1) / (2 N ln 2)) so that sparse pairs do not look informative by chance.
fn information(x: impl Iterator<Item = u64>, y: &[bool]) -> f64 {
    let mut cells: FxHashMap<u64, [usize; 2]> = FxHashMap::default();
    for (x, &y) in x.zip(y) {
        cells.entry(x).or_default()[usize::from(y)] += 1;
    }
    let n = y.len() as f64;
    let positives = y.iter().filter(|&&p| p).count() as f64;
    let entropy = |counts: [f64; 2]| -> f64 {
        let total = counts[0] + counts[1];
        counts.iter().filter(|&&c| c > 0.0).map(|&c| -(c / total) * (c / total).log2()).sum::<f64>()
    };
    let conditional: f64 = cells.values().map(|c| (c[0] + c[1]) as f64 / n * entropy([c[0] as f64, c[1] as f64])).sum();
    let raw = entropy([n - positives, positives]) - conditional;
    raw - (cells.len() as f64 - 1.0) / (2.0 * n * std::f64::consts::LN_2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{LabelRule, Labels, read_table};
    use crate::rng::Rng;

    #[test]
    fn an_xor_pair_ranks_first() {
        let mut rng = Rng::new(3, 0);
        let mut text = String::from("a,b,c,n,y\n");
        for _ in 0..4000 {
            let (a, b, c) = (rng.below(4), rng.below(4), rng.below(4));
            let y = (a % 2) ^ (b % 2);
            text.push_str(&format!("a{a},b{b},c{c},{:.2},{y}\n", rng.next_f64()));
        }
        let table = read_table(text.as_bytes()).unwrap();
        let schema = Schema::infer(&table);
        let labels = Labels::from_column(table.column("y").unwrap(), &LabelRule::Auto).unwrap();
        let all: Vec<usize> = (0..table.rows()).collect();
        let config = FeatureConfig::for_label("y");
        let s = suggest_crosses(&table, &schema, &config, &labels.yes_no(&all), &all, 3);
        assert_eq!(s[0].columns, ["a", "b"]);
        assert!(s[0].gain > 0.9, "the pair determines the label: {}", s[0].gain);
        assert!(s[1].gain < 0.02, "nothing else interacts: {s:?}");
        assert_eq!(s.len(), 3);
        let without_b = FeatureConfig { roles: [("b".to_string(), Role::Ignore)].into(), ..config.clone() };
        let s = suggest_crosses(&table, &schema, &without_b, &labels.yes_no(&all), &all, 10);
        assert!(s.iter().all(|s| !s.columns.contains(&"b".to_string())), "an ignored column is not suggested: {s:?}");
        let n_as_category = FeatureConfig { kinds: [("n".to_string(), ColumnKind::Categorical)].into(), ..config };
        let s = suggest_crosses(&table, &schema, &n_as_category, &labels.yes_no(&all), &all, 10);
        assert!(s.iter().all(|s| !s.columns.contains(&"n".to_string())), "n has 100 values as a category: too many to cross: {s:?}");
    }

    #[test]
    fn pairs_are_ranked_among_the_most_informative_columns_only() {
        let mut rng = Rng::new(5, 0);
        let header: Vec<String> = (0..150).map(|i| format!("n{i}")).chain(["s".into(), "y".into()]).collect();
        let mut text = header.join(",") + "\n";
        for _ in 0..400 {
            let y = rng.below(2);
            let noise: Vec<String> = (0..150).map(|_| format!("v{}", rng.below(3))).collect();
            text.push_str(&format!("{},s{},{y}\n", noise.join(","), y * 2 + rng.below(2)));
        }
        let table = read_table(text.as_bytes()).unwrap();
        let schema = Schema::infer(&table);
        let labels = Labels::from_column(table.column("y").unwrap(), &LabelRule::Auto).unwrap();
        let all: Vec<usize> = (0..table.rows()).collect();
        let s = suggest_crosses(&table, &schema, &FeatureConfig::for_label("y"), &labels.yes_no(&all), &all, usize::MAX);
        // 150 noise columns and s: pairs among 64 of them (2,016), s among them.
        assert_eq!(s.len(), MAX_CANDIDATES * (MAX_CANDIDATES - 1) / 2);
        assert!(s.iter().any(|s| s.columns.contains(&"s".to_string())));
    }

    #[test]
    fn only_the_given_rows_are_scored() {
        // On the first half of the rows the label is a XOR of a and b; on the second half it is noise.
        let mut rng = Rng::new(4, 0);
        let mut text = String::from("a,b,y\n");
        for i in 0..4000 {
            let (a, b) = (rng.below(2), rng.below(2));
            let y = if i < 2000 { a ^ b } else { rng.below(2) };
            text.push_str(&format!("a{a},b{b},{y}\n"));
        }
        let table = read_table(text.as_bytes()).unwrap();
        let schema = Schema::infer(&table);
        let labels = Labels::from_column(table.column("y").unwrap(), &LabelRule::Auto).unwrap();
        let config = FeatureConfig::for_label("y");
        let gain = |rows: Vec<usize>| suggest_crosses(&table, &schema, &config, &labels.yes_no(&rows), &rows, 1)[0].gain;
        assert!(gain((0..2000).collect()) > 0.9);
        assert!(gain((2000..4000).collect()) < 0.02);
    }
}
