//! The leak guard: columns that give the label away (a `rating` beside `liked = rating ≥ 4`, a
//! `price_with_tax` beside `price`) make a perfect score that means nothing, so they are found
//! before training and left out unless the user keeps them.
//!
//! A column leaks when, on the training rows, it alone predicts the label almost perfectly by the
//! task's own measure: the AUC of a yes/no label, the macro one-vs-rest AUC of several classes,
//! the R² of a number. Each column is scored out of sample: what its values say (per value the
//! positive rate, the class shares or the number's mean; for numbers also per quantile bucket, and
//! the value itself, ranked or through a line) is learned on half of the training rows and judged
//! on the other half, so a column with many rare values cannot look perfect by memorizing rows.

use std::ops::Range;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::FeatureConfig;
use super::contingency::Contingency;
use crate::data::{Column, ColumnKind, Labels, MISSING, Schema, Table, Task, parse_number, quantile_edges};
use crate::metrics::{regression, roc_auc};
use crate::rng::mix;

/// Single-column test AUC (of a yes/no label, or the macro one-vs-rest AUC of several classes) at
/// or above which a column counts as giving the label away.
pub const LEAK_AUC: f64 = 0.99;
/// Single-column test R² at or above which a column counts as giving a number away. A copy of the
/// number in other units (with tax, in cents, rounded) explains ~100% of its variance out of
/// sample, a real feature rarely over 90%; the margin is wider than [`LEAK_AUC`]'s because the
/// noise a derived column carries (rounding, a fee) costs R² more than it costs a ranking.
pub const LEAK_R2: f64 = 0.98;
/// Fewer rows than this of a class, or outside it, in the judged half, and that class is not
/// judged (a handful of rows can be separated by chance): nothing is judged for a yes/no label
/// short of either class, or for several classes none of which has enough. A number needs this
/// many rows in the judged half, and not all of one value.
const MIN_CLASS_ROWS: usize = 20;
/// Training rows examined at most (evenly spaced), so a million-row file is screened quickly.
const SAMPLE: usize = 200_000;
/// Quantile buckets for numbers, to catch a label that is a non-monotone function of one.
const NUMBER_BUCKETS: usize = 20;

/// What a leak's score measures: each task's own figure of how well one column predicts the
/// label, so that the reason reads in the task's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// ROC AUC of a yes/no label.
    Auc,
    /// Macro one-vs-rest ROC AUC of several classes (the mean over the classes judged).
    MacroAuc,
    /// R² of a number.
    R2,
}

impl Measure {
    /// The measure a task is judged by.
    pub fn of(task: Task) -> Self {
        match task {
            Task::Binary => Self::Auc,
            Task::Multiclass => Self::MacroAuc,
            Task::Regression => Self::R2,
        }
    }

    /// The name in a sentence, like `macro AUC`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Auc => "AUC",
            Self::MacroAuc => "macro AUC",
            Self::R2 => "R²",
        }
    }

    /// The score at or above which a column leaks ([`LEAK_AUC`] or [`LEAK_R2`]).
    pub fn threshold(self) -> f64 {
        match self {
            Self::Auc | Self::MacroAuc => LEAK_AUC,
            Self::R2 => LEAK_R2,
        }
    }
}

/// A column that alone decides the label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Leak {
    /// The column.
    pub column: String,
    /// Its single-column score, out of sample, on the training rows.
    pub score: f64,
    /// What `score` measures: the label's task's figure.
    pub measure: Measure,
    /// The score in words, like `AUC 1.000` or `R² 0.999`: what the page and the CLI say.
    #[serde(default)]
    pub said: String,
}

