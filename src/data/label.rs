//! Turning the label column into targets: 0/1 for a yes/no question, class indices for several
//! classes, numbers for regression.

use serde::{Deserialize, Serialize};

use super::schema::{MAX_INTEGER_CATEGORIES, parse_number, quantile_edges};
use super::table::{Column, MISSING};
use crate::limits::MAX_CLASSES;
use crate::{Error, LabelProblem, Result};

const POSITIVE_TOKENS: [&str; 7] = ["1", "true", "yes", "y", "positive", "pos", "t"];

/// What a model predicts: the question the label column asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// A yes/no label: a probability, trained on cross-entropy (what data saved before there were
    /// other tasks holds).
    #[default]
    Binary,
    /// A number (a price, a rating): trained on the squared error (or Huber's loss) of the
    /// standardized target, predicted in the target's own units.
    Regression,
    /// One of several classes: a probability per class (softmax), trained on cross-entropy.
    Multiclass,
}

impl Task {
    /// The lower-case name used in flags, links and reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Binary => "binary",
            Self::Regression => "regression",
            Self::Multiclass => "multiclass",
        }
    }
}

impl std::str::FromStr for Task {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "binary" => Ok(Self::Binary),
            "regression" => Ok(Self::Regression),
            "multiclass" => Ok(Self::Multiclass),
            _ => Err(Error::Config(format!("unknown task '{s}': expected binary, multiclass or regression"))),
        }
    }
}

/// How label values become targets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum LabelRule {
    /// Inferred from the column: two values are a yes/no question (`1`/`true`/`yes` positive,
    /// else the rarer value); numbers with many distinct values are a regression.
    #[default]
    Auto,
    /// Rows equal to `value` are positive, all others negative.
    Positive { value: String },
    /// Numeric rows `>= at` are positive (`rating >= 4`).
    Threshold { at: f64 },
    /// The number itself is the target (regression), standardized by the training rows' `mean`
    /// and `sd` for training; predictions are mapped back to the column's units.
    Number {
        /// The training rows' mean.
        #[serde(default)]
        mean: f64,
        /// The training rows' standard deviation (1 before fitting).
        #[serde(default = "one")]
        sd: f64,
    },
    /// Each distinct value is a class (multiclass); `values` lists them in output order (empty
    /// before the column is read: every value it holds, in order of first appearance).
    Classes {
        /// The classes, in the order of the model's outputs.
        #[serde(default)]
        values: Vec<String>,
    },
}

fn one() -> f64 {
    1.0
}

impl LabelRule {
    /// A short human description, like `income = >50K`, `rating >= 4` or `price (a number)`.
    pub fn describe(&self, column: &str) -> String {
        match self {
            Self::Auto => format!("{column} (automatic)"),
            Self::Positive { value } => format!("{column} = {value}"),
            Self::Threshold { at } => format!("{column} >= {at}"),
            Self::Number { .. } => format!("{column} (a number)"),
            Self::Classes { values } => format!("{column} ({} classes)", values.len()),
        }
    }

    /// How many numbers the model outputs per row: one per class of a multiclass label, else one
    /// (a logit, or a regression's standard score).
    pub fn outputs(&self) -> usize {
        match self {
            Self::Classes { values } => values.len().max(1),
            _ => 1,
        }
    }

    /// The task this rule sets (an unresolved `Auto` is a yes/no question until the column says
    /// otherwise).
    pub fn task(&self) -> Task {
        match self {
            Self::Number { .. } => Task::Regression,
            Self::Classes { .. } => Task::Multiclass,
            _ => Task::Binary,
        }
    }

    /// The rule for `task` asked for explicitly: a regression reads the numbers; a yes/no task
    /// keeps a positive class or threshold, or infers one. A positive class or threshold with a
    /// regression contradicts itself.
    pub fn for_task(self, task: Option<Task>) -> Result<Self> {
        match (task, self) {
            (None, rule) | (Some(Task::Binary), rule @ (Self::Auto | Self::Positive { .. } | Self::Threshold { .. })) => Ok(rule),
            (Some(Task::Regression), Self::Auto | Self::Number { .. }) => Ok(Self::Number { mean: 0.0, sd: 1.0 }),
            (Some(Task::Multiclass), Self::Auto | Self::Classes { .. }) => Ok(Self::Classes { values: Vec::new() }),
            (Some(Task::Binary), Self::Number { .. } | Self::Classes { .. }) => Ok(Self::Auto),
            (Some(task), rule) => Err(Error::Config(format!(
                "the task is {} but {} makes a yes/no label: drop one of them",
                match task {
                    Task::Regression => "regression (predict the number),",
                    _ => "multiclass (predict the class),",
                },
                match rule {
                    Self::Threshold { at } => format!("a threshold ({at})"),
                    _ => "a positive class".to_string(),
                }
            ))),
        }
    }

