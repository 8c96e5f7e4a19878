//! Looking inside a trained race: what the wide part memorized, and why one row scores as it does.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Engine;
use crate::data::{Column, LabelRule, Labels, Table};
use crate::features::{Suggestion, suggest_crosses};
use crate::model::{Inputs, Mode, read};
use crate::{Error, Result};

/// One learned wide weight with the feature it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WideWeight {
    /// Like `education=Doctorate` or `education x occupation (hash bucket 17)`.
    pub feature: String,
    /// Its weight: added to the logit of every row that has the feature.
    pub weight: f64,
}

/// One row's score split into its parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The wide part's contribution to the logit (0 for a deep-only model).
    pub wide: f64,
    /// The deep part's contribution (0 for a wide-only model).
    pub deep: f64,
    /// The shared bias.
    pub bias: f64,
    /// σ(wide + deep + bias).
    pub probability: f64,
}

impl Engine {
    /// Crosses worth trying for `label` under `rule`, best first.
    pub fn suggest_crosses(&self, label: &str, rule: &LabelRule, max: usize) -> Result<Vec<Suggestion>> {
        let data = self.data.as_ref().ok_or_else(|| Error::Config("load a CSV file first".into()))?;
        let labels = Labels::from_column(data.table.column(label)?, rule)?;
        Ok(suggest_crosses(&data.table, &data.schema, label, &labels.targets, max))
    }

    /// The `count` wide weights of largest magnitude in the `mode` model, with feature names.
    pub async fn top_wide_weights(&self, mode: Mode, count: usize) -> Result<Vec<WideWeight>> {
        let (run, trainer) = self.trainer(mode)?;
        let weights = trainer.model().wide_weights().ok_or_else(|| Error::Config(format!("the {} model has no wide part", mode.name())))?;
        let values = read::floats(weights).await?;
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&a, &b| values[b].abs().total_cmp(&values[a].abs()));
        let encoder = &run.race.prepared.encoder;
        let layout = &run.race.prepared.layout;
        Ok(order
            .into_iter()
            .take(count)
            .map(|i| WideWeight { feature: encoder.describe_wide_id(layout, i as u32), weight: values[i] as f64 })
            .collect())
    }

    /// Scores one row (column → text; absent columns are missing) with the `mode` model and
    /// splits its logit into wide, deep and bias.
    pub async fn explain(&self, mode: Mode, row: &BTreeMap<String, String>) -> Result<Explanation> {
        let (run, trainer) = self.trainer(mode)?;
        let encoder = &run.race.prepared.encoder;
        let columns = encoder
            .fields
            .iter()
            .map(|f| {
                let mut column = Column::new(&f.column);
                column.push(row.get(&f.column).map_or("", String::as_str));
                column
            })
            .collect();
        let table = Table { columns, delimiter: b',' };
        let encoded = encoder.encode(&table, &[0], None)?;
        let model = trainer.model();
        let (wide, deep) = model.parts(&Inputs::upload(&encoded, &run.race.prepared.layout, &self.device));
        let zero = || burn::tensor::Tensor::<1>::zeros([1], &self.device);
        let flat = |part: Option<burn::tensor::Tensor<2>>| part.map_or_else(zero, |t| t.reshape([1]));
        let values = read::floats_many(vec![flat(wide), flat(deep), model.bias()]).await?;
        let (wide, deep, bias) = (values[0][0] as f64, values[1][0] as f64, values[2][0] as f64);
        Ok(Explanation { wide, deep, bias, probability: crate::metrics::sigmoid(wide + deep + bias) })
    }
}
