//! Sparse updates of the tables: the wide weights and the embeddings learn only on the rows a
//! batch looked up, so a training step costs what the batch touches, not the vocabulary.
//!
//! The batch's lookups are the gradient leaves (not the tables), so the backward pass never
//! scatters into a table. The batch's ids are known on the host before anything is uploaded: each
//! table's [`Plan`] lists its distinct ids and where each lookup's gradient goes. Each table's
//! optimizer then updates its distinct rows alone: on the CPU in place, row by row ([`host`]); on
//! a GPU with gathers, sums and a parallel scatter ([`device`]), unlike Burn's embedding backward,
//! which allocates a zero table of the whole vocabulary and scatters into it column by column.

mod device;
mod host;
mod plan;

use burn::tensor::module::embedding;
use burn::tensor::{Device, Tensor, TensorData};

use plan::Plan;

use super::{Ftrl, OptimizerKind, WideOptimizer};
use crate::features::Encoded;
use crate::model::{Inputs, TableId};
use crate::{Error, Result};

/// Adam's moment decays and AdaGrad's and Adam's ε: Burn's defaults, so the sparse optimizers
/// compute what Burn's dense ones do on the rows they touch.
const BETA_1: f32 = 0.9;
const BETA_2: f32 = 0.999;
const EPSILON: f32 = 1e-5;
/// FTRL's β (McMahan et al. found 1 works well).
const FTRL_BETA: f64 = 1.0;

/// How one table learns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// `w -= lr · g`.
    Sgd,
    /// `s += g²; w -= lr · g / (√s + ε)`.
    AdaGrad,
    /// Adam on the touched rows only: untouched rows keep their moments (not decayed), and the
    /// bias correction counts every step (as TensorFlow's LazyAdam and PyTorch's SparseAdam).
    LazyAdam,
    /// FTRL-proximal per coordinate (McMahan et al., 2013) with learning rate `alpha`.
    Ftrl { alpha: f64, l1: f64, l2: f64 },
}

impl Rule {
    /// The rule of `optimizer`, or of the wide part's own optimizer when it has one.
    pub fn new(optimizer: OptimizerKind, wide: Option<WideOptimizer>) -> Self {
        match (wide, optimizer) {
            (Some(WideOptimizer::Ftrl(Ftrl { learning_rate, l1, l2 })), _) => Self::Ftrl { alpha: learning_rate, l1, l2 },
            (None, OptimizerKind::Sgd) => Self::Sgd,
            (None, OptimizerKind::Adagrad) => Self::AdaGrad,
            (None, OptimizerKind::Adam) => Self::LazyAdam,
        }
    }

    /// Tables of state per table row: AdaGrad's sum of squares, Adam's two moments, FTRL's z and n.
    fn states(self) -> usize {
        match self {
            Self::Sgd => 0,
            Self::AdaGrad => 1,
            Self::LazyAdam | Self::Ftrl { .. } => 2,
        }
    }
}

/// One table with its rule and state, on the device (without autodiff).
struct SparseTable {
    values: Tensor<2>,
    state: Vec<Tensor<2>>,
    rule: Rule,
    /// Scratch for planning a batch: each id's place among the distinct ones, or `u32::MAX`.
    place: Vec<u32>,
}

impl SparseTable {
    /// `values` learning by `rule`, from zero state.
    fn new(values: Tensor<2>, rule: Rule) -> Self {
        let [rows, dim] = values.dims();
        let state = (0..rule.states()).map(|_| Tensor::zeros([rows, dim], &values.device())).collect();
        Self { values, state, rule, place: vec![u32::MAX; rows] }
    }
}

/// A batch's plans, one per table: what [`Tables::update`] needs besides the gradients.
pub struct Touched {
    plans: Vec<Plan>,
}

/// The tables a trainer updates sparsely, each with its optimizer state.
pub struct Tables {
    tables: Vec<(TableId, SparseTable)>,
    /// Steps taken, for Adam's bias correction.
    steps: i32,
}

impl Tables {
    /// `values` with their rules, by their place in the model (one entry per table).
    pub fn new(values: Vec<(TableId, Tensor<2>, Rule)>) -> Self {
        let tables = values.into_iter().map(|(id, values, rule)| (id, SparseTable::new(values, rule))).collect();
        Self { tables, steps: 0 }
    }