    /// The training target of one label value: 0/1, or the number standardized.
    pub fn target(&self, value: f64) -> f32 {
        match self {
            Self::Number { mean, sd } => ((value - mean) / sd) as f32,
            _ => value as f32,
        }
    }

    /// A model output (a logit) in the label's terms: a probability, or a number in the
    /// column's units.
    pub fn prediction(&self, logit: f64) -> f64 {
        match self {
            Self::Number { mean, sd } => mean + sd * logit,
            _ => crate::metrics::sigmoid(logit),
        }
    }

    /// The class names of a multiclass label (none for the other tasks).
    pub fn classes(&self) -> &[String] {
        match self {
            Self::Classes { values } => values,
            _ => &[],
        }
    }
}

/// The name of the column a scored file gains: what the model's output is.
pub fn prediction_column(task: Task) -> &'static str {
    match task {
        Task::Binary => "probability",
        Task::Regression => "prediction",
        Task::Multiclass => "class",
    }
}

/// Targets for every row (`None` where the label is missing) and the rule that made them.
#[derive(Debug, Clone, PartialEq)]
pub struct Labels {
    /// The explicit rule (never `Auto`), stored with a model so predictions use the same one.
    pub rule: LabelRule,
    /// One target per row: 0 or 1 for a yes/no question, the class index for several classes,
    /// the number (in its units) for a regression.
    pub targets: Vec<Option<f64>>,
}

impl Labels {
    /// Applies `rule` to `column`, resolving `Auto` to an explicit rule first.
    pub fn from_column(column: &Column, rule: &LabelRule) -> Result<Self> {
        let rule = match rule {
            LabelRule::Auto => auto_rule(column)?,
            other => other.clone(),
        };
        let targets = match &rule {
            LabelRule::Threshold { at } => threshold_targets(column, *at)?,
            LabelRule::Positive { value } => positive_targets(column, value)?,
            LabelRule::Number { .. } => return number_targets(column).map(|targets| Self { rule, targets }),
            LabelRule::Classes { values } => return class_targets(column, values),
            LabelRule::Auto => unreachable!("resolved above"),
        };
        if targets.iter().flatten().all(|&t| t == 1.0) || targets.iter().flatten().all(|&t| t == 0.0) {
            return Err(label_error(column, LabelProblem::OneSided(rule.describe(&column.name))));
        }
        Ok(Self { rule, targets })
    }

    /// The rule with a regression's standardization fitted on `rows` (the training rows): the
    /// model trains on standard scores, whatever the target's units. Errs when those rows hold a
    /// single value or numbers too large to average.
    pub fn fit_scale(&mut self, column: &str, rows: &[usize]) -> Result<()> {
        if !matches!(self.rule, LabelRule::Number { .. }) {
            return Ok(());
        }
        let values: Vec<f64> = rows.iter().filter_map(|&r| self.targets[r]).collect();
        let n = values.len().max(1) as f64;
        let mean = values.iter().map(|v| v / n).sum::<f64>();
        let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        let problem = if !(mean.is_finite() && sd.is_finite()) {
            LabelProblem::TooLarge
        } else if sd == 0.0 {
            LabelProblem::Constant(mean)
        } else {
            self.rule = LabelRule::Number { mean, sd };
            return Ok(());
        };
        Err(Error::Label { column: column.to_string(), problem })
    }
}

/// A number is counted in this many quantile buckets of the training rows when its groups are
/// asked for: enough to see a column that moves the number's level (its middle as well as its
/// tails), few enough that each bucket holds over 2,000 rows of the cross suggestions' 20,000-row
/// sample, so that sparse pairs cost little in bias correction.
const NUMBER_GROUPS: usize = 8;

