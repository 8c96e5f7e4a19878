//! A GPU's sparse update: the touched rows' gradients summed by gathers (the [`Plan`]'s levels),
//! their values and state gathered, the rule applied to them as tensors, and the rows written back
//! with `scatter_nd`, which writes every element in parallel (Burn's `select_assign` runs one
//! invocation per column there, looping over the rows).

use burn::tensor::{IndexingUpdateOp, Int, Tensor};

use super::plan::{Plan, ints};
use super::{BETA_1, BETA_2, EPSILON, FTRL_BETA, Rule, SparseTable};

/// One step of `table`'s rule on the rows `plan` touched; `grad` is the gradient of its lookups.
pub(super) fn update(table: &mut SparseTable, plan: &Plan, grad: Tensor<3>, learning_rate: f64, steps: i32) {
    let [rows, slots, dim] = grad.dims();
    let grad = plan.levels(rows * slots).iter().fold(grad.reshape([rows * slots, dim]), |rows, level| level.sum(rows));
    let device = table.values.device();
    let index = ints(&plan.distinct, &device);
    let gather = |tensor: &Tensor<2>| tensor.clone().select(0, index.clone());
    let old = gather(&table.values);
    let state: Vec<Tensor<2>> = table.state.iter().map(gather).collect();
    let (new, state) = step(table.rule, old, grad, state, learning_rate, steps);
    write(&mut table.values, &index, new);
    for (whole, rows) in table.state.iter_mut().zip(state) {
        write(whole, &index, rows);
    }
}

/// Writes `rows` (distinct ones) at `index` of `whole`.
fn write(whole: &mut Tensor<2>, index: &Tensor<1, Int>, rows: Tensor<2>) {
    let device = rows.device();
    let table = std::mem::replace(whole, Tensor::zeros([0, 1], &device));
    let count = index.dims()[0];
    *whole = table.scatter_nd(index.clone().reshape([count, 1]), rows, IndexingUpdateOp::Assign);
}

/// New values and state of some rows, from their old values, gradient and state.
pub(super) fn step(
    rule: Rule,
    w: Tensor<2>,
    g: Tensor<2>,
    state: Vec<Tensor<2>>,
    learning_rate: f64,
    steps: i32,
) -> (Tensor<2>, Vec<Tensor<2>>) {
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
