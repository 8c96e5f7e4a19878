//! Suggesting crosses: pairs of columns that say more about the label together than apart.
//!
//! "More about the label" is mutual information with the label's groups: a yes/no label's two
//! classes, a multiclass label's classes, a number's quantile buckets. Every task is judged as it
//! is, so a pair that tells two rare classes apart, or moves a number, is found.

use serde::{Deserialize, Serialize};

use super::contingency::Contingency;
use super::{FeatureConfig, Role};
use crate::data::{Column, ColumnKind, Groups, MISSING, Schema, Table, parse_number, quantile_edges};

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
/// [`MAX_CANDIDATES`] columns that say most about the label alone. The label comes as its
/// [`Groups`] (a yes/no label's two, a multiclass label's classes, a number's quantile buckets), so
/// a pair is ranked by what it explains of the label as it is, whatever the task. Columns are
/// taken as the user configured them: kind overrides apply, and columns whose role is ignore are
/// not suggested.
pub fn suggest_crosses(
    table: &Table,
    schema: &Schema,
    config: &FeatureConfig,
    label: &Groups,
    rows: &[usize],
    max: usize,
) -> Vec<Suggestion> {
    let labelled: Vec<usize> = rows.iter().copied().filter(|&r| label.codes[r].is_some()).collect();
    let rows: Vec<usize> = labelled.iter().step_by(labelled.len().div_ceil(SAMPLE).max(1)).copied().collect();
    let y: Vec<u32> = rows.iter().filter_map(|&r| label.codes[r]).collect();
    let columns = table
        .columns
        .iter()
        .zip(&schema.columns)
        .filter(|(c, info)| c.name != config.label && config.role_of(info) != Role::Ignore)
        .filter_map(|(c, info)| codes(c, config.kind_of(info), &rows).map(|codes| (c.name.as_str(), codes)));
    let candidates = most_informative(columns, &y, label.count);
    let mut suggestions = Vec::new();
    for (i, (a, a_codes, a_alone)) in candidates.iter().enumerate() {
        for (b, b_codes, b_alone) in &candidates[i + 1..] {
            let pair = a_codes.iter().zip(b_codes).map(|(&a, &b)| (a as u64) << 32 | b as u64);
            let gain = information(pair, &y, label.count) - a_alone.max(*b_alone);
            suggestions.push(Suggestion { columns: vec![a.to_string(), b.to_string()], gain });
        }
    }
    suggestions.sort_by(|a, b| b.gain.total_cmp(&a.gain));
    suggestions.truncate(max);
    suggestions
}

/// A column ranked for crosses: its name, its codes per sampled row, its information alone.
type Candidate<'a> = (&'a str, Vec<u32>, f64);

