//! Rows counted by a column's key and the label's group: the table the cross suggestions read
//! information from and the leak guard reads class shares from, whatever the task.

use rustc_hash::FxHashMap;

/// For each key seen, how many rows of each of `groups` label groups hold it.
pub(crate) struct Contingency {
    /// Where each key's counts start in `counts`, divided by `groups`.
    cells: FxHashMap<u64, usize>,
    /// `groups` counts per key, in the order keys were first seen.
    counts: Vec<u32>,
    groups: usize,
}

impl Contingency {
    /// Counts the rows given as (key, group) pairs, groups below `groups`.
    pub(crate) fn count(rows: impl Iterator<Item = (u64, u32)>, groups: usize) -> Self {
        let mut table = Self { cells: FxHashMap::default(), counts: Vec::new(), groups };
        for (key, group) in rows {
            let next = table.cells.len();
            let cell = *table.cells.entry(key).or_insert(next);
            if cell == next {
                table.counts.resize((next + 1) * groups, 0);
            }
            table.counts[cell * groups + group as usize] += 1;
        }
        table
    }

    /// The counts per group of the rows holding `key` (none if no row does).
    pub(crate) fn get(&self, key: u64) -> Option<&[u32]> {
        self.cells.get(&key).map(|&cell| &self.counts[cell * self.groups..(cell + 1) * self.groups])
    }

    /// Every key's counts per group.
    pub(crate) fn cells(&self) -> impl Iterator<Item = &[u32]> {
        self.counts.chunks_exact(self.groups)
    }

    /// How many distinct keys were counted.
    pub(crate) fn len(&self) -> usize {
        self.cells.len()
    }
}