impl Leak {
    /// Why the column is suspect, like `rating decides liked (AUC 1.000 alone)`, `… (macro AUC
    /// 0.998 alone)` or `… (R² 0.999 alone)`.
    pub fn reason(&self, label: &str) -> String {
        format!("{} decides {label} ({} alone)", self.column, self.said)
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

/// Every feature column of `table` that alone decides `labels` on `rows` (the training rows), by
/// the measure of the label's task, judged with the kinds the user chose. The targets come as
/// they are (0/1, class indices or numbers): each task is judged by its own figure rather than
/// turned into a yes/no question. Text and constant columns are skipped.
pub fn find_leaks(table: &Table, schema: &Schema, config: &FeatureConfig, labels: &Labels, rows: &[usize]) -> Vec<Leak> {
    let Some(judge) = Judge::new(labels, rows) else {
        return Vec::new();
    };
    let measure = judge.measure();
    table
        .columns
        .iter()
        .zip(&schema.columns)
        .filter(|(column, _)| column.name != config.label)
        .filter_map(|(column, info)| judge.column(column, config.kind_of(info)).map(|score| (column, score)))
        .filter(|&(_, score)| score >= measure.threshold())
        .map(|(column, score)| Leak { column: column.name.clone(), score, measure, said: format!("{} {score:.3}", measure.name()) })
        .collect()
}

/// The labelled training rows in two halves: what a column's values say of the label is learned
/// on `fit` and judged on `check`, against the truth there.
struct Judge<'a> {
    targets: &'a [Option<f64>],
    fit: Vec<usize>,
    check: Vec<usize>,
    truth: Truth,
}

/// What a column's predictions for the check rows are judged against, in the task's form.
enum Truth {
    /// Classes (a yes/no label's two, judged on its positive class alone, whose AUC is its
    /// negative class's too): `groups` in all, each one judged with 1 on its check rows and 0 on
    /// the others.
    Classes { measure: Measure, groups: usize, judged: Vec<(usize, Vec<f32>)> },
    /// The number on each check row.
    Number(Vec<f64>),
}

impl<'a> Judge<'a> {
    /// The labelled rows of `rows` (the training rows; at most [`SAMPLE`], evenly spaced) in two
    /// halves; `None` when the check half is too thin to judge anything (see [`MIN_CLASS_ROWS`]).
    fn new(labels: &'a Labels, rows: &[usize]) -> Option<Self> {
        let rows = rows.iter().step_by(rows.len().div_ceil(SAMPLE).max(1)).copied().filter(|&r| labels.targets[r].is_some());
        // Halves by a hash of the row, not by alternation, which periodic files would fool.
        let (fit, check): (Vec<usize>, Vec<usize>) = rows.partition(|&r| mix(r as u64 ^ 0x1EAC) & 1 == 0);
        let y: Vec<f64> = check.iter().filter_map(|&r| labels.targets[r]).collect();
        let task = labels.rule.task();
        let truth = match task {
            Task::Regression if y.len() < MIN_CLASS_ROWS || y.iter().all(|&v| v == y[0]) => return None,
            Task::Regression => Truth::Number(y),
            Task::Binary | Task::Multiclass => {
                let groups = labels.rule.classes().len().max(2);
                // A yes/no label's negative class would score the same AUC as its positive one.
                let judged = judged_classes(&y, if task == Task::Binary { 1..2 } else { 0..groups });
                if judged.is_empty() {
                    return None;
                }
                Truth::Classes { measure: Measure::of(task), groups, judged }
            }
        };
        Some(Self { targets: &labels.targets, fit, check, truth })
    }

    /// The figure the columns are judged by.
    fn measure(&self) -> Measure {
        match self.truth {
            Truth::Classes { measure, .. } => measure,
            Truth::Number(_) => Measure::R2,
        }
    }

    /// A row's target (every row of the halves has one).
    fn target(&self, row: usize) -> f64 {
        self.targets[row].unwrap_or_default()
    }

    /// The fit rows' mean target: a number's prediction where a column says nothing.
    fn fit_mean(&self) -> f64 {
        self.fit.iter().map(|&r| self.target(r)).sum::<f64>() / self.fit.len().max(1) as f64
    }

    /// The score of a column of `kind` (`None` for text and constant columns, never judged).
    fn column(&self, column: &Column, kind: ColumnKind) -> Option<f64> {
        match kind {
            ColumnKind::Text | ColumnKind::Constant => None,
            ColumnKind::Numeric => Some(self.number(column)),
            _ => Some(self.keys(&column.codes)),
        }
    }

    /// The score of a column as keys (categorical codes, or a number's quantile buckets): what
    /// the fit rows of each key say of the label (class shares, or the number's mean) predicts
    /// the check rows.
    fn keys(&self, keys: &[u32]) -> f64 {
        match &self.truth {
            Truth::Classes { groups, judged, .. } => {
                let rows = self.fit.iter().map(|&r| (u64::from(keys[r]), self.target(r) as u32));
                let counts = Contingency::count(rows, *groups);
                let aucs: f64 = judged.iter().map(|(k, is_k)| roc_auc(&self.shares(&counts, keys, *k), is_k)).sum();
                aucs / judged.len() as f64
            }
            Truth::Number(y) => regression(&self.means(keys), y).r2,
        }
    }

    /// For each check row, the share of class `k` among the fit rows with the same key (its share
    /// of all fit rows for a key never seen there).
    fn shares(&self, counts: &Contingency, keys: &[u32], k: usize) -> Vec<f32> {
        let rows: u32 = counts.cells().map(|c| c[k]).sum();
        let base = rows as f32 / self.fit.len().max(1) as f32;
        let share = |c: &[u32]| c[k] as f32 / c.iter().sum::<u32>() as f32;
        self.check.iter().map(|&r| counts.get(u64::from(keys[r])).map_or(base, share)).collect()
    }

