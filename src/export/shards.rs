//! Encoded rows in shards for training elsewhere: safetensors files of a fixed number of rows,
//! each holding the model's inputs (as the ONNX graph and the PyTorch bundle read them) and the
//! labels, with a manifest per part. Every machine can encode its own part of a file with the
//! same fitted encoder (`--part i/n`); the manifest's encoder fingerprint lets a trainer refuse a
//! shard encoded for another model.

use safetensors::tensor::{Dtype, TensorView};
use serde::{Deserialize, Serialize};

use super::inputs::{Values, feeds, model_inputs};
use super::spec::EncoderSpec;
use crate::data::{Labels, Table};
use crate::model::SavedModel;
use crate::{Error, Result};

/// The manifest's format name.
pub const SHARDS_FORMAT: &str = "widedeep-shards-1";

/// One part's shards, as `manifest-I-of-N.json` describes them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`SHARDS_FORMAT`].
    pub format: String,
    /// The fingerprint of the encoder that wrote the shards ([`fingerprint`]).
    pub encoder: String,
    /// This part and the number of parts: `[i, n]`.
    pub part: [usize; 2],
    /// Each shard's file name and rows, in order.
    pub shards: Vec<(String, usize)>,
    /// Whether the shards hold `targets` (the file had the label on every row).
    pub targets: bool,
}

/// A short, stable name of `saved`'s fitted encoder and inputs: the same model gives the same
/// fingerprint on every machine; another encoder, another fingerprint.
pub fn fingerprint(saved: &SavedModel) -> String {
    let text = EncoderSpec::new(saved).to_json();
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{hash:016x}")
}

/// The rows `rows` of `table` as one shard: each input under its name (int64 ids, -1 padding,
/// or float32 numbers; `[rows]` or `[rows, slots]`) and, when every row has its label, `targets`.
pub fn shard(saved: &SavedModel, table: &Table, rows: &[usize]) -> Result<(Vec<u8>, bool)> {
    let encoder = &saved.encoder;
    let labels = table.column(&encoder.label).ok().and_then(|c| Labels::from_column(c, &encoder.label_rule).ok());
    let labelled = labels.filter(|l| rows.iter().all(|&r| l.targets[r].is_some()));
    let encoded = encoder.encode(table, rows, labelled.as_ref().map(|l| l.targets.as_slice()))?;
    let layout = encoder.layout();
    let inputs = model_inputs(encoder, &layout, saved.model.mode);
    let values = feeds(&inputs, &layout, &encoded);
    let mut tensors: Vec<(String, Dtype, Vec<usize>, Vec<u8>)> = inputs
        .iter()
        .zip(values)
        .map(|(input, values)| {
            let shape = std::iter::once(rows.len()).chain(input.slots).collect();
            let (dtype, bytes) = match values {
                Values::Ids(ids) => (Dtype::I64, ids.iter().flat_map(|v| v.to_le_bytes()).collect()),
                Values::Numbers(xs) => (Dtype::F32, xs.iter().flat_map(|v| v.to_le_bytes()).collect()),
            };
            (input.name.clone(), dtype, shape, bytes)
        })
        .collect();
    if labelled.is_some() {
        tensors.push(("targets".into(), Dtype::F32, vec![rows.len()], encoded.targets.iter().flat_map(|v| v.to_le_bytes()).collect()));
    }
    let views = tensors
        .iter()
        .map(|(name, dtype, shape, bytes)| {
            TensorView::new(*dtype, shape.clone(), bytes).map(|v| (name.clone(), v)).map_err(|e| Error::Damaged(format!("a shard: {e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    let bytes = safetensors::tensor::serialize(views, None).map_err(|e| Error::Damaged(format!("a shard: {e}")))?;
    Ok((bytes, labelled.is_some()))
}

/// Rows `i` of `n` equal parts of `rows` rows (the last parts one row shorter where they do not divide).
pub fn part_rows(rows: usize, [i, n]: [usize; 2]) -> std::ops::Range<usize> {
    (rows * i / n)..(rows * (i + 1) / n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_cover_every_row_once() {
        let parts: Vec<_> = (0..3).map(|i| part_rows(10, [i, 3])).collect();
        assert_eq!(parts, [0..3, 3..6, 6..10]);
        assert_eq!(part_rows(10, [0, 1]), 0..10);
    }
}
