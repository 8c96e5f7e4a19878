//! How fast a device runs the deep part's matrix products, for the benchmarks. On the CPU these
//! products are most of a training step, so their speed beside native code's bounds how close
//! the browser's CPU backend can come to a native run, whatever the rest of the step costs.

use burn::tensor::{Device, Tensor, TensorData};
use serde::Serialize;
use web_time::Instant;

use super::dense::dense_matmul;
use super::read;
use crate::{Error, Result};

/// Shortest timing: long beside a browser clock's coarse ticks (0.1 ms, or 1 ms and worse).
const MIN_SECONDS: f64 = 0.05;
/// Timings per product; the fastest counts, so a compile tier-up or a pause in one does not.
const TIMINGS: usize = 3;

/// One matrix product of a training step and its measured speed.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
pub async fn product_speeds(device: &Device, batch: usize, widths: &[usize]) -> Result<Vec<ProductSpeed>> {
    if batch == 0 || widths.len() < 2 || widths.contains(&0) {
        let problem = format!(
            "timing products needs a batch of at least 1 row and two or more widths of at least 1, not batch {batch} and widths {widths:?}"
        );
        return Err(Error::Config(problem));
    }
    let mut speeds = Vec::new();
    for (role, shape) in step_products(batch, widths) {
        let [m, k, n] = shape;
        let (lhs, rhs) = (pattern(m, k, device), pattern(k, n, device));
        let mut gflops: f64 = 0.0;
        for _ in 0..TIMINGS {
            gflops = gflops.max(time_product(&lhs, &rhs).await?);
        }
        speeds.push(ProductSpeed { role, shape, gflops });
    }
    Ok(speeds)
}

/// GFLOP/s of one timing: as many products as fill [`MIN_SECONDS`], then one read, which waits
/// for a GPU to finish them all. That read's round trip is in the timing, which on a GPU makes
/// small products read slower than they run; on the CPU it is a copy of one result.
async fn time_product(lhs: &Tensor<2>, rhs: &Tensor<2>) -> Result<f64> {
    let ([m, k], [_, n]) = (lhs.dims(), rhs.dims());
    let mut count = 1;
    loop {
        let started = Instant::now();
        let mut last = dense_matmul(lhs.clone(), rhs.clone());
        for _ in 1..count {
            last = dense_matmul(lhs.clone(), rhs.clone());
        }
        read::floats(last.reshape([m * n])).await?;
        let seconds = started.elapsed().as_secs_f64();
        if seconds >= MIN_SECONDS {
            return Ok(2.0 * (m * k * n * count) as f64 / seconds / 1e9);
        }
        count *= 2;
    }
}

/// A `rows × cols` matrix of small values, the same on every device.
fn pattern(rows: usize, cols: usize, device: &Device) -> Tensor<2> {
    let values: Vec<f32> = (0..rows * cols).map(|i| ((i * 7 % 13) as f32 - 6.0) * 0.1).collect();
    Tensor::from_data(TensorData::new(values, [rows, cols]), device)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Adult's tutorial model: 69 deep inputs, hidden layers of 100 and 50, one logit.
    #[test]
    fn a_step_has_three_products_per_layer() {
        let products = step_products(256, &[69, 100, 50, 1]);
        let shapes: Vec<[usize; 3]> = products.iter().map(|(_, shape)| *shape).collect();
        assert_eq!(
            shapes,
            [
                [256, 69, 100],
                [256, 100, 69],
                [69, 256, 100],
                [256, 100, 50],
                [256, 50, 100],
                [100, 256, 50],
                [256, 50, 1],
                [256, 1, 50],
                [50, 256, 1]
            ]
        );
        assert_eq!(products[4].0, "layer 2 input gradient");
        let flops_per_row: usize = shapes.iter().map(|[m, k, n]| 2 * m * k * n).sum::<usize>() / 256;
        assert_eq!(flops_per_row, 6 * (69 * 100 + 100 * 50 + 50));
    }

    #[test]
    fn speeds_are_measured_for_every_product() {
        let speeds = pollster::block_on(product_speeds(&Device::flex(), 16, &[5, 3, 1])).unwrap();
        assert_eq!(speeds.len(), 6);
        assert_eq!(speeds[2].shape, [5, 16, 3]);
        assert!(speeds.iter().all(|s| s.gflops.is_finite() && s.gflops > 0.0), "{speeds:?}");
        let seconds = speeds[0].seconds_per_row(16);
        assert!((seconds * speeds[0].gflops * 1e9 - 2.0 * 5.0 * 3.0).abs() < 1e-6);
    }

    #[test]
    fn empty_shapes_are_refused() {
        for (batch, widths) in [(0, vec![3, 1]), (8, vec![3]), (8, vec![3, 0, 1])] {
            let error = pollster::block_on(product_speeds(&Device::flex(), batch, &widths)).unwrap_err();
            assert!(matches!(&error, Error::Config(m) if m.contains("at least 1 row")), "{error}");
        }
    }
}
