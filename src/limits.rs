//! Every bound the core enforces before it allocates, in one place: a size a user can type, a
//! file can declare or a link can carry is checked against one of these first, so hostile input
//! is a clear error instead of an abort, a wrapped index or a page whose engine dies.
//!
//! Where memory is the concern the bound depends on the surface: the page's engine runs in
//! 32-bit WebAssembly (at most 4 GiB, shared with everything else it holds), the CLI on a 64-bit
//! machine. The README's "Reliability" section lists these figures.

/// Most trainable parameters (weights and embedding values) a model may have. Each costs 4
/// bytes, and as much again for its gradient and for each optimizer moment (Adam keeps two), so
/// the page's 2^26 (67 million) stays near 1 GiB while training; the CLI's 2^29 near 8 GiB.
#[cfg(target_pointer_width = "32")]
pub const MAX_PARAMETERS: u64 = 1 << 26;
/// Most trainable parameters (weights and embedding values) a model may have (see above).
#[cfg(not(target_pointer_width = "32"))]
pub const MAX_PARAMETERS: u64 = 1 << 29;

/// Most hash buckets per cross: with [`MAX_CROSSES`] crosses every wide id still fits the `u32`
/// the ids are stored in (2^24 × 32 = 2^29).
pub const MAX_HASH_BUCKETS: usize = 1 << 24;

/// Most crosses one model may have (each costs a wide slot per row and its buckets).
pub const MAX_CROSSES: usize = 32;

/// Most tokens kept per multi-valued cell: each is a slot in every row of the encoded table.
pub const MAX_TOKENS: usize = 1024;

/// Largest embedding size a column may be given.
pub const MAX_EMBEDDING_DIM: usize = 1024;

/// Most quantile buckets per numeric column.
pub const MAX_QUANTILE_BUCKETS: usize = 1000;

/// Most hidden layers in the deep part.
pub const MAX_HIDDEN_LAYERS: usize = 16;

/// Most rows per training step (a batch's inputs and activations are allocated at once).
pub const MAX_BATCH_SIZE: usize = 1 << 16;

/// Most epochs one run may ask for (each is a full pass and a record kept in the report).
pub const MAX_EPOCHS: usize = 10_000;

/// Most columns a file may have. Linear-time header and schema work make this a memory bound:
/// every column carries a vocabulary and a summary.
pub const MAX_COLUMNS: usize = 200_000;

/// Longest line (one record, header included) in bytes, so a file without line breaks is named as
/// such instead of read as one endless record.
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// Most bytes a zip archive may inflate to, all its files together: a bound on what the archive
/// can make us allocate whatever its headers claim.
#[cfg(target_pointer_width = "32")]
pub const MAX_INFLATED_BYTES: u64 = 512 << 20;
/// Most bytes a zip archive may inflate to, all its files together (see above).
#[cfg(not(target_pointer_width = "32"))]
pub const MAX_INFLATED_BYTES: u64 = 2 << 30;

/// Largest inflated-to-compressed ratio of a zip entry. Deflate cannot exceed about 1,032:1; real
/// data (CSV, MovieLens's `.dat` files) compresses 3–20:1, so anything past this is a bomb.
pub const MAX_INFLATE_RATIO: u64 = 1100;

/// Largest magnitude a standardized number may take when a file is scored. A value far outside
/// the training range (1e308 against ages) would otherwise overflow the model's 32-bit floats.
pub const MAX_STANDARDIZED: f64 = 1e6;

/// Most classes a multiclass label may have: each is an output of every wide weight and of the
/// deep part's last layer.
pub const MAX_CLASSES: usize = 64;
