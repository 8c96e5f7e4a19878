//! Encoded rows: flat arrays ready to become tensors.

/// Marks an unused slot (a multi-valued cell with fewer tokens than the widest one).
pub const PAD: u32 = u32::MAX;

/// A block of encoded rows, laid out as [`Layout`](super::Layout) describes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Encoded {
    /// Number of rows.
    pub rows: usize,
    /// Row-major `rows × wide_slots` ids into the one wide table; [`PAD`] where unused. Empty in
    /// a batch for a model without a wide part.
    pub wide: Vec<u32>,
    /// For each deep group, row-major `rows × slots` ids into that group's table. No groups in a
    /// batch for a model without a deep part.
    pub deep: Vec<Vec<u32>>,
    /// Row-major `rows × numeric columns` standardized values (0 where missing): the deep part's.
    /// Empty in a batch for a model without a deep part.
    pub numeric: Vec<f32>,
    /// Targets, one per row (0/1, or a regression's standard score); empty when the file has no
    /// usable label.
    pub targets: Vec<f32>,
    /// The table row each encoded row came from.
    pub source_rows: Vec<usize>,
}

/// The parts of a row a model reads: a wide model reads no deep ids or numbers, a deep one no
/// wide ids. A batch takes only its model's parts, so a step costs what its model reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// The wide ids.
    pub wide: bool,
    /// The deep groups' ids and the numbers.
    pub deep: bool,
}

impl Parts {
    /// Every part of a row.
    pub const ALL: Self = Self { wide: true, deep: true };
}

impl Encoded {
    /// The first `rows` rows (all of them if there are fewer): a sample to time a few steps on.
    pub fn head(&self, rows: usize) -> Self {
        self.select(&(0..rows.min(self.rows) as u32).collect::<Vec<_>>(), Parts::ALL)
    }

    /// The rows at `rows` (indices into this block), in that order, with only `parts` (a part left
    /// out is empty): a training batch, taken on the host so its ids are known before it is uploaded.
    pub fn select(&self, rows: &[u32], parts: Parts) -> Self {
        let deep: &[Vec<u32>] = if parts.deep { &self.deep } else { &[] };
        Self {
            rows: rows.len(),
            wide: if parts.wide { pick(&self.wide, self.rows, rows) } else { Vec::new() },
            deep: deep.iter().map(|ids| pick(ids, self.rows, rows)).collect(),
            numeric: if parts.deep { pick(&self.numeric, self.rows, rows) } else { Vec::new() },
            targets: pick(&self.targets, self.rows, rows),
            source_rows: pick(&self.source_rows, self.rows, rows),
        }
    }
}

/// The `rows` of a row-major array of `total` rows (of any width; empty stays empty), copied
/// into a buffer sized once: a batch is taken every step, so this is on the hot path.
fn pick<T: Copy>(values: &[T], total: usize, rows: &[u32]) -> Vec<T> {
    let width = values.len() / total.max(1);
    if width == 1 {
        return rows.iter().map(|&r| values[r as usize]).collect();
    }
    let mut picked = Vec::with_capacity(rows.len() * width);
    for &r in rows {
        let start = r as usize * width;
        picked.extend_from_slice(&values[start..start + width]);
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three rows of two wide slots, one deep slot and one number, with these targets.
    fn three_rows(targets: Vec<f32>) -> Encoded {
        Encoded {
            rows: 3,
            wide: vec![1, 2, 3, 4, 5, 6],
            deep: vec![vec![7, 8, 9]],
            numeric: vec![0.5, 0.25, 0.125],
            targets,
            source_rows: vec![10, 11, 12],
        }
    }

    #[test]
    fn head_keeps_whole_rows_of_every_array() {
        let encoded = three_rows(vec![1.0, 0.0, 1.0]);
        let head = encoded.head(2);
        assert_eq!((head.rows, head.wide, head.deep[0].clone()), (2, vec![1, 2, 3, 4], vec![7, 8]));
        assert_eq!((head.numeric, head.targets, head.source_rows), (vec![0.5, 0.25], vec![1.0, 0.0], vec![10, 11]));
        assert_eq!(encoded.head(9).rows, 3);
    }

    #[test]
    fn select_takes_whole_rows_in_the_order_asked() {
        let encoded = three_rows(vec![]);
        let batch = encoded.select(&[2, 0, 2], Parts::ALL);
        assert_eq!((batch.rows, batch.wide, batch.deep[0].clone()), (3, vec![5, 6, 1, 2, 5, 6], vec![9, 7, 9]));
        assert_eq!((batch.numeric, batch.targets, batch.source_rows), (vec![0.125, 0.5, 0.125], vec![], vec![12, 10, 12]));
    }

    #[test]
    fn select_leaves_out_the_parts_not_asked_for() {
        let encoded = three_rows(vec![1.0, 0.0, 1.0]);
        let wide = encoded.select(&[1], Parts { wide: true, deep: false });
        assert_eq!((wide.wide, wide.deep.len(), wide.numeric.len()), (vec![3, 4], 0, 0));
        let deep = encoded.select(&[1], Parts { wide: false, deep: true });
        assert_eq!((deep.wide.len(), deep.deep, deep.numeric), (0, vec![vec![8]], vec![0.25]));
        assert_eq!((deep.targets, deep.source_rows), (vec![0.0], vec![11]));
    }
}
