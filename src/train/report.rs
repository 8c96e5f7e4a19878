//! A run's results in the shape the CLI's `--json` writes and the browser exports.

use serde::{Deserialize, Serialize};

use super::{EpochRecord, Prepared};
use crate::config::Config;
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
    /// Share of positive training rows.
    pub positive_share: f64,
    /// Ids in the wide table.
    pub wide_ids: usize,
    /// Width of the deep MLP's input.
    pub deep_inputs: usize,
    /// Columns that alone give the label away (left out unless a role keeps them).
    pub leaks: Vec<Leak>,
}

impl DatasetInfo {
    /// Describes a prepared split.
    pub fn new(name: impl Into<String>, prepared: &Prepared) -> Self {
        Self {
            name: name.into(),
            rows: prepared.train.rows + prepared.test.rows,
            train_rows: prepared.train.rows,
            test_rows: prepared.test.rows,
            label: prepared.encoder.label_rule.describe(&prepared.encoder.label),
            positive_share: prepared.base_rate,
            wide_ids: prepared.layout.wide_size(),
            deep_inputs: prepared.layout.deep_width(),
            leaks: prepared.leaks.clone(),
        }
    }
}

/// One model's curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRun {
    /// Which model.
    pub mode: Mode,
    /// One record per finished epoch.
    pub epochs: Vec<EpochRecord>,
}

impl ModelRun {
    /// The last epoch, if any finished.
    pub fn last(&self) -> Option<&EpochRecord> {
        self.epochs.last()
    }
}

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The data.
    pub dataset: DatasetInfo,
    /// The settings.
    pub config: Config,
    /// Every model's epochs.
    pub models: Vec<ModelRun>,
}

impl Report {
    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("reports always serialize")
    }

    /// One CSV line per model and epoch, for spreadsheets.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("model,epoch,train_loss,test_loss,test_auc,test_accuracy,seconds,samples_per_second\n");
        for run in &self.models {
            for e in &run.epochs {
                out.push_str(&format!(
                    "{},{},{},{},{},{},{},{}\n",
                    run.mode.name(),
                    e.epoch,
                    e.train_loss,
                    e.test_loss,
                    e.test_auc,
                    e.test_accuracy,
                    e.seconds,
                    e.samples_per_second
                ));
            }
        }
        out
    }
}
