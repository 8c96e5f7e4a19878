//! The model's parameters in one table: every tensor's name, shape and starting values, and the
//! same parameters exported to plain numbers and back. Building, exporting and checking a saved
//! model all walk this table, so a parameter is described in exactly one place.

use serde::{Deserialize, Serialize};

use super::{ModelConfig, WideDeep, read};
use crate::features::Layout;
use crate::rng::Rng;
use crate::{Error, Result};

/// How a parameter starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Init {
    /// Zeros: wide weights (random ones cost accuracy) and hidden biases.
    Zero,
    /// N(0, 1/dim), as TensorFlow's embedding columns start.
    Normal,
    /// Uniform in ±1/√fan-in, as PyTorch's `Linear` starts.
    Uniform,
    /// The prior: the log-odds of the training set's positive rate, or each class's log share;
    /// training starts from it.
    LogOdds,
}

/// Where a parameter lives in the model. [`param_specs`] lists a model's slots, in order; making a
/// model puts each spec's tensor in its slot and exporting one reads each slot back, so the
/// model's structure is walked in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The wide part's weights, `[ids, outputs]`.
    Wide,
    /// Deep group `g`'s embedding table, `[values, dim]`.
    Deep(usize),
    /// Hidden layer `i`'s weights, `[inputs, units]`.
    HiddenWeight(usize),
    /// Hidden layer `i`'s bias, `[units, 1]`.
    HiddenBias(usize),
    /// The deep part's output layer, `[width, outputs]`.
    Output,
    /// The shared output bias, `[outputs, 1]`.
    Bias,
}

impl Slot {
    /// Its name in exported files, like `wide` or `hidden.0.weight`.
    pub fn name(self) -> String {
        match self {
            Self::Wide => "wide".into(),
            Self::Deep(g) => format!("deep.{g}"),
            Self::HiddenWeight(i) => format!("hidden.{i}.weight"),
            Self::HiddenBias(i) => format!("hidden.{i}.bias"),
            Self::Output => "output.weight".into(),
            Self::Bias => "bias".into(),
        }
    }
}

/// One trainable tensor, stored as a matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSpec {
    /// Where it lives in the model.
    pub slot: Slot,
    /// Its name in exported files ([`Slot::name`]).
    pub name: String,
    /// Rows and columns.
    pub shape: [usize; 2],
    /// How it starts.
    pub init: Init,
}

/// Every parameter of a model with this layout and settings, in file order (which is also the
/// order initial values are drawn in, so a seed always gives the same model).
pub fn param_specs(layout: &Layout, config: &ModelConfig) -> Vec<ParamSpec> {
    let spec = |slot: Slot, shape: [usize; 2], init| ParamSpec { slot, name: slot.name(), shape, init };
    // One output per class of a multiclass label, else one.
    let outputs = layout.target.outputs();
    let mut specs = Vec::new();
    if config.mode.has_wide() {
        specs.push(spec(Slot::Wide, [layout.wide_size(), outputs], Init::Zero));
    }
    if config.mode.has_deep() {
        specs.extend(layout.deep.iter().enumerate().map(|(g, group)| spec(Slot::Deep(g), [group.size, group.dim], Init::Normal)));
        let mut width = layout.deep_width();
        for (i, &size) in config.hidden.iter().enumerate() {
            specs.push(spec(Slot::HiddenWeight(i), [width, size], Init::Uniform));
            specs.push(spec(Slot::HiddenBias(i), [size, 1], Init::Zero));
            width = size;
        }
        specs.push(spec(Slot::Output, [width, outputs], Init::Uniform));
    }
    specs.push(spec(Slot::Bias, [outputs, 1], Init::LogOdds));
    specs
}

/// Draws starting values on the host from one seed, so every backend starts from exactly the
/// same model.
pub(super) struct Initializer {
    rng: Rng,
    /// The output bias's starting values, one per output.
    start: Vec<f64>,
}

impl Initializer {
    pub(super) fn new(seed: u64, start: Vec<f64>) -> Self {
        Self { rng: Rng::new(seed, 3), start }
    }

    /// Row-major starting values for `spec`.
    pub(super) fn values(&mut self, spec: &ParamSpec) -> Vec<f32> {
        let [rows, cols] = spec.shape;
        let rng = &mut self.rng;
        match spec.init {
            Init::Zero => vec![0.0; rows * cols],
            Init::Normal => {
                let scale = 1.0 / (cols as f64).sqrt();
                (0..rows * cols).map(|_| (rng.normal() * scale) as f32).collect()
            }
            Init::Uniform => {
                let bound = 1.0 / (rows as f64).sqrt();
                (0..rows * cols).map(|_| rng.uniform(bound)).collect()
            }
            Init::LogOdds => (0..rows * cols).map(|i| self.start.get(i).copied().unwrap_or(0.0) as f32).collect(),
        }
    }
}

/// One parameter as plain numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedTensor {
    /// Parameter name, like `wide` or `hidden.0.weight`.
    pub name: String,
    /// Its shape.
    pub shape: Vec<usize>,
    /// Row-major values.
    pub values: Vec<f32>,
}

/// All parameters of a model, read with async reads so export works on WebGPU too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameters {
    /// In the order of [`param_specs`].
    pub tensors: Vec<NamedTensor>,
}

impl Parameters {
    /// The parameter called `name`.
    pub fn get(&self, name: &str) -> Option<&NamedTensor> {
        self.tensors.iter().find(|t| t.name == name)
    }

    /// Checks that these parameters fit a model described by `specs`.
    pub fn check(&self, specs: &[ParamSpec]) -> Result<()> {
        for spec in specs {
            let name = &spec.name;
            let t = self.get(name).ok_or_else(|| Error::ModelFile(format!("parameter '{name}' is missing")))?;
            let len: usize = spec.shape.iter().product();
            if t.shape != spec.shape || t.values.len() != len {
                return Err(Error::ModelFile(format!(
                    "parameter '{name}' has shape {:?} ({} values), expected {:?}",
                    t.shape,
                    t.values.len(),
                    spec.shape
                )));
            }
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(twice) = self.tensors.iter().find(|t| !seen.insert(t.name.as_str())) {
            return Err(Error::ModelFile(format!("parameter '{}' appears twice", twice.name)));
        }
        if let Some(extra) = self.tensors.iter().find(|t| !specs.iter().any(|s| s.name == t.name)) {
            return Err(Error::ModelFile(format!("parameter '{}' is not one of this model's", extra.name)));
        }
        Ok(())
    }
}

impl WideDeep {
    /// Reads every parameter (one transaction) into plain numbers.
    pub async fn export(&self, layout: &Layout, config: &ModelConfig) -> Result<Parameters> {
        let specs = param_specs(layout, config);
        let values = read::floats_many(specs.iter().map(|s| self.tensor(s.slot).reshape([-1])).collect()).await?;
        let tensors = specs
            .into_iter()
            .zip(values)
            .map(|(spec, values)| NamedTensor { name: spec.name, shape: spec.shape.to_vec(), values })
            .collect();
        Ok(Parameters { tensors })
    }
}
