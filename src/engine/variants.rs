//! The page's *Try variants*: a sweep ([`crate::sweep`]) of a few configurations of one model,
//! trained in slices on the loaded file by the worker that holds it, so a stop acts between two
//! slices and the table fills in as runs end.

use serde::Serialize;

use super::Engine;
use crate::config::Config;
use crate::sweep::{PAGE_VARIANTS, Score, Sweep, SweepProgress, Variant, Vary, variants, verdict};
use crate::{Error, Result};

/// A slice of a race of variants: where it stands, and the ranking of the runs finished so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariantsProgress {
    /// Runs finished, the run in progress, whether all are done.
    #[serde(flatten)]
    pub progress: SweepProgress,
    /// The variants with a finished run, best first.
    pub scores: Vec<Score>,
    /// What the ranking says (see [`verdict`]).
    pub said: String,
}

impl Engine {
    /// Starts a race of variants of `base` (its first model): `vary` holds settings as
    /// `SETTING=VALUES` split by `;` (see [`Vary::parse_all`]), at most [`PAGE_VARIANTS`]
    /// variants in all, each trained with `seeds` seeds and checked before any trains. Returns the
    /// variants, the base first: their configurations are what "keep the winner" adopts. The
    /// race of models in progress, if any, stays.
    pub fn start_variants(&mut self, base: Config, vary: &str, seeds: usize) -> Result<Vec<Variant>> {
        self.loaded()?;
        let varies = Vary::parse_all(vary).map_err(|why| Error::Config(format!("vary {why}")))?;
        let all = variants(&base, &varies, PAGE_VARIANTS)?;
        for variant in &all {
            variant.config.train.validate().map_err(|e| Error::Config(format!("{}: {e}", variant.name)))?;
        }
        let sweep = Sweep::new(all, seeds)?;
        let listed = sweep.variants().to_vec();
        self.sweep = Some(sweep);
        Ok(listed)
    }

    /// Trains the race of variants for up to `steps` steps.
    pub async fn train_variants(&mut self, steps: usize) -> Result<VariantsProgress> {
        let data = self.data.as_ref().ok_or(Error::NoData)?;
        let sweep = self.sweep.as_mut().ok_or_else(|| Error::State("start a race of variants first".into()))?;
        let progress = sweep.advance(&data.table, &data.schema, &self.device, steps).await?;
        let scores = sweep.scores();
        Ok(VariantsProgress { progress, said: verdict(&scores), scores })
    }
}
