//! # widedeep
//!
//! Wide & Deep learning (Cheng et al., 2016) on any CSV: schema inference, feature encoding
//! (vocabularies, buckets, hashed crosses, embeddings), a Burn model with wide-only, deep-only
//! and joint modes, and a step-wise trainer with exact metrics.
//!
//! The same core runs natively (the `widedeep` CLI) and in the browser (WebAssembly): it does no
//! file I/O, starts no threads, and reads tensors only through async functions.

mod config;
pub mod data;
pub mod engine;
mod error;
pub mod export;
pub mod features;
pub mod insight;
pub mod limits;
pub mod metrics;
pub mod model;
pub mod plot;
mod report;
pub mod rng;
pub mod sweep;
pub mod synth;
pub mod train;
#[cfg(target_family = "wasm")]
pub mod web;

pub use config::{Config, Setup, comma_list};
pub use error::{Error, IoError, LabelProblem, Result};
pub use report::{Report, metrics_csv};
