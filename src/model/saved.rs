//! A trained model as one self-contained JSON document: the encoder (vocabularies, buckets,
//! label rule), the model's settings and its weights. Scoring another file needs nothing else.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use super::{Inputs, ModelConfig, Parameters, WideDeep, param_specs, predict_logits};
use crate::data::{LabelRule, Labels, Table, Task};
use crate::features::Encoder;
use crate::metrics::{self, Metrics};
use crate::{Error, Result, limits};

/// Identifies the file format, so an incompatible future version fails with a clear message.
pub const FORMAT: &str = "widedeep-model/1";

/// Everything needed to score new rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedModel {
    /// Always [`FORMAT`].
    pub format: String,
    /// The fitted encoder.
    pub encoder: Encoder,
    /// The model's mode and sizes.
    pub model: ModelConfig,
    /// The trained parameters (written as `parameters`; files of the first release call them
    /// `weights`).
    #[serde(alias = "weights")]
    pub parameters: Parameters,
}

/// Predictions for a scored table, and metrics when it had usable labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// One prediction per table row: a probability, or a regression's number in the label's units;
    /// for a multiclass label each row's probability of every class, row-major `[rows, classes]`.
    pub predictions: Vec<f64>,
    /// Quality against the file's own yes/no labels, when it has them.
    pub metrics: Option<Metrics>,
    /// Quality against the file's own numbers (a regression), when it has them.
    pub regression: Option<metrics::RegressionMetrics>,
    /// Numbers so far outside the training range that they were clipped to
    /// ±[`limits::MAX_STANDARDIZED`] standard deviations: each surface says so in a note.
    pub clipped: usize,
}

impl Scored {
    /// The column a scored file gains, one cell per row: the probability or the number with six
    /// decimals, or a multiclass label's most probable class by name.
    pub fn cells(&self, rule: &LabelRule) -> Vec<String> {
        match rule.classes() {
            [] => self.predictions.iter().map(|p| format!("{p:.6}")).collect(),
            classes => self.predictions.chunks_exact(classes.len()).map(|p| classes[metrics::predicted_class(p)].clone()).collect(),
        }
    }
}

impl SavedModel {
    /// Bundles a trained model's parts.
    pub fn new(encoder: Encoder, model: ModelConfig, parameters: Parameters) -> Self {
        Self { format: FORMAT.to_string(), encoder, model, parameters }
    }

    /// The JSON document.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a saved model always serializes")
    }

    /// Reads a JSON document written by [`SavedModel::to_json`], checking format and shapes.
    pub fn from_json(text: &str) -> Result<Self> {
        #[derive(Deserialize)]
        struct Header {
            format: Option<String>,
        }
        let header: Header = serde_json::from_str(text).map_err(|e| Error::ModelFile(format!("not a widedeep model file ({e})")))?;
        if header.format.as_deref() != Some(FORMAT) {
            return Err(Error::ModelFile(format!("unsupported format {:?}: expected \"{FORMAT}\"", header.format.unwrap_or_default())));
        }
        let saved: Self = serde_json::from_str(text).map_err(|e| Error::ModelFile(e.to_string()))?;
        saved.encoder.check()?;
        saved.parameters.check(&param_specs(&saved.encoder.layout(), &saved.model))?;
        Ok(saved)
    }

    /// The model on `device`, ready to score.
    pub fn build(&self, device: &Device) -> Result<WideDeep> {
        WideDeep::from_parameters(&self.encoder.layout(), &self.model, &self.parameters, device)
    }

    /// Scores every row of `table`. Unseen values map to the reserved id; the label column is
    /// optional, and used for metrics when present.
    pub async fn score(&self, table: &Table, device: &Device) -> Result<Scored> {
        let rows: Vec<usize> = (0..table.rows()).collect();
        let labels = table.column(&self.encoder.label).ok().and_then(|c| Labels::from_column(c, &self.encoder.label_rule).ok());
        let labelled = labels.as_ref().filter(|l| l.targets.iter().all(Option::is_some));
        let encoded = self.encoder.encode(table, &rows, labelled.map(|l| l.targets.as_slice()))?;
        let layout = self.encoder.layout();
        let model = self.build(device)?;
        let logits = predict_logits(&model, &Inputs::upload(&encoded, &layout, device)).await?;
        let rule = &self.encoder.label_rule;
        let predictions: Vec<f64> = match rule.task() {
            Task::Multiclass => metrics::softmax_rows(&logits, rule.outputs()),
            _ => logits.iter().map(|&z| rule.prediction(f64::from(z))).collect(),
        };
        let (mut metrics, mut regression) = (None, None);
        if let Some(labels) = labelled {
            match rule.task() {
                Task::Binary => metrics = Some(metrics::evaluate(&logits, &encoded.targets)),
                Task::Multiclass => metrics = Some(metrics::multiclass(&logits, &encoded.targets, rule.outputs()).0),
                Task::Regression => {
                    let actual: Vec<f64> = labels.targets.iter().map(|t| t.expect("every row is labelled")).collect();
                    regression = Some(metrics::regression(&predictions, &actual));
                }
            }
        }
        let clipped = encoded.numeric.iter().filter(|z| f64::from(z.abs()) >= limits::MAX_STANDARDIZED).count();
        Ok(Scored { predictions, metrics, regression, clipped })
    }
}
