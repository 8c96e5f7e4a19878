//! A batch's lookups in one table, grouped on the host by distinct id: what either update (the
//! CPU's in place, a GPU's by gathers) needs to sum each touched row's gradient.

use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::features::PAD;

/// Lookups summed per gather in a [`Level`]: an id looked up more often is summed in levels.
const WIDTH: usize = 16;

/// A batch's lookups in one table: its distinct ids (in first-seen order) and, for each lookup,
/// its position in the batch and the place of its id among the distinct ones.
#[derive(Debug, PartialEq)]
pub(super) struct Plan {
    pub(super) distinct: Vec<u32>,
    pub(super) lookups: Vec<(u32, u32)>,
}

impl Plan {
    /// Plans `ids` (a batch's ids into a table, row-major, [`PAD`] where unused); `place` is
    /// scratch of the table's length, all `u32::MAX`, left so.
    pub(super) fn new(ids: &[u32], place: &mut [u32]) -> Self {
        let mut distinct = Vec::new();
        let mut lookups = Vec::with_capacity(ids.len());
        for (at, &id) in ids.iter().enumerate().filter(|(_, id)| **id != PAD) {
            let slot = &mut place[id as usize];
            if *slot == u32::MAX {
                *slot = distinct.len() as u32;
                distinct.push(id);
            }
            lookups.push((at as u32, *slot));
        }
        distinct.iter().for_each(|&id| place[id as usize] = u32::MAX);
        Self { distinct, lookups }
    }

    /// The levels that sum the lookups' gradients into one row per distinct id with gathers and
    /// sums alone (parallel on a GPU); `below` is the number of lookup rows.
    pub(super) fn levels(&self, below: usize) -> Vec<Level> {
        // Each distinct id's lookups, contiguous (a counting sort): `members[starts[g]..starts[g + 1]]`.
        let mut starts = vec![0; self.distinct.len() + 1];
        self.lookups.iter().for_each(|&(_, g)| starts[g as usize + 1] += 1);
        (1..starts.len()).for_each(|g| starts[g] += starts[g - 1]);
        let mut members = vec![0; self.lookups.len()];
        let mut next = starts.clone();
        for &(at, g) in &self.lookups {
            members[next[g as usize]] = at;
            next[g as usize] += 1;
        }
        let (mut levels, mut below) = (Vec::new(), below);
        loop {
            let groups = || starts.windows(2).map(|w| &members[w[0]..w[1]]);
            let widest = groups().map(<[u32]>::len).max().unwrap_or(0);
            if widest <= WIDTH {
                levels.push(Level::new(groups(), widest.max(1), below));
                return levels;
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
}

/// One level of a GPU's sum: `groups × width` indices into the rows below (the lookups first), a
/// zero row appended below them padding short groups.
#[derive(Debug, PartialEq)]
pub(super) struct Level {
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
    pub(super) fn sum(&self, rows: Tensor<2>) -> Tensor<2> {
        let [_, dim] = rows.dims();
        let device = rows.device();
        let padded = Tensor::cat(vec![rows, Tensor::zeros([1, dim], &device)], 0);
        let summed = padded.select(0, ints(&self.index, &device)).reshape([self.groups, self.width, dim]).sum_dim(1);
        summed.reshape([self.groups, dim])
    }
}

/// `values` as an index tensor on `device`.
pub(super) fn ints(values: &[u32], device: &Device) -> Tensor<1, Int> {
    let values: Vec<i32> = values.iter().map(|&v| v as i32).collect();
    let len = values.len();
    Tensor::from_data(TensorData::new(values, [len]), device)
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Device, TensorData};

    use super::*;

    /// The plan of a batch looking up `ids` in a table of `rows`.
    fn plan(ids: &[u32], rows: usize) -> Plan {
        Plan::new(ids, &mut vec![u32::MAX; rows])
    }

    #[test]
    fn a_plan_groups_lookups_by_distinct_id_and_skips_padding() {
        let grouped = plan(&[7, 3, PAD, 3, 9, 7], 10);
        assert_eq!(grouped.distinct, [7, 3, 9]);
        assert_eq!(grouped.lookups, [(0, 0), (1, 1), (3, 1), (4, 2), (5, 0)]);
        assert_eq!(grouped.levels(6), [Level { index: vec![0, 5, 1, 3, 4, 6], groups: 3, width: 2 }], "6 is the zero row");
        let empty = plan(&[PAD, PAD], 3);
        assert_eq!((empty.distinct.len(), empty.levels(2)), (0, vec![Level { index: vec![], groups: 0, width: 1 }]));
    }

    /// An id looked up 40 times is summed in two levels (chunks of 16, then the chunks), and the
    /// sums equal the host's.
    #[test]
    fn levels_sum_each_ids_lookups() {
        let ids: Vec<u32> = (0..45).map(|i| if i % 9 == 0 { 2 } else { 5 }).collect();
        let plan = plan(&ids, 6);
        let levels = plan.levels(ids.len());
        assert_eq!((plan.distinct.clone(), levels.len()), (vec![2, 5], 2));
        let grads: Vec<f32> = (0..90).map(|i| i as f32 * 0.5).collect();
        let rows = Tensor::from_data(TensorData::new(grads.clone(), [45, 2]), &Device::flex());
        let summed: Vec<f32> = levels.iter().fold(rows, |rows, level| level.sum(rows)).into_data().iter::<f32>().collect();
        let host = |id: u32, col: usize| ids.iter().enumerate().filter(|(_, v)| **v == id).map(|(r, _)| grads[r * 2 + col]).sum::<f32>();
        assert_eq!(summed, [host(2, 0), host(2, 1), host(5, 0), host(5, 1)]);
    }
}