    /// The tables' values (cheap handles), in order: for scoring, export or an embedding map.
    pub fn values(&self) -> Vec<Tensor<2>> {
        self.tables.iter().map(|(_, t)| t.values.clone()).collect()
    }

    /// The tables, by their place in the model.
    pub fn ids(&self) -> impl Iterator<Item = TableId> + '_ {
        self.tables.iter().map(|(id, _)| *id)
    }

    /// Every table's optimizer state, flattened, table after table, and the steps taken: with
    /// the values, all that the next update depends on (a model handed to another worker).
    pub fn state(&self) -> (Vec<Tensor<1>>, i32) {
        let states = self.tables.iter().flat_map(|(_, t)| t.state.iter().map(|s| s.clone().reshape([-1]))).collect();
        (states, self.steps)
    }

    /// Takes back a [`Tables::state`] of the same tables.
    pub fn restore(&mut self, states: Vec<Vec<f32>>, steps: i32) -> Result<()> {
        let expected: usize = self.tables.iter().map(|(_, t)| t.state.len()).sum();
        if states.len() != expected {
            return Err(Error::Damaged(format!("a model handed over has {} table states, expected {expected}", states.len())));
        }
        let mut states = states.into_iter();
        for (_, table) in &mut self.tables {
            let [rows, dim] = table.values.dims();
            for state in &mut table.state {
                let values = states.next().expect("counted above");
                if values.len() != rows * dim {
                    return Err(Error::Damaged(format!("a table state handed over has {} values, expected {}", values.len(), rows * dim)));
                }
                *state = Tensor::from_data(TensorData::new(values, [rows, dim]), &table.values.device());
            }
        }
        self.steps = steps;
        Ok(())
    }

    /// Plans `batch`'s lookups in every table, on the host.
    pub fn touched(&mut self, batch: &Encoded) -> Touched {
        let plans = self
            .tables
            .iter_mut()
            .map(|(id, table)| {
                let ids = match *id {
                    TableId::Wide => &batch.wide,
                    TableId::Deep(g) => &batch.deep[g],
                };
                Plan::new(ids, &mut table.place)
            })
            .collect();
        Touched { plans }
    }

    /// The batch's lookups in every table (`[rows, slots, dim]`), as gradient leaves.
    pub fn lookups(&self, inputs: &Inputs) -> Vec<Tensor<3>> {
        self.tables
            .iter()
            .map(|(id, table)| {
                let ids = match *id {
                    TableId::Wide => inputs.wide_ids.clone().expect("a wide table has wide ids"),
                    TableId::Deep(g) => inputs.deep[g].ids.clone(),
                };
                Tensor::from_inner(embedding(table.values.clone(), ids)).require_grad()
            })
            .collect()
    }

    /// One optimizer step on the touched rows: `grads[t]` is the gradient of table `t`'s lookups
    /// (`None` when the loss did not reach them).
    pub fn update(&mut self, touched: &Touched, grads: Vec<Option<Tensor<3>>>, learning_rate: f64) {
        self.steps += 1;
        for (((_, table), plan), grad) in self.tables.iter_mut().zip(&touched.plans).zip(grads) {
            let Some(grad) = grad.filter(|_| !plan.distinct.is_empty()) else { continue };
            if table.values.device() == Device::flex() {
                host::update(table, plan, grad, learning_rate, self.steps);
            } else {
                device::update(table, plan, grad, learning_rate, self.steps);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::TensorData;

    use super::*;
    use crate::features::PAD;

    fn matrix(values: &[f32], rows: usize, cols: usize) -> Tensor<2> {
        Tensor::from_data(TensorData::new(values.to_vec(), [rows, cols]), &Device::flex())
    }

    fn values(t: Tensor<2>) -> Vec<f32> {
        t.into_data().iter::<f32>().collect()
    }

    fn close(a: &[f32], b: &[f32]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6)
    }

    fn update_one(tables: &mut Tables, ids: Vec<u32>, grads: &[f32]) {
        let touched = tables.touched(&Encoded { rows: ids.len(), wide: ids.clone(), ..Default::default() });
        tables.update(&touched, vec![Some(Tensor::from_data(TensorData::new(grads.to_vec(), [ids.len(), 1, 1]), &Device::flex()))], 0.1);
    }

    /// Two steps of lazy Adam on one row, computed by hand from the formula with β1 0.9, β2 0.999,
    /// ε 1e-5, lr 0.1: step 1 with g = 0.5, step 2 with g = -1.
    #[test]
    fn lazy_adam_matches_a_hand_computed_two_step_example() {
        let mut tables = Tables::new(vec![(TableId::Wide, matrix(&[1.0, 2.0], 2, 1), Rule::LazyAdam)]);
        update_one(&mut tables, vec![1], &[0.5]);
        // m1 = 0.05, v1 = 0.00025; m̂ = 0.5, v̂ = 0.25: w = 2 - 0.1 · 0.5 / (0.5 + 1e-5) = 1.900002
        let after_one = values(tables.values()[0].clone());
        assert!((after_one[1] - 1.900_002).abs() < 1e-6, "{after_one:?}");
        assert_eq!(after_one[0], 1.0, "an untouched row never changes");
        update_one(&mut tables, vec![1], &[-1.0]);
        // m2 = 0.9·0.05 - 0.1 = -0.055; v2 = 0.999·0.00025 + 0.001 = 0.00124975
        // m̂ = -0.055 / 0.19 = -0.289474; v̂ = 0.00124975 / 0.001999 = 0.625188
        // w = 1.900002 + 0.1 · 0.289474 / (0.790688 + 1e-5) = 1.936612
        let after_two = values(tables.values()[0].clone());
        assert!((after_two[1] - 1.936_612).abs() < 2e-6, "{after_two:?}");
    }

    /// `rule`'s first step from zero weights and state, with gradients 0.5 and -2.
    fn first_step(rule: Rule) -> (Tensor<2>, Vec<Tensor<2>>) {
        let zeros = || matrix(&[0.0; 2], 2, 1);
        device::step(rule, zeros(), matrix(&[0.5, -2.0], 2, 1), vec![zeros(), zeros()], 0.0, 1)
    }

    /// FTRL's per-coordinate update (McMahan et al., 2013, Algorithm 1) by hand, α 0.1, β 1.
    #[test]
    fn ftrl_matches_the_paper_and_l1_makes_exact_zeros() {
        let rule = Rule::Ftrl { alpha: 0.1, l1: 0.0, l2: 0.0 };
        let (w, state) = first_step(rule);
        // n = g²; σ = √n / α; z = g; w = -z / ((1 + √n)/α) = -g·α/(1+|g|)
        assert!(close(&values(w), &[-0.5 * 0.1 / 1.5, 2.0 * 0.1 / 3.0]));
        assert!(close(&values(state[0].clone()), &[0.5, -2.0]) && close(&values(state[1].clone()), &[0.25, 4.0]));
        let sparse = Rule::Ftrl { alpha: 0.1, l1: 1.0, l2: 0.5 };
        let (w, _) = first_step(sparse);
        // |z| = 0.5 ≤ λ1 → exactly 0; z = -2: w = -(-2 + 1) / ((1 + 2)/0.1 + 0.5) = 1 / 30.5
        let w = values(w);
        assert_eq!(w[0], 0.0, "L1 makes the weight exactly zero");
        assert!((w[1] - 1.0 / 30.5).abs() < 1e-6, "{w:?}");
    }

    #[test]
    fn an_update_changes_the_touched_rows_alone_and_the_scratch_is_reset() {
        let mut tables = Tables::new(vec![(TableId::Wide, matrix(&[1.0; 6], 6, 1), Rule::Sgd)]);
        update_one(&mut tables, vec![4, PAD, 1, 4], &[1.0, 9.0, 2.0, 3.0]);
        assert!(close(&values(tables.values()[0].clone()), &[1.0, 0.8, 1.0, 1.0, 0.6, 1.0]), "padding adds nothing");
        assert!(tables.tables[0].1.place.iter().all(|&p| p == u32::MAX));
    }
}
