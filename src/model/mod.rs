//! The Wide & Deep model: a sparse linear wide part and an MLP over embeddings, joined at the
//! logit as in Cheng et al. (2016).

mod dense;
mod inputs;
mod products;
pub mod read;
mod saved;
mod weights;

use burn::module::{Module, Param};
use burn::nn::{Embedding, Linear};
use burn::tensor::activation::relu;
use burn::tensor::module::embedding;
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

pub use inputs::Inputs;
pub use products::{ProductSpeed, product_speeds};
pub use saved::{FORMAT, SavedModel, Scored};
pub use weights::{NamedTensor, Weights};

use crate::features::Layout;
use crate::{Error, Result};

/// Which parts of the model are trained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The linear model over raw and crossed features alone (memorization).
    Wide,
    /// The MLP over embeddings and numbers alone (generalization).
    Deep,
    /// Both, summed at the logit: the paper's model.
    Joint,
}

impl Mode {
    /// All three, in the order races show them.
    pub const ALL: [Mode; 3] = [Mode::Wide, Mode::Deep, Mode::Joint];

    /// The lower-case name used in configs, files and legends.
    pub fn name(self) -> &'static str {
        match self {
            Self::Wide => "wide",
            Self::Deep => "deep",
            Self::Joint => "joint",
        }
    }

    fn has_wide(self) -> bool {
        self != Self::Deep
    }

    fn has_deep(self) -> bool {
        self != Self::Wide
    }
}

impl std::str::FromStr for Mode {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| Error::Config(format!("unknown model '{s}': expected wide, deep or joint")))
    }
}

/// The sizes a model is built with; together with a [`Layout`] they fix every tensor's shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    /// Which parts to build.
    pub mode: Mode,
    /// Hidden layer widths of the deep MLP.
    pub hidden: Vec<usize>,
}

/// The trainable model. Every part a mode does not use is absent, so a wide-only model has no
/// deep parameters at all.
#[derive(Module, Debug)]
pub struct WideDeep {
    wide: Option<Embedding>,
    deep: Vec<Embedding>,
    hidden: Vec<Linear>,
    output: Option<Linear>,
    bias: Param<Tensor<1>>,
    /// Per deep group: whether its slots are averaged (`true`) or concatenated.
    #[module(skip)]
    pooling: Vec<bool>,
}

impl WideDeep {
    /// A fresh model: wide weights at zero, deep weights from `seed`, the bias at the log-odds of
    /// `base_rate` so training starts from the prior instead of from 50/50.
    pub fn new(layout: &Layout, config: &ModelConfig, seed: u64, base_rate: f64, device: &Device) -> Result<Self> {
        check_inputs(layout, config)?;
        let mut init = weights::Initializer::new(seed, base_rate);
        Ok(Self::build(layout, config, device, &mut |name, dims| init.values(name, dims)))
    }

    /// Rebuilds a model from exported [`Weights`], checking every shape.
    pub fn from_weights(layout: &Layout, config: &ModelConfig, weights: &Weights, device: &Device) -> Result<Self> {
        check_inputs(layout, config)?;
        weights.check(&Self::shapes(layout, config))?;
        Ok(Self::build(layout, config, device, &mut |name, _| weights.get(name).expect("checked").values.clone()))
    }

    /// Logits, one per row.
    pub fn forward(&self, inputs: &Inputs) -> Tensor<1> {
        let (wide, deep) = self.parts(inputs);
        let logit = [wide, deep].into_iter().flatten().fold(self.bias.val().unsqueeze_dim::<2>(0), |sum, part| sum + part);
        logit.reshape([inputs.rows()])
    }

    /// The wide and the deep contributions to each row's logit (`[rows, 1]` each, absent when
    /// the mode has no such part); the logit is their sum plus [`WideDeep::bias`].
    pub fn parts(&self, inputs: &Inputs) -> (Option<Tensor<2>>, Option<Tensor<2>>) {
        let wide = self.wide.as_ref().zip(inputs.wide_ids.as_ref()).map(|(wide, ids)| {
            let w = embedding(wide.weight.val(), ids.clone()).reshape([inputs.rows() as i32, -1]);
            match &inputs.wide_weights {
                Some(mask) => w * mask.clone(),
                None => w,
            }
            .sum_dim(1)
        });
        let deep = self.output.as_ref().map(|output| dense::forward(output, self.deep_features(inputs)));
        (wide, deep)
    }

    /// The shared output bias.
    pub fn bias(&self) -> Tensor<1> {
        self.bias.val()
    }

