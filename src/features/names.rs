//! Named memorization: a hashed cross's weights are per bucket, and a bucket number says nothing
//! to a class. While the encoder is fitted, every combination of values a cross sees on the
//! training rows is counted, and each bucket keeps the few most frequent combinations that landed
//! in it, so a weight reads `city=city_10 × product=product_03 · 412 rows`.
//!
//! Memory: counting needs one entry per distinct combination on the training rows (at most one
//! per row and combination of tokens), freed after fitting; what is kept is at most
//! [`NAMES_PER_BUCKET`] combinations per used bucket, plus a count of the rest (collisions).

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::rng::mix;

/// Combinations kept per bucket; the rest are counted as "+N more".
pub const NAMES_PER_BUCKET: usize = 3;

/// One combination of values, as the crossed fields' ids, and its training rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Combo {
    /// One id per crossed field, in the cross's column order.
    pub ids: Vec<u32>,
    /// Training rows that had it.
    pub rows: u32,
}

/// The combinations that landed in one bucket of one cross.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketNames {
    /// The bucket (0-based within the cross).
    pub bucket: u32,
    /// The most frequent combinations, most rows first (ties: smaller ids first).
    pub top: Vec<Combo>,
    /// How many other combinations share the bucket (hash collisions).
    pub more: u32,
    /// Their training rows together.
    pub more_rows: u32,
}

/// One hashed id per combination of the parts' ids (one combination unless a part is
/// multi-valued), in [`combinations`] order. Hashing ids, not strings, keeps encoding fast and
/// platform-independent.
pub(crate) fn cross_ids(cross: usize, parts: &[&[u32]], buckets: usize) -> Vec<u32> {
    let mut hashes = vec![mix(0x5EED ^ cross as u64)];
    for part in parts {
        hashes = hashes.iter().flat_map(|&h| part.iter().map(move |&id| mix(h ^ (id as u64 + 1)))).collect();
    }
    hashes.into_iter().map(|h| (h % buckets as u64) as u32).collect()
}

/// Every combination of one id from each part, the first part varying slowest.
pub(crate) fn combinations(parts: &[&[u32]]) -> Vec<Vec<u32>> {
    parts.iter().fold(vec![Vec::new()], |prefixes, part| {
        prefixes.iter().flat_map(|prefix| part.iter().map(move |&id| [prefix.as_slice(), &[id]].concat())).collect()
    })
}

/// Counts the combinations of cross number `cross` over the rows `parts_of` yields, and keeps the
/// top few per bucket; buckets in increasing order, empty ones left out.
pub(super) fn name_buckets<'a>(cross: usize, buckets: usize, rows: impl Iterator<Item = Vec<&'a [u32]>>) -> Vec<BucketNames> {
    let mut counts: FxHashMap<Vec<u32>, u32> = FxHashMap::default();
    for parts in rows {
        for combo in combinations(&parts) {
            *counts.entry(combo).or_default() += 1;
        }
    }
    let mut by_bucket: FxHashMap<u32, Vec<Combo>> = FxHashMap::default();
    for (ids, rows) in counts {
        let parts: Vec<&[u32]> = ids.iter().map(std::slice::from_ref).collect();
        let bucket = cross_ids(cross, &parts, buckets)[0];
        by_bucket.entry(bucket).or_default().push(Combo { ids, rows });
    }
    let mut named: Vec<BucketNames> = by_bucket
        .into_iter()
        .map(|(bucket, mut combos)| {
            combos.sort_by(|a, b| b.rows.cmp(&a.rows).then_with(|| a.ids.cmp(&b.ids)));
            let rest = combos.split_off(combos.len().min(NAMES_PER_BUCKET));
            BucketNames { bucket, top: combos, more: rest.len() as u32, more_rows: rest.iter().map(|c| c.rows).sum() }
        })
        .collect();
    named.sort_by_key(|b| b.bucket);
    named
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combinations_follow_the_hash_order() {
        let parts: [&[u32]; 2] = [&[1, 2], &[3, 4]];
        assert_eq!(combinations(&parts), [vec![1, 3], vec![1, 4], vec![2, 3], vec![2, 4]]);
        let each: Vec<u32> = combinations(&parts).iter().map(|c| cross_ids(5, &[&c[..1], &c[1..]], 1000)[0]).collect();
        assert_eq!(each, cross_ids(5, &parts, 1000), "hashing a whole row hashes each combination");
    }

    #[test]
    fn buckets_keep_the_most_frequent_combinations_and_count_the_rest() {
        // One bucket: every combination collides, so the counts and the "+N more" are checkable by hand.
        let rows: Vec<Vec<Vec<u32>>> = [[1, 1], [1, 1], [1, 1], [2, 1], [2, 1], [3, 1], [4, 1], [4, 2]]
            .iter()
            .map(|r| r.iter().map(|&id| vec![id]).collect())
            .collect();
        let named = name_buckets(0, 1, rows.iter().map(|r| r.iter().map(Vec::as_slice).collect()));
        assert_eq!(named.len(), 1);
        let top: Vec<(Vec<u32>, u32)> = named[0].top.iter().map(|c| (c.ids.clone(), c.rows)).collect();
        assert_eq!(top, [(vec![1, 1], 3), (vec![2, 1], 2), (vec![3, 1], 1)]);
        assert_eq!((named[0].more, named[0].more_rows), (2, 2), "[4, 1] and [4, 2], one row each");
    }

    #[test]
    fn tokens_of_a_multi_valued_part_each_count() {
        let row: Vec<&[u32]> = vec![&[7], &[1, 2]];
        let named = name_buckets(0, 1 << 20, std::iter::once(row));
        let combos: Vec<Vec<u32>> = named.iter().flat_map(|b| b.top.iter().map(|c| c.ids.clone())).collect();
        assert_eq!(combos.len(), 2);
        assert!(combos.contains(&vec![7, 1]) && combos.contains(&vec![7, 2]));
    }
}
