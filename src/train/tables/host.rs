//! The CPU's sparse update, in place: the table and its state are the CPU backend's own buffers,
//! borrowed for the step without a copy, and each touched row is read and written once. As tensor
//! operations the same step gathered the rows, computed a dozen row-sized intermediates and wrote
//! the rows back, each a pass over scattered memory: at a million ids that was half the step.

use burn::tensor::{Device, Tensor, TensorData};

use super::plan::Plan;
use super::{BETA_1, BETA_2, EPSILON, FTRL_BETA, Rule, SparseTable};

/// One step of `table`'s rule on the rows `plan` touched; `grad` is the gradient of its lookups.
pub(super) fn update(table: &mut SparseTable, plan: &Plan, grad: Tensor<3>, learning_rate: f64, steps: i32) {
    let [_, _, dim] = grad.dims();
    let sums = sum(plan, &grad.into_data(), dim);
    let rule = RowUpdate::new(table.rule, learning_rate, steps);
    let mut values = borrow(&mut table.values);
    let mut state: Vec<TensorData> = table.state.iter_mut().map(borrow).collect();
    let w = floats(&mut values);
    let mut s: Vec<&mut [f32]> = state.iter_mut().map(floats).collect();
    warm(&plan.distinct, dim, w, &s);
    for (g, &row) in sums.chunks_exact(dim).zip(&plan.distinct) {
        let span = row as usize * dim..(row as usize + 1) * dim;
        rule.apply(&mut w[span.clone()], g, &mut s, span);
    }
    table.values = give_back(values);
    table.state = state.into_iter().map(give_back).collect();
}

/// Each distinct id's gradient: the sum of its lookups' rows (`[distinct, dim]`, row-major).
fn sum(plan: &Plan, grad: &TensorData, dim: usize) -> Vec<f32> {
    let grad = grad.as_slice::<f32>().expect("float gradients");
    let mut sums = vec![0.0; plan.distinct.len() * dim];
    for &(at, g) in &plan.lookups {
        let (from, to) = (at as usize * dim, g as usize * dim);
        sums[to..to + dim].iter_mut().zip(&grad[from..from + dim]).for_each(|(s, g)| *s += g);
    }
    sums
}

/// A CPU tensor's values, taken out of it without a copy (the tensor is its buffer's only owner
/// between steps); put back with [`give_back`], again without a copy.
fn borrow(tensor: &mut Tensor<2>) -> TensorData {
    std::mem::replace(tensor, Tensor::zeros([0, 1], &Device::flex())).into_data()
}

/// The values [`borrow`] took, as a CPU tensor again.
fn give_back(values: TensorData) -> Tensor<2> {
    Tensor::from_data(values, &Device::flex())
}

/// Reads the first and last value of every touched row first: loads independent of each other,
/// which the CPU keeps many of in flight at once, so the update (one row at a time, its loads
/// waiting behind its arithmetic) finds its rows in cache. At a million ids most rows are not.
fn warm(rows: &[u32], dim: usize, values: &[f32], state: &[&mut [f32]]) {
    let ends = |table: &[f32]| rows.iter().map(|&row| table[row as usize * dim] + table[(row as usize + 1) * dim - 1]).sum::<f32>();
    std::hint::black_box(ends(values) + state.iter().map(|s| ends(s)).sum::<f32>());
}

fn floats(data: &mut TensorData) -> &mut [f32] {
    data.as_mut_slice::<f32>().expect("float tables")
}

/// A rule with this step's constants, applied one row at a time (the formulas of [`Rule`]; the
/// GPU's tensor form computes the same).
#[derive(Clone, Copy)]
enum RowUpdate {
    Sgd { lr: f32 },
    AdaGrad { lr: f32 },
    LazyAdam { lr: f32, factor: f32, epsilon: f32 },
    Ftrl { alpha: f32, l1: f32, l2: f32 },
}

impl RowUpdate {
    fn new(rule: Rule, learning_rate: f64, steps: i32) -> Self {
        let lr = learning_rate as f32;
        match rule {
            Rule::Sgd => Self::Sgd { lr },
            Rule::AdaGrad => Self::AdaGrad { lr },
            Rule::LazyAdam => {
                let correction = (1.0 - BETA_2.powi(steps)).sqrt();
                Self::LazyAdam { lr, factor: correction / (1.0 - BETA_1.powi(steps)), epsilon: EPSILON * correction }
            }
            Rule::Ftrl { alpha, l1, l2 } => Self::Ftrl { alpha: alpha as f32, l1: l1 as f32, l2: l2 as f32 },
        }
    }

