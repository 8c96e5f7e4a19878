//! Sparse updates of the tables: the wide weights and the embeddings learn only on the rows a
//! batch looked up, so a training step costs what the batch touches, not the vocabulary.
//!
//! The batch's lookups are the gradient leaves (not the tables), so the backward pass never
//! scatters into a table. The batch's ids are known on the host before anything is uploaded: each
//! table's [`Plan`] lists its distinct ids and how to sum the gradients of their lookups with
//! gathers and sums alone (parallel on a GPU, unlike Burn's embedding backward, which allocates a
//! zero table of the whole vocabulary and scatters into it column by column). Each table's
//! optimizer then updates its distinct rows alone, written back in place.

use burn::tensor::module::embedding;
use burn::tensor::{Device, IndexingUpdateOp, Int, Tensor, TensorData};

use super::{Ftrl, OptimizerKind, WideOptimizer};
use crate::features::{Encoded, PAD};
use crate::model::{Inputs, TableId};

/// Adam's moment decays and AdaGrad's and Adam's ε: Burn's defaults, so the sparse optimizers
/// compute what Burn's dense ones do on the rows they touch.
const BETA_1: f32 = 0.9;
const BETA_2: f32 = 0.999;
const EPSILON: f32 = 1e-5;
/// FTRL's β (McMahan et al. found 1 works well).
const FTRL_BETA: f64 = 1.0;
/// Lookups summed per gather in a [`Plan`]: an id looked up more often is summed in levels.
const WIDTH: usize = 16;

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
struct Table {
    values: Tensor<2>,
    state: Vec<Tensor<2>>,
    rule: Rule,
    /// Scratch for planning a batch: each id's place among the distinct ones, or `u32::MAX`.
    place: Vec<u32>,
}

/// One level of a [`Plan`]: `groups × width` indices into the rows below (the lookups first), a
/// zero row appended below them padding short groups.
#[derive(Debug, PartialEq)]
struct Level {
    index: Vec<u32>,
    groups: usize,
    width: usize,
}

impl Level {
    fn new<'a>(groups: impl ExactSizeIterator<Item = &'a [u32]>, width: usize, pad: usize) -> Self {
        let count = groups.len();
        let index = groups.flat_map(|g| g.iter().copied().chain(std::iter::repeat(pad as u32)).take(width)).collect();
        Self { index, groups: count, width }
    }

    /// Sums `rows` (`[below, dim]`) into `[groups, dim]`.
    fn sum(&self, rows: Tensor<2>) -> Tensor<2> {
        let [_, dim] = rows.dims();
        let device = rows.device();
        let padded = Tensor::cat(vec![rows, Tensor::zeros([1, dim], &device)], 0);
        let summed = padded.select(0, ints(&self.index, &device)).reshape([self.groups, self.width, dim]).sum_dim(1);
        summed.reshape([self.groups, dim])
    }
}

/// A batch's lookups in one table: its distinct ids (in first-seen order) and the levels that sum
/// the lookups' gradients into one row per distinct id.
#[derive(Debug, PartialEq)]
struct Plan {
    distinct: Vec<u32>,
    levels: Vec<Level>,
}

impl Plan {
    /// Plans `ids` (a batch's ids into a table, row-major, [`PAD`] where unused); `place` is
    /// scratch of the table's length, all `u32::MAX`, left so.
    fn new(ids: &[u32], place: &mut [u32]) -> Self {
        let mut distinct = Vec::new();
        let mut lookups: Vec<(u32, u32)> = Vec::with_capacity(ids.len());
        for (at, &id) in ids.iter().enumerate().filter(|(_, id)| **id != PAD) {
            let slot = &mut place[id as usize];
            if *slot == u32::MAX {
                *slot = distinct.len() as u32;
                distinct.push(id);
            }
            lookups.push((at as u32, *slot));
        }
        distinct.iter().for_each(|&id| place[id as usize] = u32::MAX);
        // Each distinct id's lookups, contiguous (a counting sort): `members[starts[g]..starts[g + 1]]`.
        let mut starts = vec![0; distinct.len() + 1];
        lookups.iter().for_each(|&(_, g)| starts[g as usize + 1] += 1);
        (1..starts.len()).for_each(|g| starts[g] += starts[g - 1]);
        let mut members = vec![0; lookups.len()];
        let mut next = starts.clone();
        for (at, g) in lookups {
            members[next[g as usize]] = at;
            next[g as usize] += 1;
        }
        let (mut levels, mut below) = (Vec::new(), ids.len());
        loop {
            let groups = || starts.windows(2).map(|w| &members[w[0]..w[1]]);
            let widest = groups().map(<[u32]>::len).max().unwrap_or(0);
            if widest <= WIDTH {
                levels.push(Level::new(groups(), widest.max(1), below));
                return Self { distinct, levels };
            }
            // Sums of up to WIDTH lookups first; then each id's sums are the next level's groups.
            let chunks: Vec<&[u32]> = groups().flat_map(|g| g.chunks(WIDTH)).collect();
            levels.push(Level::new(chunks.iter().copied(), WIDTH, below));
            below = chunks.len();
            let counts: Vec<usize> = groups().map(|g| g.len().div_ceil(WIDTH)).collect();
            members = (0..below as u32).collect();
            starts = std::iter::once(0)
                .chain(counts.iter().scan(0, |sum, count| {
                    *sum += count;
                    Some(*sum)
                }))
                .collect();
        }
    }