/// A label as a few groups, whatever its task: analyses that count rows per value of a column
/// and label group (the cross suggestions' mutual information) need a label with few distinct
/// values, and a number has too many to count.
#[derive(Debug, Clone, PartialEq)]
pub struct Groups {
    /// Each row's group, below `count`; `None` where the label is missing.
    pub codes: Vec<Option<u32>>,
    /// How many groups the label has.
    pub count: usize,
}

impl Labels {
    /// The targets as [`Groups`]: a yes/no label's 0 and 1, a multiclass label's class indices,
    /// a number's [`NUMBER_GROUPS`] quantile buckets of `rows` (the training rows: the test rows
    /// must not shape what the model is chosen on), so that each task is counted as it is
    /// rather than as a yes/no question.
    pub fn groups(&self, rows: &[usize]) -> Groups {
        match &self.rule {
            LabelRule::Number { .. } => {
                let mut sorted: Vec<f64> = rows.iter().filter_map(|&r| self.targets[r]).collect();
                sorted.sort_by(f64::total_cmp);
                let edges = quantile_edges(&sorted, NUMBER_GROUPS);
                let codes = self.targets.iter().map(|t| t.map(|v| edges.partition_point(|&e| e <= v) as u32)).collect();
                Groups { codes, count: edges.len() + 1 }
            }
            rule => Groups { codes: self.targets.iter().map(|t| t.map(|v| v as u32)).collect(), count: rule.classes().len().max(2) },
        }
    }
}

fn label_error(column: &Column, problem: LabelProblem) -> Error {
    Error::Label { column: column.name.clone(), problem }
}

/// The column's values as numbers, if every one is.
fn numbers(column: &Column) -> std::result::Result<Vec<f64>, LabelProblem> {
    column.values.iter().map(|v| parse_number(v).ok_or(v)).collect::<std::result::Result<_, _>>().map_err(|bad| {
        let row = column.codes.iter().position(|&c| c != MISSING && *column.values[c as usize] == **bad).unwrap_or(0) + 1;
        LabelProblem::NotNumber { row, value: bad.to_string() }
    })
}

fn auto_rule(column: &Column) -> Result<LabelRule> {
    let (counts, _) = column.counts();
    match column.values.len() {
        0 => Err(label_error(column, LabelProblem::AllMissing)),
        1 => Err(label_error(column, LabelProblem::SingleValue(column.values[0].to_string()))),
        2 => {
            let named = column.values.iter().position(|v| POSITIVE_TOKENS.iter().any(|t| v.eq_ignore_ascii_case(t)));
            let rarer = if counts[1] < counts[0] { 1 } else { 0 };
            Ok(LabelRule::Positive { value: column.values[named.unwrap_or(rarer)].to_string() })
        }
        n => match numbers(column) {
            // Many distinct numbers, or any fraction: a quantity, not a set of codes.
            Ok(values) if n > MAX_INTEGER_CATEGORIES || values.iter().any(|v| v.fract() != 0.0) => {
                Ok(LabelRule::Number { mean: 0.0, sd: 1.0 })
            }
            // A few text values, or a few whole numbers (codes): classes.
            _ if n <= MAX_CLASSES => Ok(LabelRule::Classes { values: Vec::new() }),
            _ => Err(label_error(column, LabelProblem::NotBinary(n))),
        },
    }
}

fn positive_targets(column: &Column, value: &str) -> Result<Vec<Option<f64>>> {
    let Some(code) = column.values.iter().position(|v| &**v == value) else {
        let shown: Vec<&str> = column.values.iter().take(10).map(|v| &**v).collect();
        let examples = shown.join(", ");
        return Err(label_error(column, LabelProblem::PositiveNeverOccurs { value: value.to_string(), examples }));
    };
    Ok(column.codes.iter().map(|&c| (c != MISSING).then_some(f64::from(u8::from(c as usize == code)))).collect())
}

fn threshold_targets(column: &Column, at: f64) -> Result<Vec<Option<f64>>> {
    let numbers = numbers(column).map_err(|p| label_error(column, p))?;
    Ok(column.codes.iter().map(|&c| (c != MISSING).then(|| f64::from(u8::from(numbers[c as usize] >= at)))).collect())
}