/// The [`MAX_CANDIDATES`] columns with the most information about `y` (codes of `groups` label
/// groups) alone, in their file order, with their codes and that information; at most twice as
/// many are held at once.
fn most_informative<'a>(columns: impl Iterator<Item = (&'a str, Vec<u32>)>, y: &[u32], groups: usize) -> Vec<Candidate<'a>> {
    let mut kept: Vec<(usize, Candidate)> = Vec::new();
    let keep_best = |kept: &mut Vec<(usize, Candidate<'a>)>| {
        kept.sort_by(|a, b| b.1.2.total_cmp(&a.1.2).then(a.0.cmp(&b.0)));
        kept.truncate(MAX_CANDIDATES);
    };
    for (index, (name, codes)) in columns.enumerate() {
        let alone = information(codes.iter().map(|&c| c as u64), y, groups);
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

/// Mutual information between `x` and the label (`y`, codes of `groups` groups) in bits, minus
/// the Miller-Madow bias ((cells - 1)(groups - 1) / (2 N ln 2)) so that sparse pairs do not look
/// informative by chance.
fn information(x: impl Iterator<Item = u64>, y: &[u32], groups: usize) -> f64 {
    let cells = Contingency::count(x.zip(y.iter().copied()), groups);
    let n = y.len() as f64;
    let mut totals = vec![0u32; groups];
    y.iter().for_each(|&g| totals[g as usize] += 1);
    let entropy = |counts: &[u32]| -> f64 {
        let total = counts.iter().sum::<u32>() as f64;
        counts.iter().filter(|&&c| c > 0).map(|&c| -(c as f64 / total) * (c as f64 / total).log2()).sum::<f64>()
    };
    let conditional: f64 = cells.cells().map(|c| c.iter().sum::<u32>() as f64 / n * entropy(c)).sum();
    let raw = entropy(&totals) - conditional;
    raw - (cells.len() as f64 - 1.0) * (groups as f64 - 1.0) / (2.0 * n * std::f64::consts::LN_2)
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
        let s = suggest_crosses(&table, &schema, &config, &labels.groups(&all), &all, 3);
        assert_eq!(s[0].columns, ["a", "b"]);
        assert!(s[0].gain > 0.9, "the pair determines the label: {}", s[0].gain);
        assert!(s[1].gain < 0.02, "nothing else interacts: {s:?}");
        assert_eq!(s.len(), 3);
        let without_b = FeatureConfig { roles: [("b".to_string(), Role::Ignore)].into(), ..config.clone() };
        let s = suggest_crosses(&table, &schema, &without_b, &labels.groups(&all), &all, 10);
        assert!(s.iter().all(|s| !s.columns.contains(&"b".to_string())), "an ignored column is not suggested: {s:?}");
        let n_as_category = FeatureConfig { kinds: [("n".to_string(), ColumnKind::Categorical)].into(), ..config };
        let s = suggest_crosses(&table, &schema, &n_as_category, &labels.groups(&all), &all, 10);
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
        let s = suggest_crosses(&table, &schema, &FeatureConfig::for_label("y"), &labels.groups(&all), &all, usize::MAX);
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
        let gain = |rows: Vec<usize>| suggest_crosses(&table, &schema, &config, &labels.groups(&rows), &rows, 1)[0].gain;
        assert!(gain((0..2000).collect()) > 0.9);
        assert!(gain((2000..4000).collect()) < 0.02);
    }

    /// The best pairs of `text` for `label` under `rule`, all of them, on every row.
    fn ranked(text: &str, label: &str, rule: &LabelRule) -> Vec<Suggestion> {
        let table = read_table(text.as_bytes()).unwrap();
        let labels = Labels::from_column(table.column(label).unwrap(), rule).unwrap();
        let all: Vec<usize> = (0..table.rows()).collect();
        suggest_crosses(&table, &Schema::infer(&table), &FeatureConfig::for_label(label), &labels.groups(&all), &all, usize::MAX)
    }

    #[test]
    fn a_pair_that_decides_one_of_four_classes_ranks_first() {
        let mut rng = Rng::new(6, 0);
        let mut text = String::from("a,b,c,n,y\n");
        for _ in 0..4000 {
            let (a, b, c) = (rng.below(4), rng.below(4), rng.below(4));
            text.push_str(&format!("a{a},b{b},c{c},{:.2},k{}\n", rng.next_f64(), (a % 2) * 2 + b % 2));
        }
        let s = ranked(&text, "y", &LabelRule::Auto);
        assert_eq!(s[0].columns, ["a", "b"]);
        assert!(s[0].gain > 0.9, "a and b each tell one bit of two alone, both bits together: {}", s[0].gain);
        assert!(s[1].gain < 0.02, "nothing else interacts: {s:?}");
    }

    #[test]
    fn a_pair_that_splits_the_rarer_classes_ranks_first() {
        // c decides the most frequent class (half the rows) alone; on the other half a XOR of a
        // and b decides between the two others: "the most frequent class against the rest" would
        // see nothing of the pair.
        let mut rng = Rng::new(7, 0);
        let mut text = String::from("a,b,c,d,y\n");
        for _ in 0..4000 {
            let (a, b, c, d) = (rng.below(4), rng.below(4), rng.below(2), rng.below(4));
            let y = match (c, (a % 2) ^ (b % 2)) {
                (0, _) => "most",
                (_, 0) => "even",
                _ => "odd",
            };
            text.push_str(&format!("a{a},b{b},c{c},d{d},{y}\n"));
        }
        let s = ranked(&text, "y", &LabelRule::Auto);
        assert_eq!(s[0].columns, ["a", "b"]);
        assert!(s[0].gain > 0.4, "half a bit: the pair decides the class on half the rows: {}", s[0].gain);
        assert!(s[1].gain < 0.02, "c with anything says no more than c: {s:?}");
        let table = read_table(text.as_bytes()).unwrap();
        let labels = Labels::from_column(table.column("y").unwrap(), &LabelRule::Auto).unwrap();
        let most = labels.rule.classes().iter().position(|c| c == "most").unwrap() as f64;
        let collapsed = Groups { codes: labels.targets.iter().map(|t| t.map(|t| u32::from(t == most))).collect(), count: 2 };
        let all: Vec<usize> = (0..table.rows()).collect();
        let old = suggest_crosses(&table, &Schema::infer(&table), &FeatureConfig::for_label("y"), &collapsed, &all, usize::MAX);
        let pair = old.iter().position(|s| s.columns == ["a", "b"]).unwrap();
        // Collapsed, every pair scores about nothing: (b, d) -0.00013, (a, d) -0.00036, then
        // (a, b) -0.00085 (third); as it is, (a, b) 0.504 bits, then (a, d) -0.0003.
        assert!(pair > 0 && old[pair].gain.abs() < 0.01, "the collapse sees nothing of the pair: {old:?}");
    }

    #[test]
    fn a_pair_that_moves_a_number_ranks_first() {
        let mut rng = Rng::new(8, 0);
        let mut text = String::from("a,b,c,n,y\n");
        for _ in 0..4000 {
            let (a, b, c) = (rng.below(4), rng.below(4), rng.below(4));
            let y = 10.0 * f64::from(u8::from(a == b)) + rng.normal();
            text.push_str(&format!("a{a},b{b},c{c},{:.2},{y:.3}\n", rng.next_f64()));
        }
        let s = ranked(&text, "y", &LabelRule::Number { mean: 0.0, sd: 1.0 });
        assert_eq!(s[0].columns, ["a", "b"]);
        // a = b on a quarter of the rows: the top 2 of 8 buckets, the others the bottom 6 (0.81 bits).
        assert!((0.7..0.85).contains(&s[0].gain), "{}", s[0].gain);
        assert!(s[1].gain < 0.02, "nothing else interacts: {s:?}");
    }
}
