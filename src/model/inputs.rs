//! Encoded rows as tensors on a device: the test rows uploaded once, each training batch as it
//! is taken on the host (its ids are needed there to update the tables sparsely).

use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::features::{Encoded, Layout, PAD};

/// One deep group's ids and, for pooled groups, the averaging factors (1/tokens, 0 on padding).
#[derive(Debug, Clone)]
pub struct DeepInput {
    /// `[rows, slots]` ids into the group's table.
    pub ids: Tensor<2, Int>,
    /// `[rows, slots]` averaging factors, for pooled groups.
    pub pooling: Option<Tensor<2>>,
}

/// Model inputs (and targets) for a set of rows.
#[derive(Debug, Clone)]
pub struct Inputs {
    rows: usize,
    /// `[rows, wide slots]` ids into the wide table.
    pub wide_ids: Option<Tensor<2, Int>>,
    /// `[rows, wide slots]` 1 for a real id, 0 for padding; absent when nothing is padded.
    pub wide_mask: Option<Tensor<2>>,
    /// One entry per deep group (none when the rows leave the deep part out).
    pub deep: Vec<DeepInput>,
    /// `[rows, numeric columns]` standardized numbers.
    pub numeric: Option<Tensor<2>>,
    /// `[rows]` 0/1 targets, when known.
    pub targets: Option<Tensor<1>>,
}

impl Inputs {
    /// Uploads encoded rows to `device`: the parts they hold (a batch leaves out, empty, the parts
    /// its model does not read, see [`Parts`](crate::features::Parts)).
    pub fn upload(encoded: &Encoded, layout: &Layout, device: &Device) -> Self {
        let rows = encoded.rows;
        let wide_slots = layout.wide_slots();
        let numbers = layout.numeric.len();
        let left_out = |part: usize| rows > 0 && part == 0;
        let (wide_ids, wide_mask) = if wide_slots == 0 || left_out(encoded.wide.len()) {
            (None, None)
        } else {
            let (ids, mask) = ids_and_mask(&encoded.wide, rows, wide_slots, device);
            (Some(ids), mask)
        };
        let deep = layout
            .deep
            .iter()
            .zip(&encoded.deep)
            .map(|(group, ids)| {
                let (tensor, _) = ids_and_mask(ids, rows, group.slots, device);
                let pooling = group.pooled.then(|| float_matrix(pooling_factors(ids, group.slots), rows, group.slots, device));
                DeepInput { ids: tensor, pooling }
            })
            .collect();
        let numeric =
            (numbers > 0 && !left_out(encoded.numeric.len())).then(|| float_matrix(encoded.numeric.clone(), rows, numbers, device));
        let targets = (!encoded.targets.is_empty()).then(|| Tensor::from_data(TensorData::new(encoded.targets.clone(), [rows]), device));
        Self { rows, wide_ids, wide_mask, deep, numeric, targets }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Rows `start..end` (for evaluating in chunks).
    pub fn slice(&self, start: usize, end: usize) -> Self {
        let ints = |t: Tensor<2, Int>| t.slice(start..end);
        let floats = |t: Tensor<2>| t.slice(start..end);
        Self {
            rows: end - start,
            wide_ids: self.wide_ids.clone().map(ints),
            wide_mask: self.wide_mask.clone().map(floats),
            deep: self.deep.iter().map(|d| DeepInput { ids: ints(d.ids.clone()), pooling: d.pooling.clone().map(floats) }).collect(),
            numeric: self.numeric.clone().map(floats),
            targets: self.targets.clone().map(|t| t.slice(start..end)),
        }
    }
}

/// Ids with padding replaced by 0, and a 0/1 mask when there was padding.
fn ids_and_mask(ids: &[u32], rows: usize, slots: usize, device: &Device) -> (Tensor<2, Int>, Option<Tensor<2>>) {
    let clean: Vec<i32> = ids.iter().map(|&id| if id == PAD { 0 } else { id as i32 }).collect();
    let tensor = Tensor::from_data(TensorData::new(clean, [rows, slots]), device);
    let mask =
        ids.contains(&PAD).then(|| float_matrix(ids.iter().map(|&id| if id == PAD { 0.0 } else { 1.0 }).collect(), rows, slots, device));
    (tensor, mask)
}

/// 1/(tokens in the row) on each real slot, 0 on padding: a weighted sum is then the mean.
fn pooling_factors(ids: &[u32], slots: usize) -> Vec<f32> {
    ids.chunks(slots)
        .flat_map(|row| {
            let n = row.iter().filter(|&&id| id != PAD).count().max(1) as f32;
            row.iter().map(move |&id| if id == PAD { 0.0 } else { 1.0 / n })
        })
        .collect()
}

fn float_matrix(values: Vec<f32>, rows: usize, cols: usize, device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(values, [rows, cols]), device)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooling_factors_average_real_tokens() {
        assert_eq!(pooling_factors(&[3, 4, PAD, 5, PAD, PAD], 3), [0.5, 0.5, 0.0, 1.0, 0.0, 0.0]);
    }
}
