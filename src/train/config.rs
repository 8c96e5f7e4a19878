//! Training settings.

use serde::{Deserialize, Serialize};

use crate::model::{Mode, ModelConfig};
use crate::{Error, Result};

/// Which optimizer updates the weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    /// Adam (default learning rate 0.001): robust for the joint model.
    Adam,
    /// Adagrad (default 0.01): what the seed project used; good for sparse wide features.
    Adagrad,
    /// Plain SGD (default 0.05).
    Sgd,
}

impl OptimizerKind {
    /// The learning rate used when none is given.
    pub fn default_learning_rate(self) -> f64 {
        match self {
            Self::Adam => 1e-3,
            Self::Adagrad => 1e-2,
            Self::Sgd => 5e-2,
        }
    }
}

/// How rows are divided into training and test sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitKind {
    /// A seeded random sample is held out.
    Random,
    /// The last rows are held out (for time-sorted data: train on the past, test on the future).
    Ordered,
}

/// Everything about a training run except the features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainConfig {
    /// Models to train, on the same split and batch order.
    pub modes: Vec<Mode>,
    /// Deep MLP hidden widths.
    pub hidden: Vec<usize>,
    /// The optimizer.
    pub optimizer: OptimizerKind,
    /// Learning rate; `None` for the optimizer's default.
    pub learning_rate: Option<f64>,
    /// Rows per step.
    pub batch_size: usize,
    /// Passes over the training rows.
    pub epochs: usize,
    /// Share of labelled rows held out for testing.
    pub test_fraction: f64,
    /// Random or ordered hold-out.
    pub split: SplitKind,
    /// Seeds the split, the batch order and the initial weights.
    pub seed: u64,
    /// Report the running training loss every this many steps.
    pub log_every: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            modes: vec![Mode::Joint],
            hidden: vec![64, 32, 16],
            optimizer: OptimizerKind::Adam,
            learning_rate: None,
            batch_size: 256,
            epochs: 10,
            test_fraction: 0.3,
            split: SplitKind::Random,
            seed: 100,
            log_every: 50,
        }
    }
}

impl TrainConfig {
    /// The learning rate in effect.
    pub fn learning_rate(&self) -> f64 {
        self.learning_rate.unwrap_or_else(|| self.optimizer.default_learning_rate())
    }

    /// The model settings for one mode.
    pub fn model(&self, mode: Mode) -> ModelConfig {
        ModelConfig { mode, hidden: self.hidden.clone() }
    }

    /// Rejects settings that cannot train.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::Config(m));
        if self.modes.is_empty() {
            return bad("choose at least one model (wide, deep or joint)".into());
        }
        if self.batch_size == 0 || self.epochs == 0 || self.log_every == 0 {
            return bad("batch size, epochs and the loss reporting interval must be at least 1".into());
        }
        if !(self.test_fraction > 0.0 && self.test_fraction < 1.0) {
            return bad(format!("the test fraction must be between 0 and 1 (exclusive), got {}", self.test_fraction));
        }
        let lr = self.learning_rate();
        if !(lr.is_finite() && lr > 0.0) {
            return bad(format!("the learning rate must be a positive number, got {lr}"));
        }
        Ok(())
    }
}
