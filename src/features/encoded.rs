//! Encoded rows: flat arrays ready to become tensors.

/// Marks an unused slot (a multi-valued cell with fewer tokens than the widest one).
pub const PAD: u32 = u32::MAX;

/// A block of encoded rows, laid out as [`Layout`](super::Layout) describes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Encoded {
    /// Number of rows.
    pub rows: usize,
    /// Row-major `rows × wide_slots` ids into the one wide table; [`PAD`] where unused.
    pub wide: Vec<u32>,
    /// For each deep group, row-major `rows × slots` ids into that group's table.
    pub deep: Vec<Vec<u32>>,
    /// Row-major `rows × numeric columns` standardized values (0 where missing).
    pub numeric: Vec<f32>,
    /// 0/1 targets, one per row; empty when the file has no usable label.
    pub targets: Vec<f32>,
    /// The table row each encoded row came from.
    pub source_rows: Vec<usize>,
}
