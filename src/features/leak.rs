//! The leak guard: columns that give the label away (a `rating` beside `liked = rating ≥ 4`)
//! make a perfect score that means nothing, so they are found before training and left out unless
//! the user keeps them.
//!
//! A column leaks when, on the training rows, it alone ranks the classes almost perfectly. Each
//! column is scored out of sample: its per-value positive rates (or, for numbers, the value itself
//! and its quantile bucket's rate) are learned on half of the training rows and ranked on the
//! other half, so a column with many rare values cannot look perfect by memorizing rows.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::{FeatureConfig, quantile_edges};
use crate::data::{Column, ColumnKind, MISSING, Schema, Table, parse_number};
use crate::metrics::roc_auc;
use crate::rng::mix;

/// Single-column test AUC at or above which a column counts as giving the label away.
pub const LEAK_AUC: f64 = 0.99;
/// Fewer rows of either class than this in the ranked half, and nothing is judged a leak: a
/// handful of rows can be separated by chance.
const MIN_CLASS_ROWS: usize = 20;
/// Training rows examined at most (evenly spaced), so a million-row file is screened quickly.
const SAMPLE: usize = 200_000;
/// Quantile buckets for numbers, to catch a label that is a non-monotone function of one.
const NUMBER_BUCKETS: usize = 20;

/// A column that alone decides the label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Leak {
    /// The column.
    pub column: String,
    /// Its single-column ROC AUC, out of sample, on the training rows.
    pub auc: f64,
}

impl Leak {
    /// Why the column is suspect, like `rating decides liked (AUC 1.000 alone)`.
    pub fn reason(&self, label: &str) -> String {
        format!("{} decides {label} (AUC {:.3} alone)", self.column, self.auc)
    }
}

/// `schema` with a warning on every leaking column, so that it is left out unless the user gives
/// it a role (see [`FeatureConfig::role_of`]).
pub fn flag_leaks(schema: &Schema, leaks: &[Leak], label: &str) -> Schema {
    let mut flagged = schema.clone();
    for leak in leaks {
        if let Some(info) = flagged.columns.iter_mut().find(|c| c.name == leak.column) {
            info.warning = Some(format!("left out: {}", leak.reason(label)));
        }
    }
    flagged
}

/// Every feature column of `table` that alone separates the classes of `targets` on `rows` (the
/// training rows), judged with the kinds the user chose. Text and constant columns are skipped.
pub fn find_leaks(table: &Table, schema: &Schema, config: &FeatureConfig, targets: &[Option<bool>], rows: &[usize]) -> Vec<Leak> {
    let rows: Vec<usize> = rows.iter().step_by(rows.len().div_ceil(SAMPLE).max(1)).copied().filter(|&r| targets[r].is_some()).collect();
    // Halves by a hash of the row, not by alternation, which periodic files would fool.
    let (fit, check): (Vec<usize>, Vec<usize>) = rows.iter().partition(|&&r| mix(r as u64 ^ 0x1EAC) & 1 == 0);
    let y: Vec<f32> = check.iter().map(|&r| f32::from(u8::from(targets[r] == Some(true)))).collect();
    let positives = y.iter().filter(|&&t| t > 0.5).count();
    if positives.min(y.len() - positives) < MIN_CLASS_ROWS {
        return Vec::new();
    }
    table
        .columns
        .iter()
        .zip(&schema.columns)
        .filter(|(column, _)| column.name != config.label)
        .filter_map(|(column, info)| {
            let auc = match config.kind_of(info) {
                ColumnKind::Text | ColumnKind::Constant => return None,
                ColumnKind::Numeric => numeric_auc(column, targets, &fit, &check, &y),
                _ => roc_auc(&rates(&column.codes, targets, &fit, &check), &y),
            };
            (auc >= LEAK_AUC).then(|| Leak { column: column.name.clone(), auc })
        })
        .collect()
}

/// For each `check` row, the positive rate among the `fit` rows with the same key (the base rate
/// for a key never seen there).
fn rates(keys: &[u32], targets: &[Option<bool>], fit: &[usize], check: &[usize]) -> Vec<f32> {
    let mut counts: FxHashMap<u32, [u32; 2]> = FxHashMap::default();
    for &r in fit {
        counts.entry(keys[r]).or_default()[usize::from(targets[r] == Some(true))] += 1;
    }
    let positives: u32 = counts.values().map(|c| c[1]).sum();
    let base = positives as f32 / fit.len().max(1) as f32;
    check.iter().map(|&r| counts.get(&keys[r]).map_or(base, |[n, p]| *p as f32 / (n + p) as f32)).collect()
}

