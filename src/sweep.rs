//! A race of configurations: "does this cross help, and which embedding size is enough?" answered
//! in one run. Variants of a base configuration differ in chosen settings; each is trained with
//! several seeds on its own validation rows, and the variants are ranked by their kept epoch's
//! validation AUC, with its spread over the seeds so a difference smaller than the noise reads as
//! such.

use burn::tensor::Device;
use serde::Serialize;

use crate::config::Config;
use crate::data::{Schema, Table};
use crate::train::{Comparison, OptimizerKind};
use crate::{Error, Result};

/// Most variants one sweep trains (each times its seeds): a sweep is a question, not a search.
pub const MAX_VARIANTS: usize = 16;
/// Most seeds per variant: enough to see the noise, far short of a search.
pub const MAX_SEEDS: usize = 20;
/// The validation share a sweep uses when the base configuration holds none back.
pub const SWEEP_VALIDATION: f64 = 0.2;

/// One setting a sweep varies, and its values (the first is the base's).
#[derive(Debug, Clone, PartialEq)]
pub enum Vary {
    /// A cross of these columns, on or off.
    Cross(Vec<String>, Vec<bool>),
    /// The embedding size (`None`: the automatic size).
    EmbeddingDim(Vec<Option<usize>>),
    /// The deep part's hidden layers.
    Hidden(Vec<Vec<usize>>),
    /// The learning rate.
    LearningRate(Vec<f64>),
    /// The optimizer.
    Optimizer(Vec<OptimizerKind>),
}

impl Vary {
    /// The setting's name, as `--vary` writes it.
    pub fn setting(&self) -> String {
        match self {
            Self::Cross(columns, _) => format!("cross {}", columns.join(",")),
            Self::EmbeddingDim(_) => "embedding-dim".into(),
            Self::Hidden(_) => "hidden".into(),
            Self::LearningRate(_) => "lr".into(),
            Self::Optimizer(_) => "optimizer".into(),
        }
    }

    fn same_setting(&self, other: &Vary) -> bool {
        self.setting() == other.setting()
    }

    fn count(&self) -> usize {
        match self {
            Self::Cross(_, v) => v.len(),
            Self::EmbeddingDim(v) => v.len(),
            Self::Hidden(v) => v.len(),
            Self::LearningRate(v) => v.len(),
            Self::Optimizer(v) => v.len(),
        }
    }

    /// Sets value `i` in `config`; returns its words ("cross a × b on", "embedding 8").
    fn apply(&self, i: usize, config: &mut Config) -> String {
        match self {
            Self::Cross(columns, on) => {
                let same = |c: &Vec<String>| c == columns;
                config.features.crosses.retain(|c| !same(c));
                if on[i] {
                    config.features.crosses.push(columns.clone());
                }
                format!("cross {} {}", columns.join(" × "), if on[i] { "on" } else { "off" })
            }
            Self::EmbeddingDim(v) => {
                config.features.embedding_dim = v[i];
                v[i].map_or("embedding automatic".into(), |d| format!("embedding {d}"))
            }
            Self::Hidden(v) => {
                config.train.hidden = v[i].clone();
                format!("hidden {}", v[i].iter().map(ToString::to_string).collect::<Vec<_>>().join(","))
            }
            Self::LearningRate(v) => {
                config.train.learning_rate = Some(v[i]);
                format!("learning rate {}", v[i])
            }
            Self::Optimizer(v) => {
                config.train.optimizer = v[i];
                format!("optimizer {}", v[i].name())
            }
        }
    }
}

/// One configuration of a sweep, named by what sets it apart.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Its values of the varied settings, in words.
    pub name: String,
    /// The whole configuration.
    pub config: Config,
}

/// Every combination of the varied settings' values over `base` (the first is the base itself,
/// with each setting's first value), at most [`MAX_VARIANTS`].
pub fn variants(base: &Config, varies: &[Vary]) -> Result<Vec<Variant>> {
    if let Some(twice) = varies.iter().enumerate().find_map(|(i, v)| varies[..i].iter().any(|w| w.same_setting(v)).then_some(v)) {
        return Err(Error::Config(format!("{} is varied twice: give its values in one --vary", twice.setting())));
    }
    let total = varies.iter().try_fold(1usize, |n, v| n.checked_mul(v.count()).filter(|&n| n <= MAX_VARIANTS));
    let Some(total) = total.filter(|_| varies.iter().all(|v| v.count() > 0)) else {
        return Err(Error::Limit(format!(
            "a sweep trains at most {MAX_VARIANTS} variants, each with at least one value: vary fewer settings or values"
        )));
    };
    Ok((0..total)
        .map(|mut k| {
            let mut config = base.clone();
            let mut words = Vec::new();
            for vary in varies {
                words.push(vary.apply(k % vary.count(), &mut config));
                k /= vary.count();
            }
            Variant { name: words.join(", "), config }
        })
        .collect())
}

