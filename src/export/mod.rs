//! Taking a trained model out of the playground: an ONNX graph for serving ([`to_onnx`]), and a
//! table's rows encoded as that graph's inputs ([`encode_feeds`]) with the probabilities this
//! crate gives them, so a serving stack can check that it reads the model as we do.

mod inputs;
mod onnx;
mod shards;
mod spec;
mod torch;

use serde::Serialize;

pub use inputs::{InputPart, ModelInput, Values, feeds, model_inputs};
pub use onnx::{OPSET, to_onnx};
pub use shards::{Manifest, SHARDS_FORMAT, fingerprint, part_rows, shard};
pub use spec::{ENCODE_PY, EncoderSpec, SPEC_FORMAT};
pub use torch::{import_checkpoint, torch_bundle};

use crate::Result;
use crate::data::{Labels, Table};
use crate::model::SavedModel;

/// One input's values for some rows, with its name and shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Feed {
    /// The graph input's name.
    pub name: String,
    /// `[rows]` or `[rows, slots]`.
    pub shape: Vec<usize>,
    /// `int64` or `float32`.
    pub dtype: &'static str,
    /// Row-major values.
    pub values: Values,
}

/// A table's rows as the exported model's inputs, and what this crate predicts for them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Feeds {
    /// The fingerprint of the encoder that wrote them ([`fingerprint`]): a model reading feeds of
    /// another encoder refuses them.
    pub encoder: String,
    /// Rows encoded.
    pub rows: usize,
    /// One entry per graph input, in the graph's order.
    pub inputs: Vec<Feed>,
    /// This crate's prediction for each row (the graph's second output, `probability` or a
    /// regression's `prediction`, should match it).
    pub predictions: Vec<f64>,
    /// Each row's target (0/1, or a regression's standard score), when the file has the model's
    /// label on every row (to train on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<f32>>,
}

/// Encodes every row of `table` with `saved`'s encoder as its ONNX inputs, and scores them.
pub async fn encode_feeds(saved: &SavedModel, table: &Table, device: &burn::tensor::Device) -> Result<Feeds> {
    let layout = saved.encoder.layout();
    let rows: Vec<usize> = (0..table.rows()).collect();
    let labels = table.column(&saved.encoder.label).ok().and_then(|c| Labels::from_column(c, &saved.encoder.label_rule).ok());
    let labelled = labels.filter(|l| l.targets.iter().all(Option::is_some));
    let encoded = saved.encoder.encode(table, &rows, labelled.as_ref().map(|l| l.targets.as_slice()))?;
    let inputs = model_inputs(&saved.encoder, &layout, saved.model.mode);
    let values = feeds(&inputs, &layout, &encoded);
    let inputs = inputs
        .into_iter()
        .zip(values)
        .map(|(input, values)| Feed {
            shape: std::iter::once(table.rows()).chain(input.slots).collect(),
            dtype: if input.is_ids() { "int64" } else { "float32" },
            name: input.name,
            values,
        })
        .collect();
    let predictions = saved.score(table, device).await?.predictions;
    let targets = labelled.map(|_| encoded.targets);
    Ok(Feeds { encoder: fingerprint(saved), rows: table.rows(), inputs, predictions, targets })
}
