//! Training settings.

use serde::{Deserialize, Serialize};

use crate::model::{Mode, ModelConfig};
use crate::{Error, Result, limits};

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
    /// The name used by flags, links and configurations.
    pub fn name(self) -> &'static str {
        match self {
            Self::Adam => "adam",
            Self::Adagrad => "adagrad",
            Self::Sgd => "sgd",
        }
    }

    /// The learning rate used when none is given.
    pub fn default_learning_rate(self) -> f64 {
        match self {
            Self::Adam => 1e-3,
            Self::Adagrad => 1e-2,
            Self::Sgd => 5e-2,
        }
    }
}

/// How the tables (the wide weights and every embedding) learn.
///
/// A sparse update changes only the rows a batch looked up, so a step costs what the batch
/// touches, not the vocabulary. AdaGrad and SGD give exactly the dense result (untouched rows
/// have zero gradient); Adam becomes "lazy" (as TensorFlow's LazyAdam and PyTorch's SparseAdam):
/// the moments of untouched rows are not decayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableUpdates {
    /// Sparse for a table whose values far outnumber a batch's lookups in it (ids, big crosses),
    /// dense for the others (a dense step costs no more there, and keeps Adam's usual form).
    #[default]
    Auto,
    /// Sparse for every table.
    Sparse,
    /// Every row of every table at every step (Burn's optimizers over the whole model).
    Dense,
}

/// The wide part's own optimizer (Cheng et al. trained the wide part with FTRL and L1, the deep
/// part with AdaGrad).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WideOptimizer {
    /// FTRL-proximal (McMahan et al., 2013), per coordinate, with β = 1: L1 makes weights exactly
    /// zero, so the wide part memorizes sparsely.
    Ftrl(Ftrl),
}

/// FTRL's settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Ftrl {
    /// α, the scale of the per-coordinate learning rates.
    pub learning_rate: f64,
    /// λ1: a weight whose accumulated gradient stays within it is exactly zero.
    pub l1: f64,
    /// λ2: shrinks the weights.
    pub l2: f64,
}

impl Default for Ftrl {
    fn default() -> Self {
        Self { learning_rate: 0.1, l1: 0.01, l2: 0.0 }
    }
}

/// How the two classes weigh in the training loss: a rare positive class can be given the weight
/// of the common one. Test metrics stay unweighted. Written `none`, `balanced` or `POS:NEG`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ClassWeight {
    /// Every row weighs 1.
    #[default]
    None,
    /// Each class weighs half of the loss whatever its share: weights 0.5/p and 0.5/(1−p).
    Balanced,
    /// Positive rows weigh `positive`, negative rows `negative`.
    Ratio {
        /// The weight of a positive row.
        positive: f64,
        /// The weight of a negative row.
        negative: f64,
    },
}

impl ClassWeight {
    /// The weights of a positive and a negative row, given the training rows' positive share.
    pub fn weights(self, positive_share: f64) -> (f64, f64) {
        match self {
            Self::None => (1.0, 1.0),
            Self::Balanced => {
                let p = positive_share.clamp(1e-4, 1.0 - 1e-4);
                (0.5 / p, 0.5 / (1.0 - p))
            }
            Self::Ratio { positive, negative } => (positive, negative),
        }
    }

    /// The positive share as the weighted loss sees it: where a fresh model's bias starts.
    pub fn weighted_share(self, positive_share: f64) -> f64 {
        let (wp, wn) = self.weights(positive_share);
        let p = positive_share * wp;
        p / (p + (1.0 - positive_share) * wn)
    }
}

/// The range of a class weight: wider ratios only turn the loss into overflow or nothing.
pub const MIN_CLASS_WEIGHT: f64 = 1e-6;
/// See [`MIN_CLASS_WEIGHT`].
pub const MAX_CLASS_WEIGHT: f64 = 1e6;

impl std::str::FromStr for ClassWeight {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let bad = || {
            Error::Config(format!(
                "class weights '{text}': use none, balanced, or POS:NEG with two numbers from {MIN_CLASS_WEIGHT:e} to {MAX_CLASS_WEIGHT:e} (like 10:1)"
            ))
        };
        match text.trim() {
            "none" => Ok(Self::None),
            "balanced" => Ok(Self::Balanced),
            ratio => {
                let (positive, negative) = ratio.split_once(':').ok_or_else(bad)?;
                let number =
                    |s: &str| s.trim().parse::<f64>().ok().filter(|x| (MIN_CLASS_WEIGHT..=MAX_CLASS_WEIGHT).contains(x)).ok_or_else(bad);
                Ok(Self::Ratio { positive: number(positive)?, negative: number(negative)? })
            }
        }
    }
}

impl TryFrom<String> for ClassWeight {
    type Error = Error;

    fn try_from(text: String) -> Result<Self> {
        text.parse()
    }
}

