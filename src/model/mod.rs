//! The Wide & Deep model: a sparse linear wide part and an MLP over embeddings, joined at the
//! logit as in Cheng et al. (2016).

mod dense;
mod inputs;
mod parameters;
pub mod read;
mod saved;

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::nn::{Embedding, Linear};
use burn::tensor::activation::relu;
use burn::tensor::module::embedding;
use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

pub use dense::dense_matmul;
pub use inputs::Inputs;
pub use parameters::{Init, NamedTensor, ParamSpec, Parameters, Slot, param_specs};
pub use saved::{FORMAT, SavedModel, Scored};

use crate::features::{Layout, Parts};
use crate::{Error, Result, limits};

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

    /// Whether this mode has the linear wide part.
    pub fn has_wide(self) -> bool {
        self != Self::Deep
    }

    /// Whether this mode has the deep MLP.
    pub fn has_deep(self) -> bool {
        self != Self::Wide
    }

    /// The parts of a row this mode's model reads: what its training batches take.
    pub fn reads(self) -> Parts {
        Parts { wide: self.has_wide(), deep: self.has_deep() }
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

/// One of the model's tables: the wide weights (one per wide id), or a deep group's embeddings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableId {
    /// The wide weights.
    Wide,
    /// Deep group `g`'s embeddings.
    Deep(usize),
}

/// A batch's ids already looked up in some of the tables, `[rows, slots, dim]` each (see
/// [`WideDeep::forward_with`]); `None`: the model looks that table up itself.
#[derive(Debug, Clone, Default)]
pub struct Lookups {
    /// The wide weights of the batch's wide ids.
    pub wide: Option<Tensor<3>>,
    /// Each deep group's embeddings of the batch's ids.
    pub deep: Vec<Option<Tensor<3>>>,
}

/// The sizes a model is built with; together with a [`Layout`] they fix every tensor's shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    /// Which parts to build.
    pub mode: Mode,
    /// Hidden layer widths of the deep MLP.
    pub hidden: Vec<usize>,
}

/// A model's parts as they are assembled, slot by slot in [`param_specs`] order.
#[derive(Default)]
struct Assembly {
    wide: Option<Embedding>,
    deep: Vec<Embedding>,
    hidden: Vec<Linear>,
    output: Option<Linear>,
    bias: Option<Param<Tensor<1>>>,
}

impl Assembly {
    /// Puts `tensor` in `slot`: the table lists deep groups and hidden layers in order, a layer's
    /// weights before its bias.
    fn put(&mut self, slot: Slot, tensor: Tensor<2>) {
        let table = |t: Tensor<2>| Embedding { weight: Param::from_tensor(t) };
        match slot {
            Slot::Wide => self.wide = Some(table(tensor)),
            Slot::Deep(_) => self.deep.push(table(tensor)),
            Slot::HiddenWeight(_) => self.hidden.push(Linear { weight: Param::from_tensor(tensor), bias: None }),
            Slot::HiddenBias(i) => self.hidden[i].bias = Some(Param::from_tensor(tensor.reshape([-1]))),
            Slot::Output => self.output = Some(Linear { weight: Param::from_tensor(tensor), bias: None }),
            Slot::Bias => self.bias = Some(Param::from_tensor(tensor.reshape([-1]))),
        }
    }
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
    /// A fresh model: every parameter starts as [`param_specs`] says, drawn from `seed`, the
    /// output bias at `start` (one value per output: the prior, see [`Init::LogOdds`]).
    pub fn new(layout: &Layout, config: &ModelConfig, seed: u64, start: Vec<f64>, device: &Device) -> Result<Self> {
        check_inputs(layout, config)?;
        let mut init = parameters::Initializer::new(seed, start);
        Ok(Self::build(layout, config, device, &mut |spec| init.values(spec)))
    }

    /// Rebuilds a model from exported [`Parameters`], checking every shape.
    pub fn from_parameters(layout: &Layout, config: &ModelConfig, parameters: &Parameters, device: &Device) -> Result<Self> {
        check_inputs(layout, config)?;
        parameters.check(&param_specs(layout, config))?;
        Ok(Self::build(layout, config, device, &mut |spec| parameters.get(&spec.name).expect("checked").values.clone()))
    }

    /// Logits `[rows, outputs]` (one output but for a multiclass label's classes).
    pub fn forward(&self, inputs: &Inputs) -> Tensor<2> {
        self.forward_with(inputs, &Lookups::default())
    }

