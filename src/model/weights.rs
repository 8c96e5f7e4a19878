//! Initial values, and parameters exported to plain numbers and back.

use serde::{Deserialize, Serialize};

use super::{ModelConfig, WideDeep, read};
use crate::features::Layout;
use crate::rng::Rng;
use crate::{Error, Result};

/// Draws initial parameter values on the host from one seed, so every backend starts from
/// exactly the same model.
pub(super) struct Initializer {
    rng: Rng,
    base_rate: f64,
}

impl Initializer {
    pub(super) fn new(seed: u64, base_rate: f64) -> Self {
        Self { rng: Rng::new(seed, 3), base_rate }
    }

    /// Wide weights and biases start at zero (random wide weights cost accuracy); embeddings at
    /// N(0, 1/dim) as TensorFlow's embedding columns do; dense weights uniform in ±1/√fan-in as
    /// PyTorch's `Linear`; the output bias at the prior log-odds.
    pub(super) fn values(&mut self, name: &str, dims: &[usize]) -> Vec<f32> {
        let n = dims.iter().product();
        let rng = &mut self.rng;
        if name == "bias" {
            let p = self.base_rate.clamp(1e-4, 1.0 - 1e-4);
            vec![(p / (1.0 - p)).ln() as f32]
        } else if name.starts_with("deep.") {
            let scale = 1.0 / (dims[1] as f64).sqrt();
            (0..n).map(|_| (rng.normal() * scale) as f32).collect()
        } else if name.ends_with(".weight") {
            let bound = 1.0 / (dims[0] as f64).sqrt();
            (0..n).map(|_| rng.uniform(bound)).collect()
        } else {
            vec![0.0; n]
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
pub struct Weights {
    /// In the order of [`WideDeep::shapes`].
    pub tensors: Vec<NamedTensor>,
}

impl Weights {
    /// The parameter called `name`.
    pub fn get(&self, name: &str) -> Option<&NamedTensor> {
        self.tensors.iter().find(|t| t.name == name)
    }

    /// Checks that these weights fit a model of the given shapes.
    pub fn check(&self, shapes: &[(String, Vec<usize>)]) -> Result<()> {
        for (name, shape) in shapes {
            let t = self.get(name).ok_or_else(|| Error::ModelFile(format!("parameter '{name}' is missing")))?;
            let len: usize = shape.iter().product();
            if &t.shape != shape || t.values.len() != len {
                return Err(Error::ModelFile(format!(
                    "parameter '{name}' has shape {:?} ({} values), expected {shape:?}",
                    t.shape,
                    t.values.len()
                )));
            }
        }
        Ok(())
    }
}

impl WideDeep {
    /// Reads every parameter (one transaction) into plain numbers.
    pub async fn export(&self, layout: &Layout, config: &ModelConfig) -> Result<Weights> {
        let values = read::floats_many(self.flat_params()).await?;
        let tensors = Self::shapes(layout, config)
            .into_iter()
            .zip(values)
            .map(|((name, shape), values)| NamedTensor { name, shape, values })
            .collect();
        Ok(Weights { tensors })
    }
}