    /// For each check row, the mean number among the fit rows with the same key (the mean of all
    /// fit rows for a key never seen there).
    fn means(&self, keys: &[u32]) -> Vec<f64> {
        let mut sums: FxHashMap<u32, (f64, usize)> = FxHashMap::default();
        for &r in &self.fit {
            let sum = sums.entry(keys[r]).or_default();
            *sum = (sum.0 + self.target(r), sum.1 + 1);
        }
        let base = self.fit_mean();
        self.check.iter().map(|&r| sums.get(&keys[r]).map_or(base, |&(sum, n)| sum / n as f64)).collect()
    }

    /// The score of a number column: the better of its quantile buckets as keys and the value
    /// itself (missing: the fit half's median), ranked either way round for a yes/no label,
    /// through a least-squares line for a number. Classes have no order to meet a value's, so
    /// several classes are judged on the buckets alone.
    fn number(&self, column: &Column) -> f64 {
        let numbers: Vec<Option<f64>> = column.values.iter().map(|v| parse_number(v)).collect();
        let value = |r: usize| match column.codes[r] {
            MISSING => None,
            code => numbers[code as usize],
        };
        let mut sorted: Vec<f64> = self.fit.iter().filter_map(|&r| value(r)).collect();
        sorted.sort_by(f64::total_cmp);
        let middle = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
        let raw = |r: usize| value(r).unwrap_or(middle);
        let edges = quantile_edges(&sorted, NUMBER_BUCKETS);
        let buckets: Vec<u32> =
            (0..column.codes.len()).map(|r| value(r).map_or(u32::MAX, |x| edges.partition_point(|&e| e <= x) as u32)).collect();
        let bucket_score = self.keys(&buckets);
        match &self.truth {
            Truth::Classes { measure: Measure::Auc, judged, .. } => {
                let raw_auc = roc_auc(&self.check.iter().map(|&r| raw(r) as f32).collect::<Vec<f32>>(), &judged[0].1);
                raw_auc.max(1.0 - raw_auc).max(bucket_score)
            }
            Truth::Classes { .. } => bucket_score,
            Truth::Number(y) => regression(&self.line(raw), y).r2.max(bucket_score),
        }
    }