/// How one variant did over the seeds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// The variant's name.
    pub variant: String,
    /// The kept epoch's validation AUC, per seed.
    pub validation_auc: Vec<f64>,
    /// The kept epoch's test AUC, per seed.
    pub test_auc: Vec<f64>,
    /// The mean of `validation_auc` and its standard deviation over the seeds.
    pub mean: f64,
    /// See `mean`.
    pub spread: f64,
    /// `mean` minus the base variant's.
    pub difference: f64,
}

impl Score {
    /// Whether the difference to the base is within the noise of the seeds (smaller than the
    /// larger of the two spreads): too small to choose by.
    pub fn within_noise(&self, base: &Score) -> bool {
        self.difference.abs() < self.spread.max(base.spread)
    }
}

/// Trains every variant's first model with `seeds` seeds (the base seed, then the next ones) on
/// `table`, each on its own validation rows, and returns the scores best first (the base's
/// difference is 0). `on_run` hears of each finished run (for progress).
pub async fn sweep(
    table: &Table,
    schema: &Schema,
    variants: &[Variant],
    seeds: usize,
    device: &Device,
    mut on_run: impl FnMut(&str, u64, f64),
) -> Result<Vec<Score>> {
    if !(1..=MAX_SEEDS).contains(&seeds) {
        return Err(Error::Limit(format!("a sweep takes 1 to {MAX_SEEDS} seeds per variant, got {seeds}")));
    }
    let mut scores = Vec::with_capacity(variants.len());
    for variant in variants {
        let (mut validation_auc, mut test_auc) = (Vec::new(), Vec::new());
        for s in 0..seeds as u64 {
            let mut config = variant.config.clone();
            config.train.seed += s;
            if config.train.validation_fraction == 0.0 {
                config.train.validation_fraction = SWEEP_VALIDATION;
            }
            config.train.modes.truncate(1);
            let mut comparison = Comparison::new(table, schema, &config.features, &config.train, device)?;
            let trainer = &mut comparison.trainers[0];
            while trainer.wants_more(config.train.epochs) {
                while !trainer.step().epoch_done {}
                trainer.end_epoch().await?;
            }
            let best = trainer.best().expect("a sweep always holds validation rows back");
            validation_auc.push(best.score);
            test_auc.push(trainer.history()[best.epoch - 1].test_auc);
            on_run(&variant.name, config.train.seed, best.score);
        }
        let (mean, spread) = mean_and_spread(&validation_auc);
        scores.push(Score { variant: variant.name.clone(), validation_auc, test_auc, mean, spread, difference: 0.0 });
    }
    let base = scores.first().map_or(0.0, |s| s.mean);
    for score in &mut scores {
        score.difference = score.mean - base;
    }
    scores.sort_by(|a, b| b.mean.total_cmp(&a.mean));
    Ok(scores)
}

/// The mean and the sample standard deviation (0 for one value).
fn mean_and_spread(values: &[f64]) -> (f64, f64) {
    let n = values.len().max(1) as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = if values.len() > 1 { values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0) } else { 0.0 };
    (mean, variance.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_are_every_combination_the_base_first() {
        let base = Config::default();
        let varies = [Vary::Cross(vec!["a".into(), "b".into()], vec![true, false]), Vary::EmbeddingDim(vec![Some(4), Some(8), None])];
        let all = variants(&base, &varies).unwrap();
        assert_eq!(all.len(), 6);
        assert_eq!(all[0].name, "cross a × b on, embedding 4");
        assert_eq!(all[0].config.features.crosses, vec![vec!["a".to_string(), "b".to_string()]]);
        assert_eq!(all[1].name, "cross a × b off, embedding 4");
        assert!(all[1].config.features.crosses.is_empty());
        assert_eq!(all[5].name, "cross a × b off, embedding automatic");
        let many = [Vary::LearningRate(vec![0.1; 5]), Vary::EmbeddingDim(vec![None; 4])];
        assert!(variants(&base, &many).unwrap_err().to_string().contains("at most 16 variants"));
        let twice = [Vary::LearningRate(vec![0.1]), Vary::LearningRate(vec![0.2])];
        assert!(variants(&base, &twice).unwrap_err().to_string().contains("lr is varied twice"));
    }

    #[test]
    fn spread_is_the_sample_deviation() {
        let (mean, spread) = mean_and_spread(&[0.8, 0.82, 0.84]);
        assert!((mean - 0.82).abs() < 1e-12 && (spread - 0.02).abs() < 1e-12);
        assert_eq!(mean_and_spread(&[0.7]), (0.7, 0.0));
    }
}
