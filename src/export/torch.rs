//! A saved model as a PyTorch bundle, to train it further on many machines with PyTorch's
//! DistributedDataParallel, and a checkpoint of that training brought back as a saved model
//! (so the playground's pictures show what the big run learned).
//!
//! The weights travel as safetensors under this crate's parameter names and shapes
//! ([`param_specs`]): `model.py` transposes the hidden layers and adds the padding rows itself, and
//! its checkpoints are written back in the same names and shapes.

use std::collections::HashMap;

use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::Serialize;

use super::inputs::{ModelInput, model_inputs};
use super::spec::{ENCODE_PY, EncoderSpec};
use crate::data::LabelRule;
use crate::model::{ModelConfig, NamedTensor, Parameters, SavedModel, param_specs};
use crate::{Error, Result};

/// The bundle's Python side, written as they are.
const FILES: [(&str, &str); 4] = [
    ("model.py", include_str!("torch/model.py")),
    ("train.py", include_str!("torch/train.py")),
    ("predict.py", include_str!("torch/predict.py")),
    ("README.md", include_str!("torch/README.md")),
];

/// What `model.py` builds: the mode, the tables' sizes and the inputs that read them.
#[derive(Debug, Clone, Serialize)]
struct Structure<'a> {
    format: &'static str,
    /// The encoder's fingerprint: shards written for another model are refused.
    encoder: String,
    mode: &'static str,
    hidden: &'a [usize],
    /// Rows of the wide table (0 without a wide part).
    wide_size: usize,
    /// Each deep group's table: rows, embedding size, whether its one input is mean-pooled.
    deep: Vec<Group>,
    inputs: Vec<ModelInput>,
    /// The groups' input order within each group, by input index: what `forward` concatenates.
    deep_inputs: Vec<Vec<usize>>,
    /// What the model predicts (`binary`, `multiclass`, `regression`): the loss and the output.
    task: &'static str,
    /// Outputs per row: one per class of a multiclass label, else one.
    outputs: usize,
    /// The label's rule: a regression's `mean` and `sd`, a multiclass label's class `values`.
    target: &'a LabelRule,
}

#[derive(Debug, Clone, Serialize)]
struct Group {
    size: usize,
    dim: usize,
    pooled: bool,
}

/// The files of the PyTorch bundle of `saved`, by name: `weights.safetensors`, `structure.json`,
/// `spec.json`, `encode.py`, `model.py`, `train.py`, `predict.py` and a README.
pub fn torch_bundle(saved: &SavedModel) -> Result<Vec<(String, Vec<u8>)>> {
    let layout = saved.encoder.layout();
    let inputs = model_inputs(&saved.encoder, &layout, saved.model.mode);
    let has_deep = saved.model.mode.has_deep();
    let deep_inputs = (0..layout.deep.len())
        .map(|g| {
            inputs
                .iter()
                .enumerate()
                .filter(|(_, i)| i.is_ids() && i.part != super::InputPart::Wide && i.group == g)
                .map(|(n, _)| n)
                .collect()
        })
        .collect();
    let structure = Structure {
        format: "widedeep-torch-1",
        encoder: super::fingerprint(saved),
        mode: saved.model.mode.name(),
        hidden: &saved.model.hidden,
        wide_size: if saved.model.mode.has_wide() { layout.wide_size() } else { 0 },
        deep: if has_deep {
            layout.deep.iter().map(|g| Group { size: g.size, dim: g.dim, pooled: g.pooled }).collect()
        } else {
            Vec::new()
        },
        inputs,
        deep_inputs: if has_deep { deep_inputs } else { Vec::new() },
        task: saved.encoder.label_rule.task().name(),
        outputs: saved.encoder.label_rule.outputs(),
        target: &saved.encoder.label_rule,
    };
    let json = |value: String| value.into_bytes();
    let mut files = vec![
        ("weights.safetensors".to_string(), weights(&saved.parameters)?),
        ("structure.json".to_string(), json(serde_json::to_string_pretty(&structure).expect("a structure always serializes"))),
        ("spec.json".to_string(), json(EncoderSpec::new(saved).to_json())),
        ("encode.py".to_string(), ENCODE_PY.as_bytes().to_vec()),
    ];
    files.extend(FILES.iter().map(|(name, text)| (name.to_string(), text.as_bytes().to_vec())));
    Ok(files)
}

/// The parameters as safetensors (float32, little-endian), under their names and shapes.
fn weights(parameters: &Parameters) -> Result<Vec<u8>> {
    let bytes: Vec<(String, Vec<u8>, Vec<usize>)> = parameters
        .tensors
        .iter()
        .map(|t| (t.name.clone(), t.values.iter().flat_map(|v| v.to_le_bytes()).collect(), t.shape.clone()))
        .collect();
    let views = bytes
        .iter()
        .map(|(name, data, shape)| Ok((name.clone(), TensorView::new(Dtype::F32, shape.clone(), data).map_err(damaged)?)))
        .collect::<Result<Vec<_>>>()?;
    safetensors::tensor::serialize(views, None).map_err(damaged)
}

fn damaged(error: safetensors::SafeTensorError) -> Error {
    Error::ModelFile(format!("safetensors: {error}"))
}

/// `saved` with its parameters replaced by a checkpoint's (safetensors, as `train.py` writes
/// them): every parameter of the model must be there, float32, in its shape.
pub fn import_checkpoint(saved: &SavedModel, bytes: &[u8]) -> Result<SavedModel> {
    let checkpoint =
        SafeTensors::deserialize(bytes).map_err(|e| Error::ModelFile(format!("not a safetensors checkpoint, or a damaged one ({e})")))?;
    let specs = param_specs(&saved.encoder.layout(), &saved.model);
    let mut tensors = Vec::with_capacity(specs.len());
    for spec in &specs {
        let name = &spec.name;
        let view = checkpoint.tensor(name).map_err(|_| {
            Error::ModelFile(format!("the checkpoint has no parameter '{name}': it is not of this model ({})", describe(&saved.model)))
        })?;
        if view.dtype() != Dtype::F32 || view.shape() != spec.shape {
            return Err(Error::ModelFile(format!(
                "the checkpoint's '{name}' is {:?} {:?}, this model's is F32 {:?}: it is not of this model",
                view.dtype(),
                view.shape(),
                spec.shape
            )));
        }
        let values: Vec<f32> = view.data().chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        if let Some(bad) = values.iter().position(|v| !v.is_finite()) {
            return Err(Error::ModelFile(format!("the checkpoint's '{name}' holds a non-finite number at {bad}")));
        }
        tensors.push(NamedTensor { name: name.clone(), shape: spec.shape.to_vec(), values });
    }
    let known: HashMap<&str, ()> = specs.iter().map(|s| (s.name.as_str(), ())).collect();
    if let Some(extra) = checkpoint.names().into_iter().find(|n| !known.contains_key(n)) {
        return Err(Error::ModelFile(format!("the checkpoint has a parameter '{extra}' this model lacks: it is not of this model")));
    }
    Ok(SavedModel::new(saved.encoder.clone(), saved.model.clone(), Parameters { tensors }))
}

fn describe(model: &ModelConfig) -> String {
    format!("a {} model with hidden layers {:?}", model.mode.name(), model.hidden)
}