/// Class indices into `values` (every value the column holds, in order of first appearance, when
/// `values` is empty); a value outside a saved model's classes is a typed error.
fn class_targets(column: &Column, values: &[String]) -> Result<Labels> {
    let values: Vec<String> = if values.is_empty() { column.values.iter().map(|v| v.to_string()).collect() } else { values.to_vec() };
    if values.len() < 2 {
        return Err(label_error(column, LabelProblem::AllMissing));
    }
    if values.len() > MAX_CLASSES {
        return Err(label_error(column, LabelProblem::TooManyClasses(values.len())));
    }
    let index: Vec<Option<usize>> = column.values.iter().map(|v| values.iter().position(|c| c == &**v)).collect();
    let mut targets = Vec::with_capacity(column.codes.len());
    for (row, &code) in column.codes.iter().enumerate() {
        targets.push(match code {
            MISSING => None,
            code => match index[code as usize] {
                Some(class) => Some(class as f64),
                None => {
                    let problem = LabelProblem::UnknownClass { row: row + 1, value: column.values[code as usize].to_string() };
                    return Err(label_error(column, problem));
                }
            },
        });
    }
    Ok(Labels { rule: LabelRule::Classes { values }, targets })
}

fn number_targets(column: &Column) -> Result<Vec<Option<f64>>> {
    let numbers = numbers(column).map_err(|p| label_error(column, p))?;
    if numbers.is_empty() {
        return Err(label_error(column, LabelProblem::AllMissing));
    }
    Ok(column.codes.iter().map(|&c| (c != MISSING).then(|| numbers[c as usize])).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(values: &[&str]) -> Column {
        let mut c = Column::new("y");
        values.iter().for_each(|v| c.push(v));
        c
    }

    fn targets(values: &[&str], rule: LabelRule) -> Result<(LabelRule, Vec<Option<f64>>)> {
        Labels::from_column(&column(values), &rule).map(|l| (l.rule, l.targets))
    }

    #[test]
    fn auto_prefers_named_positive_then_rarer_value() {
        let (rule, t) = targets(&["no", "yes", "no", "NA"], LabelRule::Auto).unwrap();
        assert_eq!(rule, LabelRule::Positive { value: "yes".into() });
        assert_eq!(t, [Some(0.0), Some(1.0), Some(0.0), None]);
        let (rule, _) = targets(&["<=50K", "<=50K", ">50K"], LabelRule::Auto).unwrap();
        assert_eq!(rule, LabelRule::Positive { value: ">50K".into() });
    }

    #[test]
    fn positive_class_and_threshold() {
        let (_, t) = targets(&["a", "b", "c"], LabelRule::Positive { value: "b".into() }).unwrap();
        assert_eq!(t, [Some(0.0), Some(1.0), Some(0.0)]);
        let (_, t) = targets(&["1", "4", "5", "3.5"], LabelRule::Threshold { at: 4.0 }).unwrap();
        assert_eq!(t, [Some(0.0), Some(1.0), Some(1.0), Some(0.0)]);
    }

    #[test]
    fn errors_say_what_to_do() {
        let many: Vec<String> = (0..70).map(|i| format!("v{i}")).collect();
        let err = targets(&many.iter().map(String::as_str).collect::<Vec<_>>(), LabelRule::Auto).unwrap_err().to_string();
        assert_eq!(
            err,
            "label column 'y': it has 70 distinct values, so it is not binary: choose a positive class or, for numbers, a threshold"
        );
        let err = targets(&["a", "b", "c"], LabelRule::Classes { values: vec!["a".into(), "b".into()] }).unwrap_err().to_string();
        assert_eq!(err, "label column 'y': row 3: 'c' is not one of the model's classes");
        let err = targets(&["1", "x", "3"], LabelRule::Threshold { at: 2.0 }).unwrap_err().to_string();
        assert_eq!(err, "label column 'y': row 2: 'x' is not a number, so neither a threshold nor a regression can apply");
        let err = targets(&["a", "b"], LabelRule::Positive { value: "z".into() }).unwrap_err().to_string();
        assert!(err.contains("'z' never occurs"), "{err}");
        let err = targets(&["a", "a"], LabelRule::Auto).unwrap_err().to_string();
        assert!(err.contains("single value 'a'"), "{err}");
        let err = targets(&["1", "2"], LabelRule::Threshold { at: 5.0 }).unwrap_err().to_string();
        assert!(err.contains("same side"), "{err}");
    }

    #[test]
    fn the_task_is_inferred_from_the_column() {
        // Fractions, or more distinct whole numbers than a code would have: a quantity.
        let (rule, t) = targets(&["1.5", "2.25", "NA", "7"], LabelRule::Auto).unwrap();
        assert_eq!((rule.task(), t), (Task::Regression, vec![Some(1.5), Some(2.25), None, Some(7.0)]));
        let many: Vec<String> = (0..40).map(|i| (i * 1000).to_string()).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(targets(&many, LabelRule::Auto).unwrap().0.task(), Task::Regression);
        // A few text values, or a few whole numbers (codes): classes, in order of first appearance.
        let (rule, t) = targets(&["mit", "cyt", "NA", "nuc", "cyt"], LabelRule::Auto).unwrap();
        assert_eq!(rule, LabelRule::Classes { values: vec!["mit".into(), "cyt".into(), "nuc".into()] });
        assert_eq!((rule.outputs(), t), (3, vec![Some(0.0), Some(1.0), None, Some(2.0), Some(1.0)]));
        assert_eq!(targets(&["1", "2", "3", "5", "4"], LabelRule::Auto).unwrap().0.task(), Task::Multiclass);
        // More classes than a model takes, in numbers: a quantity (regression) past 32 whole numbers.
        let codes: Vec<String> = (0..33).map(|i| i.to_string()).collect();
        assert_eq!(targets(&codes.iter().map(String::as_str).collect::<Vec<_>>(), LabelRule::Auto).unwrap().0.task(), Task::Regression);
        // Two values stay a yes/no question, whatever they are.
        assert_eq!(targets(&["0.5", "1.5"], LabelRule::Auto).unwrap().0.task(), Task::Binary);
    }

    #[test]
    fn a_regression_is_standardized_on_the_training_rows_alone() {
        let mut labels = Labels::from_column(&column(&["1", "3", "100", "NA"]), &LabelRule::Number { mean: 0.0, sd: 1.0 }).unwrap();
        labels.fit_scale("y", &[0, 1, 3]).unwrap();
        assert_eq!(labels.rule, LabelRule::Number { mean: 2.0, sd: 1.0 }, "row 2 (100) is a test row: it moves nothing");
        assert_eq!((labels.rule.target(4.0), labels.rule.prediction(-1.5)), (2.0, 0.5));
        let err = labels.fit_scale("y", &[0, 0]).unwrap_err().to_string();
        assert_eq!(err, "label column 'y': every training row has the value 1: nothing to learn");
        let mut huge = Labels::from_column(&column(&["1e308", "1.7e308"]), &LabelRule::Number { mean: 0.0, sd: 1.0 }).unwrap();
        assert!(huge.fit_scale("y", &[0, 1]).unwrap_err().to_string().contains("too large for a regression"));
    }

    #[test]
    fn an_explicit_task_sets_or_refuses_the_rule() {
        let threshold = LabelRule::Threshold { at: 4.0 };
        assert_eq!(LabelRule::Auto.for_task(Some(Task::Regression)).unwrap().task(), Task::Regression);
        assert_eq!(threshold.clone().for_task(Some(Task::Binary)).unwrap(), threshold);
        let err = threshold.for_task(Some(Task::Regression)).unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid setting: the task is regression (predict the number), but a threshold (4) makes a yes/no label: drop one of them"
        );
    }

    #[test]
    fn groups_count_each_task_as_it_is() {
        let yes_no = Labels::from_column(&column(&["no", "yes", "no", "NA"]), &LabelRule::Auto).unwrap();
        assert_eq!(yes_no.groups(&[0, 1]), Groups { codes: vec![Some(0), Some(1), Some(0), None], count: 2 });
        let classes = Labels::from_column(&column(&["mit", "cyt", "NA", "nuc"]), &LabelRule::Auto).unwrap();
        assert_eq!(classes.groups(&[0]), Groups { codes: vec![Some(0), Some(1), None, Some(2)], count: 3 });
        // A number in quantile buckets of the training rows (the first 16 of 1..=20): 8 of 2 values.
        let values: Vec<String> = (1..=20).map(|v| format!("{v}.5")).collect();
        let number = Labels::from_column(&column(&values.iter().map(String::as_str).collect::<Vec<_>>()), &LabelRule::Auto).unwrap();
        let groups = number.groups(&(0..16).collect::<Vec<_>>());
        assert_eq!(groups.count, NUMBER_GROUPS);
        let codes: Vec<u32> = groups.codes.into_iter().flatten().collect();
        assert_eq!(codes, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 7, 7, 7, 7], "the test rows above them share the top bucket");
    }
}