/// The better of the number itself (either direction; missing ranks in the middle) and its
/// quantile bucket's positive rate.
fn numeric_auc(column: &Column, targets: &[Option<bool>], fit: &[usize], check: &[usize], y: &[f32]) -> f64 {
    let numbers: Vec<Option<f64>> = column.values.iter().map(|v| parse_number(v)).collect();
    let value = |r: usize| match column.codes[r] {
        MISSING => None,
        code => numbers[code as usize],
    };
    let mut sorted: Vec<f64> = fit.iter().filter_map(|&r| value(r)).collect();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
    let raw: Vec<f32> = check.iter().map(|&r| value(r).unwrap_or(middle) as f32).collect();
    let raw_auc = roc_auc(&raw, y);
    let edges = quantile_edges(&sorted, NUMBER_BUCKETS);
    let buckets: Vec<u32> =
        (0..column.codes.len()).map(|r| value(r).map_or(u32::MAX, |x| edges.partition_point(|&e| e <= x) as u32)).collect();
    let bucket_auc = roc_auc(&rates(&buckets, targets, fit, check), y);
    raw_auc.max(1.0 - raw_auc).max(bucket_auc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{LabelRule, Labels, read_table};
    use crate::rng::Rng;

    fn leaks_in(text: &str, config: &FeatureConfig, rule: &LabelRule) -> Vec<Leak> {
        let table = read_table(text.as_bytes()).unwrap();
        let schema = Schema::infer(&table);
        let labels = Labels::from_column(table.column(&config.label).unwrap(), rule).unwrap();
        let rows: Vec<usize> = (0..table.rows()).collect();
        find_leaks(&table, &schema, config, &labels.yes_no(&rows), &rows)
    }

    fn names(leaks: &[Leak]) -> Vec<&str> {
        leaks.iter().map(|l| l.column.as_str()).collect()
    }

    #[test]
    fn a_rating_beside_liked_is_found_and_nothing_else() {
        let mut text = Vec::new();
        crate::synth::movielens(4000, 3, &mut text).unwrap();
        let leaks = leaks_in(std::str::from_utf8(&text).unwrap(), &FeatureConfig::for_label("liked"), &LabelRule::Auto);
        assert_eq!(names(&leaks), ["rating"]);
        assert_eq!(leaks[0].auc, 1.0);
        assert_eq!(leaks[0].reason("liked"), "rating decides liked (AUC 1.000 alone)");
    }

    #[test]
    fn a_number_that_decides_the_label_is_found_either_way_round() {
        let mut rng = Rng::new(5, 0);
        let mut text = String::from("amount,distance,noise,y\n");
        for _ in 0..2000 {
            let (amount, noise) = (rng.next_f64() * 100.0, rng.next_f64());
            let y = amount > 50.0;
            // |distance| > 2.5 exactly when y: a function of it, but not a monotone one.
            let side = if rng.next_f64() < 0.5 { -1.0 } else { 1.0 };
            let distance = if y { side * (3.0 + 2.0 * rng.next_f64()) } else { 4.0 * rng.next_f64() - 2.0 };
            text.push_str(&format!("{amount:.3},{distance:.3},{noise:.3},{}\n", u8::from(y)));
        }
        let leaks = leaks_in(&text, &FeatureConfig::for_label("y"), &LabelRule::Auto);
        assert_eq!(names(&leaks), ["amount", "distance"]);
    }

    #[test]
    fn many_rare_values_do_not_look_like_a_leak() {
        let mut rng = Rng::new(6, 0);
        let mut text = String::from("pair_key,colour,y\n");
        for i in 0..3000 {
            // Every key appears twice, so on all rows it would "separate" the classes perfectly.
            let y = rng.next_f64() < 0.4;
            text.push_str(&format!("k{},c{},{}\n", i / 2, rng.below(5), u8::from(y)));
        }
        assert!(leaks_in(&text, &FeatureConfig::for_label("y"), &LabelRule::Auto).is_empty());
    }

    #[test]
    fn a_few_rows_are_never_judged_and_kind_overrides_are_honoured() {
        let tiny = "species,legs,likes_walks\ncat,4,0\ndog,4,1\nbird,2,0\ndog,4,1\n";
        assert!(leaks_in(tiny, &FeatureConfig::for_label("likes_walks"), &LabelRule::Auto).is_empty());
        let mut text = String::from("code,y\n");
        for i in 0..600 {
            // As categories the 30 codes decide y (even codes are positive); as a number they do not.
            text.push_str(&format!("{},{}\n", i % 30, u8::from(i % 2 == 0)));
        }
        let as_number = FeatureConfig { kinds: [("code".to_string(), ColumnKind::Numeric)].into(), ..FeatureConfig::for_label("y") };
        assert_eq!(names(&leaks_in(&text, &FeatureConfig::for_label("y"), &LabelRule::Auto)), ["code"]);
        assert!(leaks_in(&text, &as_number, &LabelRule::Auto).is_empty());
    }
}
