//! What a run trained on and each model's epochs: the parts of a run's report that training
//! knows (the whole report, with the settings, is [`crate::Report`]).

use serde::{Deserialize, Serialize};

use super::{EpochRecord, Prepared};
use crate::data::{LabelRule, Task};
use crate::features::Leak;
use crate::model::Mode;

/// What was trained on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetInfo {
    /// File name or preset name.
    pub name: String,
    /// Labelled rows used.
    pub rows: usize,
    /// Training rows.
    pub train_rows: usize,
    /// Test rows.
    pub test_rows: usize,
    /// The label rule, like `income = >50K`.
    pub label: String,
    /// What the models predict.
    #[serde(default = "binary")]
    pub task: Task,
    /// Share of positive training rows (0 for a regression).
    pub positive_share: f64,
    /// A regression's training targets' mean and standard deviation, in their units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_scale: Option<[f64; 2]>,
    /// A multiclass label's classes, in the model's output order, with their share of the
    /// training rows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<(String, f64)>,
    /// Ids in the wide table.
    pub wide_ids: usize,
    /// Width of the deep MLP's input.
    pub deep_inputs: usize,
    /// Columns that alone give the label away (left out unless a role keeps them).
    pub leaks: Vec<Leak>,
    /// What makes this split's figures say little (a class with few rows in it), in words.
    #[serde(default)]
    pub warnings: Vec<String>,
}

fn binary() -> Task {
    Task::Binary
}

/// Fewer rows of a class than this in the training or test rows make a warning: an AUC measured
/// on a handful of positives moves by whole tenths from one seed to the next.
const FEW_ROWS: usize = 10;

impl DatasetInfo {
    /// Describes a prepared split.
    pub fn new(name: impl Into<String>, prepared: &Prepared) -> Self {
        Self {
            warnings: few_rows_warnings(prepared),
            name: name.into(),
            rows: prepared.train.rows + prepared.test.rows,
            train_rows: prepared.train.rows,
            test_rows: prepared.test.rows,
            label: prepared.encoder.label_rule.describe(&prepared.encoder.label),
            task: prepared.task(),
            positive_share: if prepared.task() == Task::Binary { prepared.base_rate } else { 0.0 },
            target_scale: match prepared.encoder.label_rule {
                LabelRule::Number { mean, sd } => Some([mean, sd]),
                _ => None,
            },
            classes: prepared.encoder.label_rule.classes().iter().cloned().zip(prepared.class_shares()).collect(),
            wide_ids: prepared.layout.wide_size(),
            deep_inputs: prepared.layout.deep_width(),
            leaks: prepared.leaks.clone(),
        }
    }
}

/// A warning for each part of the split (training, test) that holds fewer than [`FEW_ROWS`]
/// rows of a class.
fn few_rows_warnings(prepared: &Prepared) -> Vec<String> {
    if prepared.task() != Task::Binary {
        return Vec::new();
    }
    let label = prepared.encoder.label_rule.describe(&prepared.encoder.label);
    let mut warnings = Vec::new();
    for (part, targets) in [("training", &prepared.train.targets), ("test", &prepared.test.targets)] {
        let positives = targets.iter().filter(|&&y| y >= 0.5).count();
        for (class, count) in [("positive", positives), ("negative", targets.len() - positives)] {
            if count < FEW_ROWS {
                let plural = if count == 1 { "" } else { "s" };
                warnings.push(format!("the {part} rows hold {count} {class} row{plural} of {label}: the metrics say little"));
            }
        }
    }
    warnings
}

/// One model's curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRun {
    /// Which model.
    pub mode: Mode,
    /// One record per finished epoch.
    pub epochs: Vec<EpochRecord>,
    /// A previous run kept on screen beside the current one (drawn faint, "before"), so a
    /// class sees what a change did in one look.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ghost: bool,
    /// The epoch kept (the best on the validation rows), when the run held some back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_epoch: Option<usize>,
}

impl ModelRun {
    /// The current run of `mode` (not a ghost).
    pub fn new(mode: Mode, epochs: Vec<EpochRecord>) -> Self {
        Self { mode, epochs, ghost: false, best_epoch: None }
    }

    /// The run of `trainer` so far, with the epoch it keeps.
    pub fn of(trainer: &super::Trainer) -> Self {
        Self { best_epoch: trainer.best().map(|b| b.epoch), ..Self::new(trainer.mode(), trainer.history().to_vec()) }
    }

    /// The last epoch, if any finished.
    pub fn last(&self) -> Option<&EpochRecord> {
        self.epochs.last()
    }
}
