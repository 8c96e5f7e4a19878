//! The whole configuration of a run, as one serializable value: what the CLI's flags build,
//! what the browser keeps in its URL, and what a saved run records.

use serde::{Deserialize, Serialize};

use crate::features::FeatureConfig;
use crate::train::TrainConfig;

/// Features and training settings together.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Label, roles, crosses and encoding sizes.
    pub features: FeatureConfig,
    /// Models, optimizer, batches, epochs, split and seed.
    pub train: TrainConfig,
}