impl From<ClassWeight> for String {
    fn from(weight: ClassWeight) -> Self {
        match weight {
            ClassWeight::None => "none".into(),
            ClassWeight::Balanced => "balanced".into(),
            ClassWeight::Ratio { positive, negative } => format!("{positive}:{negative}"),
        }
    }
}

/// What class weights `[positive, negative]` do to a model's probabilities, in words (the
/// what-if and the reliability diagram say it beside them): a heavier positive row pushes them
/// above the rates observed, a lighter one below.
pub fn class_weight_words([positive, negative]: [f64; 2]) -> String {
    let (ratio, way) = if positive >= negative { (positive / negative, "above") } else { (negative / positive, "below") };
    format!("Class weights ({ratio:.1}:1) shift the probabilities {way} the rates.")
}

/// How the learning rate moves from epoch to epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LrSchedule {
    /// The same rate throughout.
    #[default]
    None,
    /// Halved after each epoch without a better validation AUC (needs validation rows).
    Plateau,
    /// From the rate down to 0 along half a cosine over the epochs asked for.
    Cosine,
}

/// What the plateau schedule multiplies the rate by after an epoch without gain.
pub const PLATEAU_FACTOR: f64 = 0.5;

impl LrSchedule {
    /// The rate for the epoch after `done` epochs (of `epochs`), from the starting rate `base`
    /// and the last one `current`; `improved`: whether the last epoch bettered the validation AUC.
    pub fn next_rate(self, base: f64, current: f64, done: usize, epochs: usize, improved: bool) -> f64 {
        match self {
            Self::None => base,
            Self::Plateau if improved => current,
            Self::Plateau => current * PLATEAU_FACTOR,
            Self::Cosine => base * 0.5 * (1.0 + (std::f64::consts::PI * done as f64 / epochs.max(1) as f64).cos()),
        }
    }
}

impl std::str::FromStr for LrSchedule {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        match text {
            "none" => Ok(Self::None),
            "plateau" => Ok(Self::Plateau),
            "cosine" => Ok(Self::Cosine),
            _ => Err(Error::Config(format!("learning-rate schedule '{text}': use none, plateau or cosine"))),
        }
    }
}

/// What a regression trains on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegressionLoss {
    /// The squared error of the standard score: the mean is what it fits.
    #[default]
    Squared,
    /// Huber's loss: squared within [`HUBER_DELTA`] standard deviations, linear beyond, so a few
    /// far-off targets (a heavy tail, a typo of three zeros) pull the fit no more than a
    /// moderate error does.
    Huber,
}

/// Where Huber's loss turns from squared to linear, in standard scores of the target (its
/// standard deviation on the training rows): errors within one are fitted as the squared
/// error fits them.
pub const HUBER_DELTA: f64 = 1.0;

impl RegressionLoss {
    /// The loss of one residual on standard scores, as training computes it: `r²`, or Huber's
    /// `r²/2` within [`HUBER_DELTA`] and `δ·(|r| − δ/2)` beyond.
    pub fn of(self, residual: f64) -> f64 {
        match self {
            Self::Squared => residual * residual,
            Self::Huber if residual.abs() <= HUBER_DELTA => residual * residual / 2.0,
            Self::Huber => HUBER_DELTA * (residual.abs() - HUBER_DELTA / 2.0),
        }
    }
}

impl std::str::FromStr for RegressionLoss {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        match text {
            "squared" => Ok(Self::Squared),
            "huber" => Ok(Self::Huber),
            _ => Err(Error::Config(format!("regression loss '{text}': use squared or huber"))),
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
    /// Sparse or dense updates of the tables (by default each table's cheaper).
    pub table_updates: TableUpdates,
    /// The wide part's own optimizer; `None`: the wide part uses `optimizer` like the rest.
    pub wide_optimizer: Option<WideOptimizer>,
    /// How the classes weigh in the training loss.
    pub class_weight: ClassWeight,
    /// Share of the training rows held back (never the test rows) to find each model's best
    /// epoch; 0 trains on them all and keeps the last epoch.
    pub validation_fraction: f64,
    /// Stop a model after this many epochs without a better validation AUC (needs a validation
    /// share); `None` trains every epoch.
    pub patience: Option<usize>,
    /// How the learning rate moves between epochs.
    pub lr_schedule: LrSchedule,
    /// What a regression trains on (a label of another task refuses Huber's).
    pub regression_loss: RegressionLoss,
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
            table_updates: TableUpdates::Auto,
            wide_optimizer: None,
            class_weight: ClassWeight::None,
            validation_fraction: 0.0,
            patience: None,
            lr_schedule: LrSchedule::None,
            regression_loss: RegressionLoss::Squared,
        }
    }
}

