//! Training: splitting rows, a step-at-a-time trainer, and per-epoch metrics.
//!
//! Nothing here owns a loop or a thread: the CLI calls [`Trainer::step`] in a plain loop and the
//! browser calls it between animation frames, awaiting the reads.

mod comparison;
mod config;
mod prepare;
mod report;
mod tables;
mod trainer;
mod transfer;

pub use comparison::Comparison;
pub use config::{
    AUTO_EPOCHS, AUTO_PATIENCE, AUTO_VALIDATION, ClassWeight, Ftrl, HUBER_DELTA, LrSchedule, OptimizerKind, PLATEAU_FACTOR, RegressionLoss,
    SplitKind, TableUpdates, TrainConfig, WideOptimizer, class_weight_words,
};
pub use prepare::{Prepared, Split};
pub use report::{DatasetInfo, ModelRun};
pub use trainer::{Best, EpochRecord, RegressionRecord, Step, Trainer, out_of_patience};