    /// Updates the weights `w` of one row with their gradients `g` and their state at `span` of
    /// each state table (slices zipped, so the compiler vectorizes each rule).
    fn apply(&self, w: &mut [f32], g: &[f32], state: &mut [&mut [f32]], span: std::ops::Range<usize>) {
        match (*self, state) {
            (Self::Sgd { lr }, _) => w.iter_mut().zip(g).for_each(|(w, g)| *w -= lr * g),
            (Self::AdaGrad { lr }, [s]) => {
                for ((w, s), &g) in w.iter_mut().zip(&mut s[span]).zip(g) {
                    *s += g * g;
                    *w -= g / (s.sqrt() + EPSILON) * lr;
                }
            }
            (Self::LazyAdam { lr, factor, epsilon }, [m, v]) => {
                for (((w, m), v), &g) in w.iter_mut().zip(&mut m[span.clone()]).zip(&mut v[span]).zip(g) {
                    *m = *m * BETA_1 + g * (1.0 - BETA_1);
                    *v = *v * BETA_2 + g * g * (1.0 - BETA_2);
                    *w -= *m * factor / (v.sqrt() + epsilon) * lr;
                }
            }
            (Self::Ftrl { alpha, l1, l2 }, [z, n]) => {
                for (((w, z), n), &g) in w.iter_mut().zip(&mut z[span.clone()]).zip(&mut n[span]).zip(g) {
                    let root = (*n + g * g).sqrt();
                    *z += g - (root - n.sqrt()) / alpha * *w;
                    *n += g * g;
                    *w = if z.abs() > l1 { -(*z - z.signum() * l1) / ((root + FTRL_BETA as f32) / alpha + l2) } else { 0.0 };
                }
            }
            _ => unreachable!("each rule keeps its own number of state tables"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::device;
    use super::*;
    use crate::rng::Rng;

    /// `count` floats drawn in `[low, high)`.
    fn draw(rng: &mut Rng, count: usize, low: f64, high: f64) -> Vec<f32> {
        (0..count).map(|_| (low + rng.next_f64() * (high - low)) as f32).collect()
    }

    fn tensor(values: &[f32], rows: usize, dim: usize) -> Tensor<2> {
        Tensor::from_data(TensorData::new(values.to_vec(), [rows, dim]), &Device::flex())
    }

    fn read(t: &Tensor<2>) -> Vec<f32> {
        t.to_data().iter::<f32>().collect()
    }

    /// Every rule, in place on the host, computes what its tensor form computes on a GPU, on
    /// random rows over three steps (a row looked up twice in a batch sums its gradients).
    #[test]
    fn the_cpus_update_in_place_equals_the_tensor_form() {
        let rules = [Rule::Sgd, Rule::AdaGrad, Rule::LazyAdam, Rule::Ftrl { alpha: 0.1, l1: 0.05, l2: 0.5 }];
        let (rows, dim, ids) = (6, 3, [4u32, 1, 4, 0]);
        let mut rng = Rng::new(5, 0);
        for rule in rules {
            let values = draw(&mut rng, rows * dim, -1.0, 1.0);
            let state: Vec<Vec<f32>> = (0..rule.states()).map(|_| draw(&mut rng, rows * dim, 0.0, 0.5)).collect();
            let with_state = || {
                let mut table = SparseTable::new(tensor(&values, rows, dim), rule);
                table.state = state.iter().map(|s| tensor(s, rows, dim)).collect();
                table
            };
            let (mut host, mut gpu_form) = (with_state(), with_state());
            let plan = Plan::new(&ids, &mut vec![u32::MAX; rows]);
            for steps in 1..=3 {
                let grad = draw(&mut rng, ids.len() * dim, -2.0, 2.0);
                let lookups = || Tensor::from_data(TensorData::new(grad.clone(), [ids.len(), 1, dim]), &Device::flex());
                update(&mut host, &plan, lookups(), 0.1, steps);
                device::update(&mut gpu_form, &plan, lookups(), 0.1, steps);
            }
            let (w, s) = (&gpu_form.values, &gpu_form.state);
            for (a, b) in [(&host.values, w)].into_iter().chain(host.state.iter().zip(s)) {
                let gap = read(a).iter().zip(read(b)).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max);
                assert!(gap < 1e-5, "{rule:?}: host and tensor differ by {gap}");
            }
            assert_eq!(read(&host.values)[2 * dim..4 * dim], values[2 * dim..4 * dim], "{rule:?}: untouched rows stay");
        }
    }

    /// The step borrows the CPU backend's buffer and gives it back: a million-row table is never
    /// copied (a copy per step would cost more than the whole step).
    #[test]
    fn the_table_is_updated_in_its_own_buffer() {
        let mut table = SparseTable::new(Tensor::zeros([1_000_000, 2], &Device::flex()), Rule::AdaGrad);
        let address = |t: &mut SparseTable| {
            let mut data = borrow(&mut t.values);
            let at = floats(&mut data).as_ptr();
            t.values = give_back(data);
            at
        };
        let before = address(&mut table);
        let plan = Plan::new(&[7, 999_999], &mut vec![u32::MAX; 1_000_000]);
        update(&mut table, &plan, Tensor::ones([2, 1, 2], &Device::flex()), 0.1, 1);
        assert_eq!(address(&mut table), before);
        assert!(read(&table.values)[14] < 0.0 && read(&table.values)[1_999_998] < 0.0);
    }
}