    /// One row per distinct id: the sum of the gradients of its lookups (`[lookups, dim]`).
    fn sum(&self, lookups: Tensor<2>) -> Tensor<2> {
        self.levels.iter().fold(lookups, |rows, level| level.sum(rows))
    }
}

/// A batch's plans, one per table: what [`Tables::update`] needs besides the gradients.
pub struct Touched {
    plans: Vec<Plan>,
}

/// The tables a trainer updates sparsely, each with its optimizer state.
pub struct Tables {
    tables: Vec<(TableId, Table)>,
    /// Steps taken, for Adam's bias correction.
    steps: i32,
}

impl Tables {
    /// `values` with their rules, by their place in the model (one entry per table).
    pub fn new(values: Vec<(TableId, Tensor<2>, Rule)>) -> Self {
        let tables = values
            .into_iter()
            .map(|(id, values, rule)| {
                let [rows, dim] = values.dims();
                let state = (0..rule.states()).map(|_| Tensor::zeros([rows, dim], &values.device())).collect();
                (id, Table { values, state, rule, place: vec![u32::MAX; rows] })
            })
            .collect();
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
            let [rows, slots, dim] = grad.dims();
            let grad = plan.sum(grad.reshape([rows * slots, dim]));
            let device = table.values.device();
            let index = ints(&plan.distinct, &device);
            let gather = |tensor: &Tensor<2>| tensor.clone().select(0, index.clone());
            let old = gather(&table.values);
            let state: Vec<Tensor<2>> = table.state.iter().map(gather).collect();
            let (new, state) = step(table.rule, old, grad, state, learning_rate, self.steps);
            write(&mut table.values, &index, new);
            for (whole, rows) in table.state.iter_mut().zip(state) {
                write(whole, &index, rows);
            }
        }
    }
}

/// Writes `rows` (distinct ones) at `index` of `whole`, in place. Each backend has its own fast
/// write: the CPU's `select_assign` writes in place where its `scatter_nd` copies the table; a
/// GPU's `scatter_nd` writes every element in parallel where its `select_assign` runs one
/// invocation per column, looping over the rows.
fn write(whole: &mut Tensor<2>, index: &Tensor<1, Int>, rows: Tensor<2>) {
    let device = rows.device();
    let table = std::mem::replace(whole, Tensor::zeros([0, 1], &device));
    *whole = if device == Device::flex() {
        table.select_assign(0, index.clone(), rows, IndexingUpdateOp::Assign)
    } else {
        let count = index.dims()[0];
        table.scatter_nd(index.clone().reshape([count, 1]), rows, IndexingUpdateOp::Assign)
    };
}

/// `values` as an index tensor on `device`.
fn ints(values: &[u32], device: &Device) -> Tensor<1, Int> {
    let values: Vec<i32> = values.iter().map(|&v| v as i32).collect();
    let len = values.len();
    Tensor::from_data(TensorData::new(values, [len]), device)
}

