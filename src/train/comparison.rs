//! Several models trained on one split and one batch order, so their curves can be compared.

use burn::tensor::Device;

use super::{Prepared, Trainer};
use crate::Result;
use crate::config::Config;
use crate::data::{Schema, Table};
use crate::model::Inputs;

/// A prepared table and one trainer per requested mode.
pub struct Comparison {
    /// The encoded split (shared by every trainer).
    pub prepared: Prepared,
    /// One trainer per mode, in the order of `config.train.modes`.
    pub trainers: Vec<Trainer>,
}

impl Comparison {
    /// Prepares `table` and builds a trainer per mode on `device`, uploading the test rows once.
    pub fn new(table: &Table, schema: &Schema, config: &Config, device: &Device) -> Result<Self> {
        Self::from_prepared(Prepared::new(table, schema, &config.features, &config.train)?, config, device)
    }

    /// A trainer per mode of `config` on `device` for rows already prepared (by this engine, or
    /// by another worker that shared them).
    pub fn from_prepared(prepared: Prepared, config: &Config, device: &Device) -> Result<Self> {
        let test = Inputs::upload(&prepared.test, &prepared.layout, device);
        let trainers = config
            .train
            .modes
            .iter()
            .map(|&mode| Trainer::new(&prepared, prepared.train.clone(), test.clone(), mode, &config.train, device))
            .collect::<Result<_>>()?;
        Ok(Self { prepared, trainers })
    }
}
