//! The fitted encoder as a portable JSON spec: what a program in another language needs to turn
//! raw CSV cells into the exported model's inputs with ids identical to ours. `encode.py` (beside
//! this file, numpy only) is the reference reader; `tests/interop.rs` checks it against
//! `widedeep encode`.

use serde::Serialize;

use super::inputs::{ModelInput, model_inputs};
use crate::data::LabelRule;
use crate::features::Field;
use crate::limits;
use crate::model::SavedModel;

/// The spec's format name: a reader refuses any other.
pub const SPEC_FORMAT: &str = "widedeep-encoder-1";

/// The reference encoder in Python, written beside a spec (and into a PyTorch bundle).
pub const ENCODE_PY: &str = include_str!("encode.py");

/// The rules the fields' encodings follow, in words (the spec's `rules`): one place a reader in
/// another language finds them.
const RULES: [(&str, &str); 7] = [
    ("cell", "a cell is trimmed of surrounding whitespace; empty, ?, NA, N/A, NaN, null and None (any case) are missing"),
    ("vocab", "id = 1 + the value's index in values; 0 for missing or unseen"),
    (
        "tokens",
        "split on |, trim, drop empty tokens, keep the first max_tokens; id = 1 + index in tokens, 0 unseen; no token or missing: one id 0",
    ),
    (
        "numeric",
        "a number (Rust's f64 grammar, finite): bucket id = 1 + count of edges <= x, value = (x - mean) / std \
         (x/std - mean/std where the difference overflows) clipped to ±max_standardized, as float32; \
         not a number or missing: id 0, value 0",
    ),
    (
        "cross",
        "h = mix(0x5EED ^ cross); for each crossed field in order, for each of its ids: h = mix(h ^ (id + 1)) \
         (u64, wrapping; the first field varies slowest); bucket = h % hash_buckets",
    ),
    ("mix", "z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) * 0x94D049BB133111EB; z ^ (z >> 31) (u64, wrapping)"),
    ("input", "each input's ids get its offset added; unused slots are -1; one value per row is shape [rows]"),
];

/// The spec of `saved`'s encoder and inputs.
#[derive(Debug, Clone, Serialize)]
pub struct EncoderSpec<'a> {
    /// Always [`SPEC_FORMAT`].
    pub format: &'static str,
    /// The label column and its 0/1 rule (for reading labels; the inputs do not need it).
    pub label: &'a str,
    /// See `label`.
    pub label_rule: &'a LabelRule,
    /// Every fitted field, as the saved model holds it.
    pub fields: &'a [Field],
    /// Buckets per cross.
    pub hash_buckets: usize,
    /// The clipping bound of standardized numbers.
    pub max_standardized: f64,
    /// The model's inputs, in the graph's order, each with its fields, offset and cross.
    pub inputs: Vec<ModelInput>,
    /// The rules, in words.
    pub rules: Vec<(&'static str, &'static str)>,
}

impl<'a> EncoderSpec<'a> {
    /// The spec of the encoder `saved` was trained with.
    pub fn new(saved: &'a SavedModel) -> Self {
        let encoder = &saved.encoder;
        Self {
            format: SPEC_FORMAT,
            label: &encoder.label,
            label_rule: &encoder.label_rule,
            fields: &encoder.fields,
            hash_buckets: encoder.hash_buckets,
            max_standardized: limits::MAX_STANDARDIZED,
            inputs: model_inputs(encoder, &encoder.layout(), saved.model.mode),
            rules: RULES.to_vec(),
        }
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a spec always serializes")
    }
}