    /// Logits `[rows, outputs]`, taking the tables' rows from `lookups` where it has them: a
    /// training step that makes those lookups its gradient leaves gets the gradient of each
    /// looked-up row and nothing of the rest of the table.
    pub fn forward_with(&self, inputs: &Inputs, lookups: &Lookups) -> Tensor<2> {
        let (wide, deep) = self.parts_with(inputs, lookups);
        [wide, deep].into_iter().flatten().fold(self.bias.val().unsqueeze_dim::<2>(0), |sum, part| sum + part)
    }

    /// The wide and the deep contributions to each row's logits (`[rows, outputs]` each, absent
    /// when the mode has no such part); the logits are their sum plus [`WideDeep::bias`].
    pub fn parts(&self, inputs: &Inputs) -> (Option<Tensor<2>>, Option<Tensor<2>>) {
        self.parts_with(inputs, &Lookups::default())
    }

    fn parts_with(&self, inputs: &Inputs, lookups: &Lookups) -> (Option<Tensor<2>>, Option<Tensor<2>>) {
        let wide = self.wide.as_ref().zip(inputs.wide_ids.as_ref()).map(|(wide, ids)| {
            // `[rows, slots, outputs]`: each slot's weights, masked where a cell holds fewer ids.
            let w = lookups.wide.clone().unwrap_or_else(|| embedding(wide.weight.val(), ids.clone()));
            let w = match &inputs.wide_mask {
                Some(mask) => w * mask.clone().unsqueeze_dim::<3>(2),
                None => w,
            };
            let [rows, _, outputs] = w.dims();
            w.sum_dim(1).reshape([rows, outputs])
        });
        let deep = self.output.as_ref().map(|output| dense::forward(output, self.deep_features(inputs, lookups)));
        (wide, deep)
    }

    /// The shared output bias.
    pub fn bias(&self) -> Tensor<1> {
        self.bias.val()
    }