/// New values and state of some rows, from their old values, gradient and state.
fn step(rule: Rule, w: Tensor<2>, g: Tensor<2>, state: Vec<Tensor<2>>, learning_rate: f64, steps: i32) -> (Tensor<2>, Vec<Tensor<2>>) {
    let lr = learning_rate as f32;
    match rule {
        Rule::Sgd => (w - g.mul_scalar(lr), state),
        Rule::AdaGrad => {
            let sum = state[0].clone() + g.clone().square();
            let new = w - g.div(sum.clone().sqrt().add_scalar(EPSILON)).mul_scalar(lr);
            (new, vec![sum])
        }
        Rule::LazyAdam => {
            let m = state[0].clone().mul_scalar(BETA_1) + g.clone().mul_scalar(1.0 - BETA_1);
            let v = state[1].clone().mul_scalar(BETA_2) + g.square().mul_scalar(1.0 - BETA_2);
            let correction = (1.0 - BETA_2.powi(steps)).sqrt();
            let factor = correction / (1.0 - BETA_1.powi(steps));
            let new = w - m.clone().mul_scalar(factor).div(v.clone().sqrt().add_scalar(EPSILON * correction)).mul_scalar(lr);
            (new, vec![m, v])
        }
        Rule::Ftrl { alpha, l1, l2 } => {
            let (z, n) = (state[0].clone(), state[1].clone());
            let n_new = n.clone() + g.clone().square();
            let root = n_new.clone().sqrt();
            let sigma = (root.clone() - n.sqrt()).div_scalar(alpha as f32);
            let z_new = z + g - sigma * w;
            let denominator = (root.add_scalar(FTRL_BETA as f32)).div_scalar(alpha as f32).add_scalar(l2 as f32);
            let shrunk = (z_new.clone() - z_new.clone().sign().mul_scalar(l1 as f32)).neg() / denominator;
            let kept = z_new.clone().abs().greater_elem(l1 as f32);
            let new = shrunk.mask_fill(kept.bool_not(), 0.0);
            (new, vec![z_new, n_new])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(values: &[f32], rows: usize, cols: usize) -> Tensor<2> {
        Tensor::from_data(TensorData::new(values.to_vec(), [rows, cols]), &Device::flex())
    }

    fn values(t: Tensor<2>) -> Vec<f32> {
        t.into_data().iter::<f32>().collect()
    }

    fn close(a: &[f32], b: &[f32]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6)
    }

    /// The plan of a batch looking up `ids` in a table of `rows`.
    fn plan(ids: &[u32], rows: usize) -> Plan {
        Plan::new(ids, &mut vec![u32::MAX; rows])
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
        step(rule, zeros(), matrix(&[0.5, -2.0], 2, 1), vec![zeros(), zeros()], 0.0, 1)
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
    fn a_plan_groups_lookups_by_distinct_id_and_skips_padding() {
        let grouped = plan(&[7, 3, PAD, 3, 9, 7], 10);
        assert_eq!(grouped.distinct, [7, 3, 9]);
        assert_eq!(grouped.levels, [Level { index: vec![0, 5, 1, 3, 4, 6], groups: 3, width: 2 }], "6 is the zero row");
        assert_eq!(plan(&[PAD, PAD], 3), Plan { distinct: vec![], levels: vec![Level { index: vec![], groups: 0, width: 1 }] });
    }

    /// An id looked up 40 times is summed in two levels (chunks of 16, then the chunks), and the
    /// sums equal the host's.
    #[test]
    fn a_plan_sums_each_ids_lookups_in_levels() {
        let ids: Vec<u32> = (0..45).map(|i| if i % 9 == 0 { 2 } else { 5 }).collect();
        let levels = plan(&ids, 6);
        assert_eq!((levels.distinct.clone(), levels.levels.len()), (vec![2, 5], 2));
        let grads: Vec<f32> = (0..90).map(|i| i as f32 * 0.5).collect();
        let summed = values(levels.sum(matrix(&grads, 45, 2)));
        let host = |id: u32, col: usize| ids.iter().enumerate().filter(|(_, v)| **v == id).map(|(r, _)| grads[r * 2 + col]).sum::<f32>();
        assert!(close(&summed, &[host(2, 0), host(2, 1), host(5, 0), host(5, 1)]), "{summed:?}");
    }

    #[test]
    fn an_update_changes_the_touched_rows_alone_and_the_scratch_is_reset() {
        let mut tables = Tables::new(vec![(TableId::Wide, matrix(&[1.0; 6], 6, 1), Rule::Sgd)]);
        update_one(&mut tables, vec![4, PAD, 1, 4], &[1.0, 9.0, 2.0, 3.0]);
        assert!(close(&values(tables.values()[0].clone()), &[1.0, 0.8, 1.0, 1.0, 0.6, 1.0]), "padding adds nothing");
        assert!(tables.tables[0].1.place.iter().all(|&p| p == u32::MAX));
    }
}
