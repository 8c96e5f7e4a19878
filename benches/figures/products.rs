//! How fast the CPU runs the deep part's matrix products: on the CPU these products are most of a
//! training step, so their speed bounds how fast any step can be (`figures -- products`).

use burn::tensor::{Device, Tensor, TensorData};
use web_time::Instant;
use widedeep::model::{dense_matmul, read};

/// Shortest timing: long beside the clock's resolution and a scheduler's time slice.
const MIN_SECONDS: f64 = 0.05;
/// Timings per product; the fastest counts, so a compile tier-up or a pause in one does not.
const TIMINGS: usize = 3;

/// One matrix product of a training step and its measured speed.
pub struct ProductSpeed {
    /// Which layer and which of its three products: "layer 1 forward", "layer 1 input
    /// gradient" (`∂x = g·Wᵀ`) or "layer 1 weight gradient" (`∂W = xᵀ·g`).
    pub role: String,
    /// `[m, k, n]` of `[m × k] · [k × n]`.
    pub shape: [usize; 3],
    /// Billions of floating-point operations per second, counting 2·m·k·n per product.
    pub gflops: f64,
}

impl ProductSpeed {
    /// Seconds this product takes per training row at `batch` rows a step.
    pub fn seconds_per_row(&self, batch: usize) -> f64 {
        let [m, k, n] = self.shape;
        2.0 * (m * k * n) as f64 / (self.gflops * 1e9) / batch as f64
    }
}

/// The products of one training step of dense layers with these widths (inputs, hidden
/// layers, output) at `batch` rows: per layer the forward product and the two of its backward pass.
pub fn step_products(batch: usize, widths: &[usize]) -> Vec<(String, [usize; 3])> {
    let layers = widths.windows(2).enumerate();
    layers
        .flat_map(|(index, pair)| {
            let (name, inputs, outputs) = (format!("layer {}", index + 1), pair[0], pair[1]);
            [
                (format!("{name} forward"), [batch, inputs, outputs]),
                (format!("{name} input gradient"), [batch, outputs, inputs]),
                (format!("{name} weight gradient"), [inputs, batch, outputs]),
            ]
        })
        .collect()
}

/// Times every product of [`step_products`] on `device`, on the kernel training uses there.
pub fn product_speeds(device: &Device, batch: usize, widths: &[usize]) -> Vec<ProductSpeed> {
    let mut speeds = Vec::new();
    for (role, shape) in step_products(batch, widths) {
        let [m, k, n] = shape;
        let (lhs, rhs) = (pattern(m, k, device), pattern(k, n, device));
        let mut gflops: f64 = 0.0;
        for _ in 0..TIMINGS {
            gflops = gflops.max(time_product(&lhs, &rhs));
        }
        speeds.push(ProductSpeed { role, shape, gflops });
    }
    speeds
}

/// GFLOP/s of one timing: as many products as fill [`MIN_SECONDS`], then one read of the last.
fn time_product(lhs: &Tensor<2>, rhs: &Tensor<2>) -> f64 {
    let ([m, k], [_, n]) = (lhs.dims(), rhs.dims());
    let mut count = 1;
    loop {
        let started = Instant::now();
        let mut last = dense_matmul(lhs.clone(), rhs.clone());
        for _ in 1..count {
            last = dense_matmul(lhs.clone(), rhs.clone());
        }
        pollster::block_on(read::floats(last.reshape([m * n]))).expect("the CPU reads its results");
        let seconds = started.elapsed().as_secs_f64();
        if seconds >= MIN_SECONDS {
            return 2.0 * (m * k * n * count) as f64 / seconds / 1e9;
        }
        count *= 2;
    }
}

/// A `rows × cols` matrix of small values, the same on every device.
fn pattern(rows: usize, cols: usize, device: &Device) -> Tensor<2> {
    let values: Vec<f32> = (0..rows * cols).map(|i| ((i * 7 % 13) as f32 - 6.0) * 0.1).collect();
    Tensor::from_data(TensorData::new(values, [rows, cols]), device)
}