    /// For each check row, the least-squares line through the fit rows' (`x`, number) pairs at
    /// its `x`.
    fn line(&self, x: impl Fn(usize) -> f64) -> Vec<f64> {
        let mean_x = self.fit.iter().map(|&r| x(r)).sum::<f64>() / self.fit.len().max(1) as f64;
        let mean_y = self.fit_mean();
        let (mut sxy, mut sxx) = (0.0, 0.0);
        for &r in &self.fit {
            sxy += (x(r) - mean_x) * (self.target(r) - mean_y);
            sxx += (x(r) - mean_x).powi(2);
        }
        let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
        self.check.iter().map(|&r| mean_y + slope * (x(r) - mean_x)).collect()
    }
}

/// Each of `classes` with at least [`MIN_CLASS_ROWS`] rows of it and as many of others among the
/// check rows' classes `y`, with 1 on its rows and 0 on the others.
fn judged_classes(y: &[f64], classes: Range<usize>) -> Vec<(usize, Vec<f32>)> {
    classes
        .map(|k| (k, y.iter().map(|&t| f32::from(u8::from(t as usize == k))).collect::<Vec<f32>>()))
        .filter(|(_, is_k)| {
            let rows = is_k.iter().filter(|&&t| t > 0.5).count();
            rows.min(is_k.len() - rows) >= MIN_CLASS_ROWS
        })
        .collect()
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
        find_leaks(&table, &schema, config, &labels, &rows)
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
        assert_eq!((leaks[0].score, leaks[0].measure), (1.0, Measure::Auc));
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

    /// The score of `column` against `rule`'s targets of `label`, leaking or not.
    fn score_of(text: &str, label: &str, rule: &LabelRule, column: &str) -> f64 {
        let table = read_table(text.as_bytes()).unwrap();
        let labels = Labels::from_column(table.column(label).unwrap(), rule).unwrap();
        let rows: Vec<usize> = (0..table.rows()).collect();
        let kind = Schema::infer(&table).columns.iter().find(|c| c.name == column).unwrap().kind;
        Judge::new(&labels, &rows).unwrap().column(table.column(column).unwrap(), kind).unwrap()
    }

    /// 3,000 rows of a colour (red half of them, green and blue a quarter each) beside a column
    /// naming it, one naming it in 7 rows of 10, one telling red from the rest, and a number in
    /// a range of its own per colour.
    fn colours() -> String {
        let mut rng = Rng::new(7, 0);
        let mut text = String::from("named,noisy,red_or_not,amount,colour\n");
        let colours = ["red", "red", "green", "blue"];
        for _ in 0..3000 {
            let k = rng.below(4);
            let colour = colours[k];
            let noisy = if rng.next_f64() < 0.7 { colour } else { colours[rng.below(4)] };
            let red_or_not = if colour == "red" { "red" } else { "other" };
            let amount = 100.0 * (k.max(1) - 1) as f64 + 100.0 * rng.next_f64();
            text.push_str(&format!("is_{colour},n_{noisy},{red_or_not},{amount:.2},{colour}\n"));
        }
        text
    }

    #[test]
    fn a_column_that_names_the_class_leaks_and_one_that_tells_the_majority_apart_does_not() {
        let text = colours();
        let config = FeatureConfig::for_label("colour");
        let leaks = leaks_in(&text, &config, &LabelRule::Auto);
        assert_eq!(names(&leaks), ["named", "amount"], "a number is judged through its buckets: {leaks:?}");
        assert!(leaks.iter().all(|l| l.measure == Measure::MacroAuc && l.score >= 0.99), "{leaks:?}");
        assert_eq!(leaks[0].reason("colour"), "named decides colour (macro AUC 1.000 alone)");
        // Red against the rest is perfect, green and blue each score ~0.83 (a tie with the other).
        let red_or_not = score_of(&text, "colour", &LabelRule::Auto, "red_or_not");
        let noisy = score_of(&text, "colour", &LabelRule::Auto, "noisy");
        assert!((red_or_not - 0.889).abs() < 0.02, "{red_or_not}");
        assert!((0.7..0.95).contains(&noisy), "{noisy}");
        let tiny = "named,colour\nis_red,red\nis_green,green\nis_blue,blue\nis_red,red\n";
        assert!(leaks_in(tiny, &config, &LabelRule::Auto).is_empty(), "a handful of rows of each class: nothing judged");
    }

    /// `rows` rows of a price (10 to 1,000), the price with tax, the price with noise as large as
    /// itself, and a colour that says nothing.
    fn prices(rows: usize) -> String {
        let mut rng = Rng::new(8, 0);
        let mut text = String::from("price_with_tax,rough,colour,price\n");
        for _ in 0..rows {
            let price = 10.0 + 990.0 * rng.next_f64();
            let rough = price + 300.0 * rng.normal();
            text.push_str(&format!("{:.2},{rough:.2},c{},{price:.2}\n", 1.2 * price, rng.below(5)));
        }
        text
    }

    #[test]
    fn a_number_in_other_units_leaks_and_a_noisy_one_does_not() {
        let number = LabelRule::Number { mean: 0.0, sd: 1.0 };
        let text = prices(3000);
        let leaks = leaks_in(&text, &FeatureConfig::for_label("price"), &number);
        assert_eq!(names(&leaks), ["price_with_tax"]);
        assert_eq!(leaks[0].measure, Measure::R2);
        assert!(leaks[0].score > 0.99, "{leaks:?}");
        assert_eq!(leaks[0].reason("price"), "price_with_tax decides price (R² 1.000 alone)");
        let rough = score_of(&text, "price", &number, "rough");
        assert!((0.3..0.7).contains(&rough), "noise as large as the price's spread explains about half: {rough}");
        assert!(leaks_in(&prices(30), &FeatureConfig::for_label("price"), &number).is_empty(), "too few rows: nothing judged");
    }

    #[test]
    fn a_category_that_maps_to_one_number_leaks_and_many_rare_values_do_not() {
        let mut rng = Rng::new(9, 0);
        let mut text = String::from("grade,pair_key,colour,score\n");
        for key in 0..1500 {
            // Every grade has one score. Every key appears on two rows of one grade, so on all rows
            // it would tell the score exactly: out of sample, half its rows have never been seen.
            let grade = rng.below(10);
            for _ in 0..2 {
                text.push_str(&format!("g{grade},k{key},c{},{}\n", rng.below(5), 2.5 * grade as f64 + 0.25));
            }
        }
        let number = LabelRule::Number { mean: 0.0, sd: 1.0 };
        let leaks = leaks_in(&text, &FeatureConfig::for_label("score"), &number);
        assert_eq!(names(&leaks), ["grade"]);
        assert!(leaks[0].score > 0.999, "{leaks:?}");
        let pair_key = score_of(&text, "score", &number, "pair_key");
        assert!((0.3..0.7).contains(&pair_key), "the rows whose twin is in the other half: {pair_key}");
        let constant: String = (0..600).map(|i| format!("g{},5\n", i % 10)).collect();
        assert!(leaks_in(&format!("grade,score\n{constant}"), &FeatureConfig::for_label("score"), &number).is_empty());
    }
}
