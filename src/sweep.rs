//! A race of configurations: "does this cross help, and which embedding size is enough?" answered
//! in one run. Variants of a base configuration differ in chosen settings; each is trained with
//! several seeds on its own validation rows, and the variants are ranked by their kept epoch's
//! validation AUC, with its spread over the seeds so a difference smaller than the noise reads as
//! such.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use crate::config::{Config, comma_list};
use crate::data::{Schema, Table};
use crate::features::Measure;
use crate::train::{Comparison, OptimizerKind, WideOptimizer};
use crate::{Error, Result};

/// Most variants one sweep trains (each times its seeds): a sweep is a question, not a search.
pub const MAX_VARIANTS: usize = 16;
/// Most variants the page's *Try variants* races: as many curves and rows as a room can read.
pub const PAGE_VARIANTS: usize = 4;
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
    /// FTRL's L1 (a wide part trained with FTRL): how sparse its memory is.
    FtrlL1(Vec<f64>),
}

impl Vary {
    /// Reads `SETTING=VALUES`, as `--vary` and the page's *Vary* field write it:
    /// `cross=COL,COL:on,off`, `embedding-dim=4,8,auto`, `hidden=64,32/32` (layer lists split by
    /// `/`), `lr=0.001,0.01`, `optimizer=adam,adagrad`, `l1=0,1,10`. The error says why, for the
    /// surface to prefix with its field's name.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let (setting, values) = text.split_once('=').ok_or("write SETTING=VALUES")?;
        let list = |s: &str| comma_list(&[s.to_string()]);
        let all = |s: &str, read: &dyn Fn(&str) -> Option<f64>, why: &str| {
            list(s).iter().map(|v| read(v).ok_or(why.to_string())).collect::<std::result::Result<Vec<f64>, String>>()
        };
        match setting.trim() {
            "cross" => {
                let (columns, switches) = values.rsplit_once(':').ok_or("write cross=COL,COL:on,off")?;
                let on = list(switches)
                    .iter()
                    .map(|s| match s.as_str() {
                        "on" => Ok(true),
                        "off" => Ok(false),
                        _ => Err("a cross is on or off".to_string()),
                    })
                    .collect::<std::result::Result<_, _>>()?;
                let columns = list(columns);
                if !(2..=3).contains(&columns.len()) {
                    return Err("a cross has 2 or 3 columns".into());
                }
                Ok(Self::Cross(columns, on))
            }
            "embedding-dim" => list(values)
                .iter()
                .map(|s| match s.as_str() {
                    "auto" => Ok(None),
                    s => s.parse::<usize>().ok().filter(|&d| d > 0).map(Some).ok_or("sizes are whole numbers or auto".to_string()),
                })
                .collect::<std::result::Result<_, _>>()
                .map(Self::EmbeddingDim),
            "hidden" => values
                .split('/')
                .map(|layers| {
                    list(layers)
                        .iter()
                        .map(|n| n.parse::<usize>().ok().filter(|&n| n > 0).ok_or("layers are whole numbers".to_string()))
                        .collect()
                })
                .collect::<std::result::Result<_, _>>()
                .map(Self::Hidden),
            "lr" => all(values, &|s| s.parse::<f64>().ok().filter(|x| x.is_finite() && *x > 0.0), "rates are positive numbers")
                .map(Self::LearningRate),
            "l1" => all(values, &|s| s.parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0), "L1 is a number of at least 0")
                .map(Self::FtrlL1),
            "optimizer" => list(values)
                .iter()
                .map(|s| match s.as_str() {
                    "adam" => Ok(OptimizerKind::Adam),
                    "adagrad" => Ok(OptimizerKind::Adagrad),
                    "sgd" => Ok(OptimizerKind::Sgd),
                    _ => Err("optimizers are adam, adagrad or sgd".to_string()),
                })
                .collect::<std::result::Result<_, _>>()
                .map(Self::Optimizer),
            other => Err(format!("'{other}' is not a setting a sweep varies (cross, embedding-dim, hidden, lr, optimizer, l1)")),
        }
    }

    /// Reads several settings split by `;` (a `;` inside double quotes is a column's own), as
    /// the page's *Vary* field holds them; an error names the part it is about.
    pub fn parse_all(text: &str) -> std::result::Result<Vec<Self>, String> {
        let (mut parts, mut part, mut quoted) = (Vec::new(), String::new(), false);
        for c in text.chars() {
            match c {
                '"' => {
                    quoted = !quoted;
                    part.push(c);
                }
                ';' if !quoted => parts.push(std::mem::take(&mut part)),
                c => part.push(c),
            }
        }
        parts.push(part);
        let parts: Vec<&str> = parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).collect();
        if parts.is_empty() {
            return Err("say what to vary: SETTING=VALUES, like embedding-dim=4,8,16".into());
        }
        parts.iter().map(|part| Self::parse(part).map_err(|why| format!("{part}: {why}"))).collect()
    }

    /// The setting's name, as `--vary` writes it.
    pub fn setting(&self) -> String {
        match self {
            Self::Cross(columns, _) => format!("cross {}", columns.join(",")),
            Self::EmbeddingDim(_) => "embedding-dim".into(),
            Self::Hidden(_) => "hidden".into(),
            Self::LearningRate(_) => "lr".into(),
            Self::Optimizer(_) => "optimizer".into(),
            Self::FtrlL1(_) => "l1".into(),
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
            Self::LearningRate(v) | Self::FtrlL1(v) => v.len(),
            Self::Optimizer(v) => v.len(),
        }
    }

    /// Sets value `i` in `config`; returns its words ("cross a × b on", "embedding 8").
    fn apply(&self, i: usize, config: &mut Config) -> String {
        match self {
            Self::Cross(columns, on) => {
                let same = |c: &Vec<String>| c.len() == columns.len() && c.iter().all(|x| columns.contains(x));
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
            Self::FtrlL1(v) => {
                if let Some(WideOptimizer::Ftrl(ftrl)) = &mut config.train.wide_optimizer {
                    ftrl.l1 = v[i];
                }
                format!("FTRL L1 {}", v[i])
            }
        }
    }
}

