//! The page's *Try variants*: a sweep ([`crate::sweep`]) of a few configurations of one model,
//! trained in slices on the loaded file by the worker that holds it, so a stop acts between two
//! slices and the table fills in as runs end.

use serde::Serialize;

use super::Engine;
use crate::config::Config;
use crate::sweep::{PAGE_VARIANTS, Score, Sweep, SweepProgress, Variant, Vary, variants};
use crate::{Error, Result};

/// A slice of a race of variants: where it stands, and the ranking of the runs finished so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariantsProgress {
    /// Runs finished, the run in progress, whether all are done.
    #[serde(flatten)]
    pub progress: SweepProgress,
    /// The variants with a finished run, best first.
    pub scores: Vec<Score>,
}

impl Engine {
    /// Starts a race of variants of `base` (its first model), each `varies` entry one setting as
    /// `SETTING=VALUES` (see [`Vary::parse`]), at most [`PAGE_VARIANTS`] in all, each trained
    /// with `seeds` seeds. Returns the variants, the base first: their configurations are what
    /// "keep the winner" adopts. The race of models in progress, if any, stays.
    pub fn start_variants(&mut self, base: Config, varies: &[String], seeds: usize) -> Result<Vec<Variant>> {
        self.loaded()?;
        if varies.is_empty() {
            return Err(Error::Config("say what to vary: SETTING=VALUES, like embedding-dim=4,8,16".into()));
        }
        let read = |text: &String| Vary::parse(text).map_err(|why| Error::Config(format!("vary {text}: {why}")));
        let varies = varies.iter().map(read).collect::<Result<Vec<_>>>()?;
        let sweep = Sweep::new(variants(&base, &varies, PAGE_VARIANTS)?, seeds)?;
        let listed = sweep.variants().to_vec();
        self.sweep = Some(sweep);
        Ok(listed)
    }

    /// Trains the race of variants for up to `steps` steps.
    pub async fn train_variants(&mut self, steps: usize) -> Result<VariantsProgress> {
        let data = self.data.as_ref().ok_or(Error::NoData)?;
        let sweep = self.sweep.as_mut().ok_or_else(|| Error::State("start a race of variants first".into()))?;
        let progress = sweep.advance(&data.table, &data.schema, &self.device, steps).await?;
        Ok(VariantsProgress { progress, scores: sweep.scores() })
    }
}
