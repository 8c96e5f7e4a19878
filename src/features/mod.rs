//! Features: how table columns become the wide part's sparse ids and the deep part's inputs.
//!
//! Fitting happens on the training rows only (vocabularies, quantile edges, means), so the test
//! split sees unseen values exactly as a new file would: they map to the reserved id 0.

mod config;
mod contingency;
mod encoded;
mod encoder;
mod field;
mod leak;
mod names;
mod suggest;

pub use config::{FeatureConfig, Role};
pub use encoded::{Encoded, PAD, Parts};
pub use encoder::{Cross, DeepGroup, Encoder, Layout, WideBlock, WideName};
pub use field::{Encoding, Field, default_embedding_dim};
pub use leak::{LEAK_AUC, LEAK_R2, Leak, Measure, find_leaks, flag_leaks};
pub use names::{BucketNames, Combo, NAMES_PER_BUCKET};
pub use suggest::{Suggestion, suggest_crosses};