/// `--epochs auto`: train up to this many epochs, stopping [`AUTO_PATIENCE`] epochs after the
/// best on the validation rows (a cap that a model still improving after it would reach only on
/// a huge learning-rate mistake).
pub const AUTO_EPOCHS: usize = 200;
/// `--epochs auto`'s patience, unless one is given: three epochs without a better validation
/// score is past the noise of one or two.
pub const AUTO_PATIENCE: usize = 3;
/// `--epochs auto`'s validation share, unless one is given.
pub const AUTO_VALIDATION: f64 = 0.1;

impl TrainConfig {
    /// Trains until it stops improving: up to [`AUTO_EPOCHS`] epochs with patience (the one set,
    /// else [`AUTO_PATIENCE`]) on a validation share (`validation` when given, else the one set,
    /// else [`AUTO_VALIDATION`]). A share of 0 given leaves nothing to judge by: an error.
    pub fn until_it_stops(&mut self, validation: Option<f64>) -> Result<()> {
        self.epochs = AUTO_EPOCHS;
        // The share given, else the setup's own, else the default.
        let own = (self.validation_fraction > 0.0).then_some(self.validation_fraction);
        self.validation_fraction = validation.or(own).unwrap_or(AUTO_VALIDATION);
        if self.validation_fraction == 0.0 {
            return Err(Error::Config("training until it stops judges by validation rows: a validation share of 0 leaves none".into()));
        }
        self.patience = Some(self.patience.unwrap_or(AUTO_PATIENCE));
        Ok(())
    }

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
        if self.batch_size == 0 || self.epochs == 0 {
            return bad("the batch size and the number of epochs must be at least 1".into());
        }
        let limit = |what: &str, value: usize, max: usize| {
            let message = format!("{what} is {value}, over the limit of {max}");
            if value > max { Err(Error::Limit(message)) } else { Ok(()) }
        };
        limit("the batch size", self.batch_size, limits::MAX_BATCH_SIZE)?;
        limit("the number of epochs", self.epochs, limits::MAX_EPOCHS)?;
        limit("the number of hidden layers", self.hidden.len(), limits::MAX_HIDDEN_LAYERS)?;
        if !(self.test_fraction > 0.0 && self.test_fraction < 1.0) {
            return bad(format!("the test fraction must be between 0 and 1 (exclusive), got {}", self.test_fraction));
        }
        if !(0.0..0.5).contains(&self.validation_fraction) {
            return bad(format!("the validation fraction must be at least 0 and below 0.5, got {}", self.validation_fraction));
        }
        if self.patience.is_some() && self.validation_fraction == 0.0 {
            return bad("stopping early needs validation rows to judge by: give a validation fraction".into());
        }
        if self.lr_schedule == LrSchedule::Plateau && self.validation_fraction == 0.0 {
            return bad("the plateau schedule cuts the rate when the validation AUC stalls: give a validation fraction".into());
        }
        if self.patience == Some(0) {
            return bad("the patience must be at least 1 epoch".into());
        }
        let lr = self.learning_rate();
        if !(lr.is_finite() && lr > 0.0) {
            return bad(format!("the learning rate must be a positive number, got {lr}"));
        }
        if let Some(WideOptimizer::Ftrl(Ftrl { learning_rate, l1, l2 })) = self.wide_optimizer {
            if !(learning_rate.is_finite() && learning_rate > 0.0) {
                return bad(format!("FTRL's learning rate must be a positive number, got {learning_rate}"));
            }
            if !(l1.is_finite() && l1 >= 0.0 && l2.is_finite() && l2 >= 0.0) {
                return bad(format!("FTRL's L1 and L2 must be zero or more, got {l1} and {l2}"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_move_the_rate_as_they_say() {
        let plateau = LrSchedule::Plateau;
        assert_eq!(plateau.next_rate(0.1, 0.1, 1, 10, true), 0.1, "a gain keeps the rate");
        assert_eq!(plateau.next_rate(0.1, 0.1, 2, 10, false), 0.05, "no gain halves it");
        assert_eq!(plateau.next_rate(0.1, 0.05, 3, 10, false), 0.025);
        let cosine = LrSchedule::Cosine;
        assert!((cosine.next_rate(0.1, 0.1, 0, 10, true) - 0.1).abs() < 1e-15);
        assert!((cosine.next_rate(0.1, 0.1, 5, 10, true) - 0.05).abs() < 1e-12, "half way: half the rate");
        assert!(cosine.next_rate(0.1, 0.1, 10, 10, true).abs() < 1e-12);
        assert_eq!(LrSchedule::None.next_rate(0.1, 0.02, 4, 10, false), 0.1);
        assert_eq!("cosine".parse::<LrSchedule>().unwrap(), LrSchedule::Cosine);
        assert!("step".parse::<LrSchedule>().unwrap_err().to_string().contains("use none, plateau or cosine"));
    }
}