    fn deep_features(&self, inputs: &Inputs, lookups: &Lookups) -> Tensor<2> {
        let rows = inputs.rows() as i32;
        let mut parts: Vec<Tensor<2>> = Vec::new();
        for (g, ((table, pooled), input)) in self.deep.iter().zip(&self.pooling).zip(&inputs.deep).enumerate() {
            let looked_up = lookups.deep.get(g).cloned().flatten();
            let e = looked_up.unwrap_or_else(|| embedding(table.weight.val(), input.ids.clone()));
            parts.push(match (pooled, &input.pooling) {
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

    /// Assembles the model from the parameter table, each tensor's values from `values`, put in
    /// its slot in the table's order.
    fn build(layout: &Layout, config: &ModelConfig, device: &Device, values: &mut dyn FnMut(&ParamSpec) -> Vec<f32>) -> Self {
        let mut parts = Assembly::default();
        for spec in param_specs(layout, config) {
            parts.put(spec.slot, Tensor::from_data(TensorData::new(values(&spec), spec.shape), device));
        }
        let bias = parts.bias.expect("the table lists the bias");
        Self {
            wide: parts.wide,
            deep: parts.deep,
            hidden: parts.hidden,
            output: parts.output,
            bias,
            pooling: layout.deep.iter().map(|g| g.pooled).collect(),
        }
    }

    /// The parameter in `slot`, as the matrix [`param_specs`] describes.
    fn tensor(&self, slot: Slot) -> Tensor<2> {
        let column = |t: Tensor<1>| t.unsqueeze_dim::<2>(1);
        let missing = "the model holds every parameter its table lists";
        match slot {
            Slot::Wide => self.wide.as_ref().expect(missing).weight.val(),
            Slot::Deep(g) => self.deep[g].weight.val(),
            Slot::HiddenWeight(i) => self.hidden[i].weight.val(),
            Slot::HiddenBias(i) => column(self.hidden[i].bias.as_ref().expect(missing).val()),
            Slot::Output => self.output.as_ref().expect(missing).weight.val(),
            Slot::Bias => column(self.bias.val()),
        }
    }

    /// The tables this model has: the wide weights, then each deep group's embeddings.
    pub fn table_ids(&self) -> Vec<TableId> {
        let wide = self.wide.iter().map(|_| TableId::Wide);
        wide.chain((0..self.deep.len()).map(TableId::Deep)).collect()
    }

    /// Takes table `id` out (leaving an empty one): a trainer that updates only the rows a batch
    /// touched holds it itself, as its only owner, so an update changes those rows in place.
    pub fn take_table(&mut self, id: TableId) -> Option<Tensor<2>> {
        let embedding = self.embedding_mut(id)?;
        let empty = Param::from_tensor(Tensor::<2>::zeros([0, 1], &embedding.weight.val().device()));
        Some(std::mem::replace(&mut embedding.weight, empty).into_value().inner())
    }

    /// Puts table `id`'s values back, for scoring or export.
    pub fn put_table(&mut self, id: TableId, values: Tensor<2>) {
        if let Some(embedding) = self.embedding_mut(id) {
            embedding.weight = Param::from_tensor(values.autodiff());
        }
    }

    fn embedding_mut(&mut self, id: TableId) -> Option<&mut Embedding> {
        match id {
            TableId::Wide => self.wide.as_mut(),
            TableId::Deep(g) => self.deep.get_mut(g),
        }
    }

    /// Every parameter's id, in the module's order. The optimizer keeps its state by these ids,
    /// so a model rebuilt in another worker takes them back ([`WideDeep::with_ids`]) to train on
    /// with that state.
    pub fn param_ids(&self) -> Vec<u64> {
        struct Ids(Vec<u64>);
        impl ModuleVisitor for Ids {
            fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
                self.0.push(param.id.val());
            }
        }
        let mut ids = Ids(Vec::new());
        self.visit(&mut ids);
        ids.0
    }

    /// The same model with its parameters' ids set to `ids` (from [`WideDeep::param_ids`] of a
    /// model of the same shape).
    pub fn with_ids(self, ids: &[u64]) -> Result<Self> {
        let count = self.param_ids().len();
        if ids.len() != count {
            return Err(Error::Damaged(format!("a model handed over has {} parameter ids, expected {count}", ids.len())));
        }
        struct SetIds<'a>(std::slice::Iter<'a, u64>);
        impl ModuleMapper for SetIds<'_> {
            fn map_float<const D: usize>(&mut self, mut param: Param<Tensor<D>>) -> Param<Tensor<D>> {
                param.id = ParamId::from(*self.0.next().expect("one id per parameter, counted above"));
                param
            }
        }
        Ok(self.map(&mut SetIds(ids.iter())))
    }

    /// Deep group `group`'s embedding table (`[rows, dim]`), for the embedding map.
    pub fn deep_table(&self, group: usize) -> Option<Tensor<2>> {
        self.deep.get(group).map(|e| e.weight.val())
    }

    /// The wide weights (one per wide id), for showing what the wide part memorized.
    pub fn wide_weights(&self) -> Option<Tensor<1>> {
        self.wide.as_ref().map(|w| w.weight.val().reshape([-1]))
    }
}

/// Rows per forward pass when scoring: large enough to be fast, small enough for any GPU.
pub const EVAL_CHUNK: usize = 8192;

/// Logits for every row of `inputs`, row-major `[rows, outputs]` (one per row but for a
/// multiclass label), computed in chunks and read in one transaction.
pub async fn predict_logits(model: &WideDeep, inputs: &Inputs) -> Result<Vec<f32>> {
    let chunks = (0..inputs.rows())
        .step_by(EVAL_CHUNK)
        .map(|start| model.forward(&inputs.slice(start, (start + EVAL_CHUNK).min(inputs.rows()))).reshape([-1]))
        .collect();
    Ok(read::floats_many(chunks).await?.concat())
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
    if config.hidden.contains(&0) {
        return Err(Error::Config("hidden layer sizes must be at least 1".into()));
    }
    check_size(layout, config)
}

/// Refuses a model past [`limits::MAX_PARAMETERS`] before any of it is allocated, naming its
/// largest parameter, so hidden layers of 100,000 or a billion hash buckets are a clear error
/// instead of an aborted allocation.
fn check_size(layout: &Layout, config: &ModelConfig) -> Result<()> {
    let specs = param_specs(layout, config);
    let count = |spec: &ParamSpec| spec.shape.iter().fold(1u64, |n, &d| n.saturating_mul(d as u64));
    let total = specs.iter().map(count).fold(0u64, u64::saturating_add);
    match specs.iter().max_by_key(|spec| count(spec)) {
        Some(largest) if total > limits::MAX_PARAMETERS => Err(Error::Limit(format!(
            "the {} model would have {total} parameters, over the limit of {} here; the largest, '{}', is {} × {}: \
             use smaller hidden layers, embeddings or hash buckets",
            config.mode.name(),
            limits::MAX_PARAMETERS,
            largest.name,
            largest.shape[0],
            largest.shape[1],
        ))),
        _ => Ok(()),
    }
}
