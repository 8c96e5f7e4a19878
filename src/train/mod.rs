//! Training: splitting rows, a step-at-a-time trainer, and per-epoch metrics.
//!
//! Nothing here owns a loop or a thread: the CLI calls [`Trainer::step`] in a plain loop and the
//! browser calls it between animation frames, awaiting the reads.

mod config;
mod prepare;
mod race;
mod report;
mod trainer;

pub use config::{OptimizerKind, SplitKind, TrainConfig};
pub use prepare::Prepared;
pub use race::Race;
pub use report::{DatasetInfo, ModelRun, Report};
pub use trainer::{EVAL_CHUNK, EpochRecord, Step, Trainer, predict_logits};
