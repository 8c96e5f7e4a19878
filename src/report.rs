//! A whole run's report in the shape the CLI's `--json` writes and the browser exports: the data,
//! the settings and every model's epochs. It sits above `train` because it holds the whole
//! [`Config`], which training never sees.

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::train::{DatasetInfo, ModelRun};

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
        metrics_csv(&self.models)
    }
}

/// One CSV line per model and epoch of `models`, for spreadsheets: also what the page writes for
/// a race whose models trained in several workers (their runs gathered, in the page's order).
pub fn metrics_csv(models: &[ModelRun]) -> String {
    let mut out = String::from("model,epoch,train_loss,test_loss,test_auc,test_accuracy,seconds,samples_per_second,test_brier,test_ece\n");
    for run in models {
        for e in &run.epochs {
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{}\n",
                run.mode.name(),
                e.epoch,
                e.train_loss,
                e.test_loss,
                e.test_auc,
                e.test_accuracy,
                e.seconds,
                e.samples_per_second,
                e.test_brier,
                e.test_ece
            ));
        }
    }
    out
}