/// One configuration of a sweep, named by what sets it apart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variant {
    /// Its values of the varied settings, in words.
    pub name: String,
    /// The whole configuration.
    pub config: Config,
}

/// Every combination of the varied settings' values over `base` (the first is the base itself,
/// with each setting's first value), at most `most` (at most [`MAX_VARIANTS`]).
pub fn variants(base: &Config, varies: &[Vary], most: usize) -> Result<Vec<Variant>> {
    if let Some(twice) = varies.iter().enumerate().find_map(|(i, v)| varies[..i].iter().any(|w| w.same_setting(v)).then_some(v)) {
        return Err(Error::Config(format!("{} is varied twice: give its values in one --vary", twice.setting())));
    }
    if varies.iter().any(|v| matches!(v, Vary::FtrlL1(_))) && base.train.wide_optimizer.is_none() {
        return Err(Error::Config("l1 is FTRL's L1: train the wide part with FTRL to vary it".into()));
    }
    let most = most.min(MAX_VARIANTS);
    let total = varies.iter().try_fold(1usize, |n, v| n.checked_mul(v.count()).filter(|&n| n <= most));
    let Some(total) = total.filter(|_| varies.iter().all(|v| v.count() > 0)) else {
        return Err(Error::Limit(format!(
            "a sweep trains at most {most} variants, each with at least one value: vary fewer settings or values"
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

/// How one variant did over the seeds run so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// The variant's place in the sweep's list (0: the base).
    pub index: usize,
    /// The variant's name.
    pub variant: String,
    /// The kept epoch's validation score (the AUC, or a regression's R²), per seed.
    pub validation: Vec<f64>,
    /// The kept epoch's test score, per seed.
    pub test: Vec<f64>,
    /// The mean of `test`.
    pub test_mean: f64,
    /// Seeds whose run diverged (its loss stopped being a number): scored NaN.
    pub diverged: usize,
    /// Each seed's validation score per epoch: the curves a race of variants overlays.
    pub curves: Vec<Vec<f64>>,
    /// The mean of `validation` and its standard deviation over the seeds.
    pub mean: f64,
    /// See `mean`.
    pub spread: f64,
    /// `mean` minus the base variant's.
    pub difference: f64,
    /// What the scores measure: `AUC`, `macro AUC` or `R²`.
    pub measure: String,
    /// The difference in words: `base`, `+0.0123`, `+0.0004 ≈ noise` when it is within the
    /// seeds' spread ([`Score::within_noise`]), or why there is none (`diverged`, `no score`).
    pub versus: String,
}

impl Score {
    /// Whether the difference to the base is within the noise of the seeds (smaller than the
    /// larger of the two spreads): too small to choose by.
    pub fn within_noise(&self, base: &Score) -> bool {
        self.difference.abs() < self.spread.max(base.spread)
    }
}

/// One variant trained with one seed, step by step.
struct Run {
    variant: usize,
    seed: u64,
    epochs: usize,
    comparison: Comparison,
}

/// A sweep trained in slices (the page's worker trains it between a stop's checks; the CLI in
/// one go): the runs go seed round by seed round (every variant's first seed, then the second),
/// so the ranking means something early, and one run's rows are held at a time.
pub struct Sweep {
    variants: Vec<Variant>,
    seeds: usize,
    /// Runs started so far (run `k` is variant `k % variants`, seed round `k / variants`).
    started: usize,
    current: Option<Run>,
    /// Per variant: each finished seed's outcome.
    done: Vec<Vec<Outcome>>,
    /// What the scores measure, once a run has prepared the label.
    measure: Option<Measure>,
}

/// How one run ended: its kept epoch's validation and test scores and its validation curve
/// (NaN scores for a run that diverged).
#[derive(Debug, Clone)]
struct Outcome {
    validation: f64,
    test: f64,
    curve: Vec<f64>,
    diverged: bool,
}

/// What a slice of a sweep did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepProgress {
    /// Runs finished, of `runs`.
    pub finished: usize,
    /// Variants times seeds.
    pub runs: usize,
    /// The run in progress: its variant's name, its seed and the epoch it is in.
    pub current: Option<(String, u64, usize)>,
    /// The runs that ended in this slice: each one's variant's name, seed and kept validation score.
    pub ended: Vec<(String, u64, f64)>,
    /// Whether every run is done.
    pub done: bool,
}

impl Sweep {
    /// A sweep of `variants`, each trained with `seeds` seeds (the base seed, then the next ones).
    pub fn new(variants: Vec<Variant>, seeds: usize) -> Result<Self> {
        if !(1..=MAX_SEEDS).contains(&seeds) {
            return Err(Error::Limit(format!("a sweep takes 1 to {MAX_SEEDS} seeds per variant, got {seeds}")));
        }
        let done = vec![Vec::new(); variants.len()];
        Ok(Self { variants, seeds, started: 0, current: None, done, measure: None })
    }

    /// The variants, the base first.
    pub fn variants(&self) -> &[Variant] {
        &self.variants
    }

    fn runs(&self) -> usize {
        self.variants.len() * self.seeds
    }

    fn finished(&self) -> usize {
        self.done.iter().map(Vec::len).sum()
    }

    /// Trains up to `steps` steps, starting runs as the last ones end (each on `table`, with its
    /// own validation rows), and says where the sweep stands. A run that diverges ends there,
    /// scored NaN; the others go on.
    pub async fn advance(&mut self, table: &Table, schema: &Schema, device: &Device, steps: usize) -> Result<SweepProgress> {
        let mut ended = Vec::new();
        for _ in 0..steps {
            let Some(run) = self.current_run(table, schema, device)? else { break };
            let trainer = &mut run.comparison.trainers[0];
            if !trainer.step().epoch_done {
                continue;
            }
            let diverged = match trainer.end_epoch().await {
                Err(Error::Diverged { .. }) => true,
                Err(other) => return Err(other),
                Ok(_) => false,
            };
            if diverged || !trainer.wants_more(run.epochs) {
                let run = self.current.take().expect("a run in progress");
                ended.push(self.finish(run, diverged));
            }
        }
        let current =
            self.current.as_ref().map(|r| (self.variants[r.variant].name.clone(), r.seed, r.comparison.trainers[0].history().len() + 1));
        Ok(SweepProgress { finished: self.finished(), runs: self.runs(), current, ended, done: self.finished() == self.runs() })
    }

    /// The run in progress, or the next one started (none once all are done).
    fn current_run(&mut self, table: &Table, schema: &Schema, device: &Device) -> Result<Option<&mut Run>> {
        if self.current.is_none() && self.started < self.runs() {
            let (variant, round) = (self.started % self.variants.len(), self.started / self.variants.len());
            let mut config = self.variants[variant].config.clone();
            config.train.seed = config.train.seed.wrapping_add(round as u64);
            if config.train.validation_fraction == 0.0 {
                config.train.validation_fraction = SWEEP_VALIDATION;
            }
            config.train.modes.truncate(1);
            let comparison = Comparison::new(table, schema, &config.features, &config.train, device)?;
            if !comparison.trainers[0].holds_validation() {
                let (share, rows) = (config.train.validation_fraction, comparison.prepared.train.rows);
                return Err(Error::Config(format!(
                    "a race of variants ranks by validation rows, and a validation fraction of {share} holds back none of the {rows} training rows: give a larger one"
                )));
            }
            self.current = Some(Run { variant, seed: config.train.seed, epochs: config.train.epochs, comparison });
            self.started += 1;
        }
        Ok(self.current.as_mut())
    }

    /// Records how `run` ended; returns its variant's name, its seed and its score.
    fn finish(&mut self, run: Run, diverged: bool) -> (String, u64, f64) {
        let trainer = &run.comparison.trainers[0];
        let curve = trainer.history().iter().map(|e| e.validation_score().unwrap_or(f64::NAN)).collect();
        let kept = trainer.best().filter(|_| !diverged).map(|best| (best.score, trainer.history()[best.epoch - 1].test_score()));
        let (validation, test) = kept.unwrap_or((f64::NAN, f64::NAN));
        self.done[run.variant].push(Outcome { validation, test, curve, diverged });
        self.measure = Some(Measure::of(run.comparison.prepared.task()));
        (self.variants[run.variant].name.clone(), run.seed, validation)
    }

    /// The variants with at least one finished run, best first (those without a score last; the
    /// base's difference is 0).
    pub fn scores(&self) -> Vec<Score> {
        let measure = self.measure.map_or("score", Measure::name);
        let mut scores: Vec<Score> = (self.variants.iter().zip(&self.done).enumerate())
            .filter(|(_, (_, runs))| !runs.is_empty())
            .map(|(index, (variant, runs))| {
                let validation: Vec<f64> = runs.iter().map(|r| r.validation).collect();
                let test: Vec<f64> = runs.iter().map(|r| r.test).collect();
                let ((mean, spread), (test_mean, _)) = (mean_and_spread(&validation), mean_and_spread(&test));
                let (curves, diverged) = (runs.iter().map(|r| r.curve.clone()).collect(), runs.iter().filter(|r| r.diverged).count());
                let (name, measure) = (variant.name.clone(), measure.to_string());
                Score {
                    index,
                    variant: name,
                    validation,
                    test,
                    test_mean,
                    diverged,
                    curves,
                    mean,
                    spread,
                    difference: 0.0,
                    measure,
                    versus: String::new(),
                }
            })
            .collect();
        let base = scores.iter().find(|s| s.index == 0).cloned();
        for score in &mut scores {
            score.difference = score.mean - base.as_ref().map_or(f64::NAN, |b| b.mean);
            score.versus = versus(score, base.as_ref());
        }
        let rank = |s: &Score| if s.mean.is_finite() { s.mean } else { f64::NEG_INFINITY };
        scores.sort_by(|a, b| rank(b).total_cmp(&rank(a)));
        scores
    }
}

/// Where a score stands against the base: what [`versus`] says and [`verdict`] judges.
enum Standing {
    Diverged,
    NoScore,
    Base,
    BaseNoScore,
    OneSeed,
    Noise,
    Past,
}

fn standing(score: &Score, base: Option<&Score>) -> Standing {
    match base {
        _ if score.diverged > 0 => Standing::Diverged,
        _ if !score.mean.is_finite() => Standing::NoScore,
        _ if score.index == 0 => Standing::Base,
        Some(base) if !base.mean.is_finite() => Standing::BaseNoScore,
        _ if score.validation.len() < 2 => Standing::OneSeed,
        Some(base) if score.within_noise(base) => Standing::Noise,
        _ => Standing::Past,
    }
}

/// A score's difference to the base in words (see [`Score::versus`]).
fn versus(score: &Score, base: Option<&Score>) -> String {
    let (seeds, difference) = (score.validation.len(), score.difference);
    match standing(score, base) {
        Standing::Diverged => format!("diverged in {} of {seeds} seeds: lower its learning rate", score.diverged),
        Standing::NoScore => "no score (one class in its validation rows?)".into(),
        Standing::Base => "base".into(),
        Standing::BaseNoScore => "the base has no score".into(),
        Standing::OneSeed => format!("{difference:+.4} (one seed: no spread to judge it by)"),
        Standing::Noise => format!("{difference:+.4} ≈ noise"),
        Standing::Past => format!("{difference:+.4}"),
    }
}

/// What a ranking says, for the page's status line: the first variant against the base, and
/// whether the difference is past the seeds' spread.
pub fn verdict(scores: &[Score]) -> String {
    let Some(top) = scores.first() else { return "No run finished.".into() };
    if top.index == 0 {
        return format!("The base ({}) ranks first: keep what you have.", top.variant);
    }
    let judged = match standing(top, scores.iter().find(|s| s.index == 0)) {
        Standing::Noise => "within the seeds' noise: no reason to switch",
        Standing::OneSeed => "with one seed there is no spread to judge it by: give more seeds",
        Standing::Past if top.difference.is_sign_positive() => "past the seeds' spread",
        _ => "no variant has a score to rank by",
    };
    format!("{} ranks first, {} against the base: {judged}.", top.variant, top.versus)
}

/// Trains every run of `sweep` to its end; `on_run` hears of each finished run (for progress).
pub async fn sweep(
    table: &Table,
    schema: &Schema,
    mut sweep: Sweep,
    device: &Device,
    mut on_run: impl FnMut(&SweepProgress),
) -> Result<Vec<Score>> {
    loop {
        let progress = sweep.advance(table, schema, device, 64).await?;
        if !progress.ended.is_empty() {
            on_run(&progress);
        }
        if progress.done {
            return Ok(sweep.scores());
        }
    }
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
        let all = variants(&base, &varies, MAX_VARIANTS).unwrap();
        assert_eq!(all.len(), 6);
        assert_eq!(all[0].name, "cross a × b on, embedding 4");
        assert_eq!(all[0].config.features.crosses, vec![vec!["a".to_string(), "b".to_string()]]);
        assert_eq!(all[1].name, "cross a × b off, embedding 4");
        assert!(all[1].config.features.crosses.is_empty());
        assert_eq!(all[5].name, "cross a × b off, embedding automatic");
        let many = [Vary::LearningRate(vec![0.1; 5]), Vary::EmbeddingDim(vec![None; 4])];
        assert!(variants(&base, &many, MAX_VARIANTS).unwrap_err().to_string().contains("at most 16 variants"));
        let twice = [Vary::LearningRate(vec![0.1]), Vary::LearningRate(vec![0.2])];
        assert!(variants(&base, &twice, MAX_VARIANTS).unwrap_err().to_string().contains("lr is varied twice"));
    }

    #[test]
    fn every_setting_reads_as_the_flag_and_the_page_write_it() {
        let read = |text: &str| Vary::parse(text);
        assert_eq!(read("cross=\"city, state\",b:on,off"), Ok(Vary::Cross(vec!["city, state".into(), "b".into()], vec![true, false])));
        assert_eq!(read("embedding-dim=4, auto"), Ok(Vary::EmbeddingDim(vec![Some(4), None])));
        assert_eq!(read("hidden=64,32/16"), Ok(Vary::Hidden(vec![vec![64, 32], vec![16]])));
        assert_eq!(read("lr=0.01,1e-3"), Ok(Vary::LearningRate(vec![0.01, 0.001])));
        assert_eq!(read("optimizer=adam,sgd"), Ok(Vary::Optimizer(vec![OptimizerKind::Adam, OptimizerKind::Sgd])));
        assert_eq!(read("l1=0,10"), Ok(Vary::FtrlL1(vec![0.0, 10.0])));
        for (bad, why) in [
            ("lr", "write SETTING=VALUES"),
            ("cross=a,b", "write cross=COL,COL:on,off"),
            ("cross=a:on", "a cross has 2 or 3 columns"),
            ("cross=a,b:yes", "a cross is on or off"),
            ("embedding-dim=0", "sizes are whole numbers or auto"),
            ("hidden=64,x", "layers are whole numbers"),
            ("lr=NaN,inf", "rates are positive numbers"),
            ("l1=-1", "L1 is a number of at least 0"),
            ("optimizer=ftrl", "optimizers are adam, adagrad or sgd"),
        ] {
            assert_eq!(read(bad), Err(why.to_string()), "{bad}");
        }
    }

    #[test]
    fn several_settings_split_at_semicolons_outside_quotes() {
        let all = Vary::parse_all(r#"cross="a;b",c:on,off; embedding-dim=4,8 ;"#).unwrap();
        assert_eq!(all, [Vary::Cross(vec!["a;b".into(), "c".into()], vec![true, false]), Vary::EmbeddingDim(vec![Some(4), Some(8)])]);
        assert_eq!(Vary::parse_all(" ; "), Err("say what to vary: SETTING=VALUES, like embedding-dim=4,8,16".into()));
        assert_eq!(
            Vary::parse_all("lr=0.1; depth=2"),
            Err("depth=2: 'depth' is not a setting a sweep varies (cross, embedding-dim, hidden, lr, optimizer, l1)".into())
        );
    }

    #[test]
    fn a_cross_is_switched_whatever_the_order_of_its_columns() {
        let mut base = Config::default();
        base.features.crosses = vec![vec!["a".into(), "b".into()]];
        let all = variants(&base, &[Vary::Cross(vec!["b".into(), "a".into()], vec![false, true])], PAGE_VARIANTS).unwrap();
        assert!(all[0].config.features.crosses.is_empty(), "b × a off is a × b off");
        assert_eq!(all[1].config.features.crosses, [["b", "a"]]);
    }

    /// Scores as [`Sweep::scores`] words them, from per-seed validation scores (the base first).
    fn ranked(per_variant: &[&[f64]], diverged: &[usize]) -> Vec<Score> {
        let variants = per_variant.iter().enumerate().map(|(i, _)| Variant { name: format!("v{i}"), config: Config::default() }).collect();
        let mut sweep = Sweep::new(variants, 3).unwrap();
        for (i, scores) in per_variant.iter().enumerate() {
            for (k, &validation) in scores.iter().enumerate() {
                sweep.done[i].push(Outcome { validation, test: validation, curve: vec![validation], diverged: k < diverged[i] });
            }
        }
        sweep.scores()
    }

    #[test]
    fn a_run_without_a_score_ranks_last_and_says_why() {
        let scores = ranked(&[&[0.80, 0.81, 0.82], &[f64::NAN, 0.9, 0.9], &[0.85, 0.86, 0.87], &[0.805, 0.815, 0.825]], &[0, 1, 0, 0]);
        let order: Vec<&str> = scores.iter().map(|s| s.variant.as_str()).collect();
        assert_eq!(order, ["v2", "v3", "v0", "v1"], "NaN last, not first");
        let words: Vec<&str> = scores.iter().map(|s| s.versus.as_str()).collect();
        assert_eq!(words, ["+0.0500", "+0.0050 ≈ noise", "base", "diverged in 1 of 3 seeds: lower its learning rate"]);
        assert_eq!(verdict(&scores), "v2 ranks first, +0.0500 against the base: past the seeds' spread.");
        let one_seed = ranked(&[&[0.80], &[0.81]], &[0, 0]);
        assert_eq!(one_seed[0].versus, "+0.0100 (one seed: no spread to judge it by)");
        assert!(verdict(&one_seed).ends_with("with one seed there is no spread to judge it by: give more seeds."));
        assert_eq!(verdict(&ranked(&[&[0.9, 0.91], &[0.8, 0.81]], &[0, 0])), "The base (v0) ranks first: keep what you have.");
    }

    #[test]
    fn l1_varies_ftrl_alone() {
        let mut base = Config::default();
        base.train.wide_optimizer = Some(WideOptimizer::Ftrl(crate::train::Ftrl::default()));
        let all = variants(&base, &[Vary::FtrlL1(vec![0.0, 10.0])], PAGE_VARIANTS).unwrap();
        let l1 = |v: &Variant| match v.config.train.wide_optimizer {
            Some(WideOptimizer::Ftrl(f)) => f.l1,
            None => f64::NAN,
        };
        assert_eq!((all[0].name.as_str(), l1(&all[0]), l1(&all[1])), ("FTRL L1 0", 0.0, 10.0));
        let five = [Vary::LearningRate(vec![0.1; 5])];
        assert!(variants(&base, &five, PAGE_VARIANTS).unwrap_err().to_string().contains("at most 4 variants"));
    }

    #[test]
    fn spread_is_the_sample_deviation() {
        let (mean, spread) = mean_and_spread(&[0.8, 0.82, 0.84]);
        assert!((mean - 0.82).abs() < 1e-12 && (spread - 0.02).abs() < 1e-12);
        assert_eq!(mean_and_spread(&[0.7]), (0.7, 0.0));
    }
}
