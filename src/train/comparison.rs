//! Several models trained on one split and one batch order, so their curves can be compared.

use burn::tensor::Device;

use super::{Prepared, TrainConfig, Trainer};
use crate::Result;
use crate::data::{Schema, Table};
use crate::features::FeatureConfig;
use crate::model::Inputs;

/// A prepared table and one trainer per requested mode.
pub struct Comparison {
    /// The encoded split (shared by every trainer).
    pub prepared: Prepared,
    /// One trainer per mode, in the order of the settings' `modes`.
    pub trainers: Vec<Trainer>,
}

impl Comparison {
    /// Prepares `table` and builds a trainer per mode on `device`, uploading the test rows once.
    pub fn new(table: &Table, schema: &Schema, features: &FeatureConfig, train: &TrainConfig, device: &Device) -> Result<Self> {
        Self::from_prepared(Prepared::new(table, schema, features, train)?, train, device)
    }

    /// A trainer per mode of `train` on `device` for rows already prepared (by this engine, or
    /// by another worker that shared them).
    pub fn from_prepared(prepared: Prepared, train: &TrainConfig, device: &Device) -> Result<Self> {
        let test = Inputs::upload(&prepared.test, &prepared.layout, device);
        let trainers = train
            .modes
            .iter()
            .map(|&mode| Trainer::new(&prepared, prepared.train.clone(), test.clone(), mode, train, device))
            .collect::<Result<_>>()?;
        Ok(Self { prepared, trainers })
    }
}
