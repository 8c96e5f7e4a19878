//! Turning the label column into 0/1 targets.

use serde::{Deserialize, Serialize};

use super::schema::parse_number;
use super::table::{Column, MISSING};
use crate::{Error, LabelProblem, Result};

const POSITIVE_TOKENS: [&str; 7] = ["1", "true", "yes", "y", "positive", "pos", "t"];

/// How label values become 0/1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum LabelRule {
    /// A two-valued column: `1`/`true`/`yes` is positive, else the rarer value.
    #[default]
    Auto,
    /// Rows equal to `value` are positive, all others negative.
    Positive { value: String },
    /// Numeric rows `>= at` are positive (`rating >= 4`).
    Threshold { at: f64 },
}

impl LabelRule {
    /// A short human description, like `income = >50K` or `rating >= 4`.
    pub fn describe(&self, column: &str) -> String {
        match self {
            Self::Auto => format!("{column} (automatic)"),
            Self::Positive { value } => format!("{column} = {value}"),
            Self::Threshold { at } => format!("{column} >= {at}"),
        }
    }
}

/// Targets for every row (`None` where the label is missing) and the rule that made them.
#[derive(Debug, Clone, PartialEq)]
pub struct Labels {
    /// The explicit rule (never `Auto`), stored with a model so predictions use the same one.
    pub rule: LabelRule,
    /// One target per row.
    pub targets: Vec<Option<bool>>,
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
            LabelRule::Auto => unreachable!("resolved above"),
        };
        if targets.iter().flatten().all(|&t| t) || targets.iter().flatten().all(|&t| !t) {
            return Err(label_error(column, LabelProblem::OneSided(rule.describe(&column.name))));
        }
        Ok(Self { rule, targets })
    }
}

fn label_error(column: &Column, problem: LabelProblem) -> Error {
    Error::Label { column: column.name.clone(), problem }
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
        n => Err(label_error(column, LabelProblem::NotBinary(n))),
    }
}

fn positive_targets(column: &Column, value: &str) -> Result<Vec<Option<bool>>> {
    let Some(code) = column.values.iter().position(|v| &**v == value) else {
        let shown: Vec<&str> = column.values.iter().take(10).map(|v| &**v).collect();
        let examples = shown.join(", ");
        return Err(label_error(column, LabelProblem::PositiveNeverOccurs { value: value.to_string(), examples }));
    };
    Ok(column.codes.iter().map(|&c| (c != MISSING).then_some(c as usize == code)).collect())
}

fn threshold_targets(column: &Column, at: f64) -> Result<Vec<Option<bool>>> {
    let numbers: Vec<f64> =
        column.values.iter().map(|v| parse_number(v).ok_or(v)).collect::<std::result::Result<_, _>>().map_err(|bad| {
            let row = column.codes.iter().position(|&c| c != MISSING && *column.values[c as usize] == **bad).unwrap_or(0) + 1;
            label_error(column, LabelProblem::NotNumber { row, value: bad.to_string() })
        })?;
    Ok(column.codes.iter().map(|&c| (c != MISSING).then(|| numbers[c as usize] >= at)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(values: &[&str]) -> Column {
        let mut c = Column::new("y");
        values.iter().for_each(|v| c.push(v));
        c
    }

    fn targets(values: &[&str], rule: LabelRule) -> Result<(LabelRule, Vec<Option<bool>>)> {
        Labels::from_column(&column(values), &rule).map(|l| (l.rule, l.targets))
    }

    #[test]
    fn auto_prefers_named_positive_then_rarer_value() {
        let (rule, t) = targets(&["no", "yes", "no", "NA"], LabelRule::Auto).unwrap();
        assert_eq!(rule, LabelRule::Positive { value: "yes".into() });
        assert_eq!(t, [Some(false), Some(true), Some(false), None]);
        let (rule, _) = targets(&["<=50K", "<=50K", ">50K"], LabelRule::Auto).unwrap();
        assert_eq!(rule, LabelRule::Positive { value: ">50K".into() });
    }

    #[test]
    fn positive_class_and_threshold() {
        let (_, t) = targets(&["a", "b", "c"], LabelRule::Positive { value: "b".into() }).unwrap();
        assert_eq!(t, [Some(false), Some(true), Some(false)]);
        let (_, t) = targets(&["1", "4", "5", "3.5"], LabelRule::Threshold { at: 4.0 }).unwrap();
        assert_eq!(t, [Some(false), Some(true), Some(true), Some(false)]);
    }

    #[test]
    fn errors_say_what_to_do() {
        let err = targets(&["a", "b", "c"], LabelRule::Auto).unwrap_err().to_string();
        assert_eq!(
            err,
            "label column 'y': it has 3 distinct values, so it is not binary: choose a positive class or, for numbers, a threshold"
        );
        let err = targets(&["1", "x", "3"], LabelRule::Threshold { at: 2.0 }).unwrap_err().to_string();
        assert_eq!(err, "label column 'y': row 2: 'x' is not a number, so a threshold cannot apply");
        let err = targets(&["a", "b"], LabelRule::Positive { value: "z".into() }).unwrap_err().to_string();
        assert!(err.contains("'z' never occurs"), "{err}");
        let err = targets(&["a", "a"], LabelRule::Auto).unwrap_err().to_string();
        assert!(err.contains("single value 'a'"), "{err}");
        let err = targets(&["1", "2"], LabelRule::Threshold { at: 5.0 }).unwrap_err().to_string();
        assert!(err.contains("same side"), "{err}");
    }
}