    fn deep_features(&self, inputs: &Inputs) -> Tensor<2> {
        let rows = inputs.rows() as i32;
        let mut parts: Vec<Tensor<2>> = Vec::new();
        for ((table, pooled), input) in self.deep.iter().zip(&self.pooling).zip(&inputs.deep) {
            let e = embedding(table.weight.val(), input.ids.clone());
            parts.push(match (pooled, &input.weights) {
                (true, Some(w)) => (e * w.clone().unsqueeze_dim::<3>(2)).sum_dim(1).reshape([rows, -1]),
                _ => e.reshape([rows, -1]),
            });
        }
        parts.extend(inputs.numeric.clone());
        let mut x = Tensor::cat(parts, 1);
        for layer in &self.hidden {
            x = relu(dense::forward(layer, x));
        }
        x
    }

    fn build(layout: &Layout, config: &ModelConfig, device: &Device, values: &mut dyn FnMut(&str, &[usize]) -> Vec<f32>) -> Self {
        let mut make = |name: &str, dims: &[usize]| {
            let values = values(name, dims);
            let len = values.len();
            Tensor::<1>::from_data(burn::tensor::TensorData::new(values, [len]), device)
        };
        let has_deep = config.mode.has_deep();
        let wide = config
            .mode
            .has_wide()
            .then(|| Embedding { weight: Param::from_tensor(make("wide", &[layout.wide_size(), 1]).reshape([layout.wide_size(), 1])) });
        let deep = layout
            .deep
            .iter()
            .enumerate()
            .filter(|_| has_deep)
            .map(|(g, group)| Embedding {
                weight: Param::from_tensor(make(&format!("deep.{g}"), &[group.size, group.dim]).reshape([group.size, group.dim])),
            })
            .collect();
        let mut width = layout.deep_width();
        let mut hidden = Vec::new();
        for (i, &size) in config.hidden.iter().enumerate().filter(|_| has_deep) {
            let weight = Param::from_tensor(make(&format!("hidden.{i}.weight"), &[width, size]).reshape([width, size]));
            let bias = Param::from_tensor(make(&format!("hidden.{i}.bias"), &[size, 1]));
            hidden.push(Linear { weight, bias: Some(bias) });
            width = size;
        }
        let output =
            has_deep.then(|| Linear { weight: Param::from_tensor(make("output.weight", &[width, 1]).reshape([width, 1])), bias: None });
        let bias = Param::from_tensor(make("bias", &[1, 1]));
        let pooling = layout.deep.iter().map(|g| g.pooled).collect();
        Self { wide, deep, hidden, output, bias, pooling }
    }

    /// Every parameter's name and shape, in a fixed order (the order of [`Weights`]).
    pub fn shapes(layout: &Layout, config: &ModelConfig) -> Vec<(String, Vec<usize>)> {
        let mut shapes = Vec::new();
        if config.mode.has_wide() {
            shapes.push(("wide".to_string(), vec![layout.wide_size(), 1]));
        }
        if config.mode.has_deep() {
            shapes.extend(layout.deep.iter().enumerate().map(|(g, group)| (format!("deep.{g}"), vec![group.size, group.dim])));
            let mut width = layout.deep_width();
            for (i, &size) in config.hidden.iter().enumerate() {
                shapes.push((format!("hidden.{i}.weight"), vec![width, size]));
                shapes.push((format!("hidden.{i}.bias"), vec![size, 1]));
                width = size;
            }
            shapes.push(("output.weight".to_string(), vec![width, 1]));
        }
        shapes.push(("bias".to_string(), vec![1, 1]));
        shapes
    }

    /// Every parameter tensor, flattened, in the order of [`WideDeep::shapes`].
    fn flat_params(&self) -> Vec<Tensor<1>> {
        let flat = |t: Tensor<2>| t.reshape([-1]);
        let mut out: Vec<Tensor<1>> = Vec::new();
        out.extend(self.wide.iter().map(|w| flat(w.weight.val())));
        out.extend(self.deep.iter().map(|e| flat(e.weight.val())));
        for layer in &self.hidden {
            out.push(flat(layer.weight.val()));
            out.extend(layer.bias.iter().map(|b| b.val()));
        }
        out.extend(self.output.iter().map(|o| flat(o.weight.val())));
        out.push(self.bias.val());
        out
    }

    /// The wide weights (one per wide id), for showing what the wide part memorized.
    pub fn wide_weights(&self) -> Option<Tensor<1>> {
        self.wide.as_ref().map(|w| w.weight.val().reshape([-1]))
    }
}

fn check_inputs(layout: &Layout, config: &ModelConfig) -> Result<()> {
    if config.mode.has_wide() && layout.wide.is_empty() {
        return Err(Error::Config(format!(
            "the {} model needs wide features, but no column or cross feeds the wide part",
            config.mode.name()
        )));
    }
    if config.mode.has_deep() && layout.deep_width() == 0 {
        return Err(Error::Config(format!("the {} model needs deep features, but no column feeds the deep part", config.mode.name())));
    }
    if config.hidden.iter().any(|&h| h == 0) {
        return Err(Error::Config("hidden layer sizes must be at least 1".into()));
    }
    Ok(())
}
