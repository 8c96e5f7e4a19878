//! One model's training, advanced one batch at a time by the caller.

use burn::module::Module;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::activation::{log_softmax, relu};
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};
use web_time::Instant;

use std::sync::Arc;

mod handover;

use super::tables::{Rule, Tables};
use super::{HUBER_DELTA, LrSchedule, Prepared, RegressionLoss, TableUpdates, TrainConfig};
use crate::data::{LabelRule, Task};
use crate::features::{Encoded, Layout, PAD};
use crate::metrics::{self, Fit, Metrics};
use crate::model::{Inputs, Lookups, Mode, ModelConfig, Parameters, TableId, WideDeep, predict_logits, read};
use crate::rng::Rng;
use crate::{Error, Result};

/// What one epoch achieved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean training loss over the epoch's batches.
    pub train_loss: f64,
    /// Test log-loss.
    pub test_loss: f64,
    /// Test ROC AUC (NaN, written `null`, for a regression: so are the next three).
    #[serde(deserialize_with = "null_as_nan")]
    pub test_auc: f64,
    /// Test accuracy.
    #[serde(deserialize_with = "null_as_nan")]
    pub test_accuracy: f64,
    /// Test Brier score (mean squared error of the probabilities).
    #[serde(default, deserialize_with = "null_as_nan")]
    pub test_brier: f64,
    /// Test expected calibration error over [`metrics::RELIABILITY_BINS`] bins.
    #[serde(default, deserialize_with = "null_as_nan")]
    pub test_ece: f64,
    /// A regression's test RMSE, MAE and R², in the target's units.
    #[serde(default, flatten, skip_serializing_if = "Option::is_none")]
    pub test_regression: Option<RegressionRecord>,
    /// Seconds spent in training steps (evaluation excluded).
    pub seconds: f64,
    /// Training rows per second.
    pub samples_per_second: f64,
    /// Share of the wide weights of ids the training rows use that are exactly zero (L1 in FTRL
    /// makes many), when the model has a wide part. Ids no row uses (empty hash buckets) stay
    /// at zero under any optimizer and are not counted: they are not sparsity.
    #[serde(default)]
    pub wide_zero_share: Option<f64>,
    /// AUC on the validation rows (held back from training), when there are some.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_auc: Option<f64>,
    /// A regression's R² on the validation rows, when there are some.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_r2: Option<f64>,
    /// A multiclass model's test confusion matrix: `[actual][predicted]` rows, classes in the
    /// label's order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_confusion: Option<Vec<Vec<usize>>>,
    /// The learning rate this epoch trained at (a schedule moves it).
    #[serde(default)]
    pub learning_rate: f64,
}

impl EpochRecord {
    /// The validation score the best epoch is chosen by (higher is better): the AUC, or a
    /// regression's R².
    pub fn validation_score(&self) -> Option<f64> {
        self.validation_auc.or(self.validation_r2)
    }

    /// The test score a race ranks by (higher is better): the AUC, or a regression's R².
    pub fn test_score(&self) -> f64 {
        self.test_regression.map_or(self.test_auc, |r| r.test_r2)
    }
}

/// A regression's test metrics in an epoch's record, named as the report's columns.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RegressionRecord {
    /// Root mean squared error, in the target's units.
    pub test_rmse: f64,
    /// Mean absolute error, in the target's units.
    pub test_mae: f64,
    /// Share of the test target's variance explained.
    pub test_r2: f64,
}

/// Reads a number written as `null` (serde_json's NaN) back as NaN.
fn null_as_nan<'de, D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<f64, D::Error> {
    Option::<f64>::deserialize(deserializer).map(|v| v.unwrap_or(f64::NAN))
}

/// Where a step left the trainer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The epoch in progress (1-based).
    pub epoch: usize,
    /// Batches done in this epoch.
    pub batch: usize,
    /// Batches per epoch.
    pub batches: usize,
    /// Whether this step finished the epoch: call [`Trainer::end_epoch`] next.
    pub epoch_done: bool,
}

/// Trains one model. Trainers of different modes built from the same [`Prepared`] and seed see
/// the same rows in the same order, so a race between them is fair.
///
/// Each step's batch is taken from the training rows on the host and uploaded: its ids are known
/// before anything reaches the device, so the tables (see [`TableUpdates`]) can be updated on the
/// rows the batch touches alone.
pub struct Trainer {
    mode: Mode,
    config: ModelConfig,
    model: Option<WideDeep>,
    /// The tables updated row by row, taken out of the model (none under dense updates, but for a
    /// wide part trained with FTRL).
    tables: Option<Tables>,
    optimizer: ModuleOptimizer,
    learning_rate: f64,
    /// The rate the run started at, the schedule that moves it, and the epochs asked for.
    schedule: (f64, LrSchedule, usize),
    /// The weights of a positive and a negative row in the loss ([`crate::train::ClassWeight`]).
    class_weights: (f32, f32),
    regression_loss: RegressionLoss,
    train: Arc<Encoded>,
    /// The training rows it steps on: all of `train`, or those a validation share leaves.
    learning_rows: Vec<u32>,
    /// The rows held back to find the best epoch, uploaded once (none without a validation share).
    validation: Option<Inputs>,
    /// The best epoch so far by validation AUC, its AUC and its parameters.
    best: Option<Best>,
    patience: Option<usize>,
    layout: Layout,
    test: Inputs,
    device: Device,
    batch_size: usize,
    seed: u64,
    order: Vec<u32>,
    cursor: usize,
    epoch: usize,
    pending: Option<Tensor<1>>,
    pending_rows: usize,
    /// The epoch's loss sum on the device, added step by step in one order whatever the slices:
    /// the epoch's training loss does not depend on how often the caller reads.
    epoch_sum: Option<Tensor<1>>,
    train_seconds: f64,
    /// Seconds spent on this model so far (steps, reads and evaluations); and the seconds and the
    /// batches done at the end of its first epoch here. Its pace since then (the first epoch's
    /// steps are slow while the code warms up) is what a race shares its work by.
    spent: f64,
    pace_from: Option<(f64, usize)>,
    history: Vec<EpochRecord>,
    test_logits: Vec<f32>,
    /// How the last finished epoch's test predictions fit the labels.
    test_fit: Option<Fit>,
}

impl Trainer {
    /// A fresh model for `mode`, trained on `train` (host rows of `prepared`'s layout) and
    /// evaluated on `test` (already uploaded to `device`, shared between trainers).
    pub fn new(prepared: &Prepared, train: Arc<Encoded>, test: Inputs, mode: Mode, config: &TrainConfig, device: &Device) -> Result<Self> {
        config.validate()?;
        if prepared.task() != Task::Regression && config.regression_loss == RegressionLoss::Huber {
            let label = if prepared.task() == Task::Binary { "is a yes/no question" } else { "has several classes (multiclass)" };
            return Err(Error::Config(format!("the Huber loss fits a number (a regression); this label {label}")));
        }
        if prepared.task() != Task::Binary && config.class_weight != super::ClassWeight::None {
            let label = if prepared.task() == Task::Regression { "is a number (a regression)" } else { "has several classes (multiclass)" };
            return Err(Error::Config(format!("class weights weigh the two classes of a yes/no label; this label {label}")));
        }
        let model_config = config.model(mode);
        let start = prepared.starting_bias(&config.class_weight);
        let model = WideDeep::new(&prepared.layout, &model_config, config.seed, start, &device.clone().autodiff())?;
        Ok(Self::with_model(model, model_config, &prepared.layout, train, test, config, device))
    }

    /// Continues training an existing model (for instance one moved to another device).
    pub fn with_model(
        mut model: WideDeep,
        config: ModelConfig,
        layout: &Layout,
        train: Arc<Encoded>,
        test: Inputs,
        settings: &TrainConfig,
        device: &Device,
    ) -> Self {
        let tables = sparse_tables(&mut model, layout, settings);
        let (fit, held) = hold_back(train.rows, settings.validation_fraction, settings.seed);
        let validation = (!held.is_empty()).then(|| Inputs::upload(&train.select(&held, config.mode.reads()), layout, device));
        Self {
            mode: config.mode,
            config,
            model: Some(model),
            tables,
            optimizer: handover::optimizer(settings.optimizer),
            learning_rate: settings.learning_rate(),
            schedule: (settings.learning_rate(), settings.lr_schedule, settings.epochs),
            class_weights: class_weights(settings, &train),
            regression_loss: settings.regression_loss,
            train,
            learning_rows: fit,
            validation,
            best: None,
            patience: settings.patience,
            layout: layout.clone(),
            test,
            device: device.clone(),
            batch_size: settings.batch_size,
            seed: settings.seed,
            order: Vec::new(),
            cursor: 0,
            epoch: 0,
            pending: None,
            pending_rows: 0,
            epoch_sum: None,
            train_seconds: 0.0,
            spent: 0.0,
            pace_from: None,
            history: Vec::new(),
            test_logits: Vec::new(),
            test_fit: None,
        }
    }

    /// Carries on after `history`'s epochs (a model restored from a checkpoint).
    pub fn resumed(mut self, history: Vec<EpochRecord>) -> Self {
        self.epoch = history.len();
        self.history = history;
        self
    }

    /// The mode being trained.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Completed epochs' records.
    pub fn history(&self) -> &[EpochRecord] {
        &self.history
    }

    /// The logits of the test rows at the last finished epoch (empty before one): what the
    /// pictures compare with the observed labels.
    pub fn test_logits(&self) -> &[f32] {
        &self.test_logits
    }

    /// The epoch kept once training toward `target` epochs has ended, where the validation rows
    /// chose one: what the pictures then show, as the results and the exports do. While the
    /// model trains the pictures follow its last epoch.
    fn kept_at_end(&self, target: usize) -> Option<&Best> {
        self.best.as_ref().filter(|_| !self.wants_more(target))
    }

    /// The epoch the pictures show (see [`Self::kept_at_end`]): the kept one, else the last finished.
    pub fn shown_epoch(&self, target: usize) -> usize {
        self.kept_at_end(target).map_or(self.history.len(), |best| best.epoch)
    }

    /// The test rows' logits at [`Self::shown_epoch`].
    pub fn shown_logits(&self, target: usize) -> &[f32] {
        self.kept_at_end(target).map_or(&self.test_logits, |best| &best.test_logits)
    }

    /// The model at [`Self::shown_epoch`] (in inference mode), rebuilt from the kept parameters
    /// when that is not the last epoch.
    pub fn shown_model(&self, layout: &Layout, target: usize) -> Result<WideDeep> {
        match self.kept_at_end(target) {
            Some(best) if best.epoch != self.history.len() => {
                WideDeep::from_parameters(layout, &self.config, &best.parameters, &self.device)
            }
            _ => Ok(self.model()),
        }
    }

    /// Whether it holds rows back to find its best epoch (a validation share may round to none).
    pub fn holds_validation(&self) -> bool {
        self.validation.is_some()
    }

    /// The best epoch so far on the validation rows, with its parameters (none without them).
    pub fn best(&self) -> Option<&Best> {
        self.best.as_ref()
    }

    /// Whether this model still trains toward `target` epochs: short of it, and not stopped early.
    pub fn wants_more(&self, target: usize) -> bool {
        self.history.len() < target && !self.out_of_patience()
    }

    /// Whether the validation score has not improved for the patience's epochs: stop training.
    pub fn out_of_patience(&self) -> bool {
        self.best.as_ref().is_some_and(|b| out_of_patience(b.epoch, self.epoch, self.patience))
    }

    /// How the test predictions of the epoch kept fit the labels (the best on the validation
    /// rows when there are some, else the last finished; none before one).
    pub fn fit(&self) -> Option<&Fit> {
        match &self.best {
            Some(best) => Some(&best.fit),
            None => self.test_fit.as_ref(),
        }
    }

    /// The class weights this model trains with (positive, negative), none when they are equal: its
    /// probabilities lean toward the heavier class, which the what-if and the fit picture say.
    pub fn class_weights(&self) -> Option<[f64; 2]> {
        // Equal weights only scale the loss: they shift nothing.
        let (positive, negative) = self.class_weights;
        (positive != negative).then_some([f64::from(positive), f64::from(negative)])
    }

    /// The test rows as uploaded to the device.
    pub fn test_inputs(&self) -> &Inputs {
        &self.test
    }

    /// The model's settings.
    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// The model, for export or inspection (switched to inference mode), with its tables.
    pub fn model(&self) -> WideDeep {
        let mut model = self.model.clone().expect("the model is only taken during a step");
        for (id, values) in self.tables.iter().flat_map(|t| t.ids().zip(t.values())) {
            model.put_table(id, values);
        }
        model.valid()
    }

    /// The trained parameters (weights, embeddings, biases), read asynchronously (works on WebGPU).
    pub async fn export(&self, layout: &crate::features::Layout) -> Result<Parameters> {
        self.model().export(layout, &self.config).await
    }

    /// The parameters a saved model or an export keeps: the best epoch's on the validation rows,
    /// else the last epoch's.
    pub async fn kept_parameters(&self, layout: &crate::features::Layout) -> Result<Parameters> {
        match &self.best {
            Some(best) => Ok(best.parameters.clone()),
            None => self.export(layout).await,
        }
    }

    /// Batches in one epoch.
    pub fn batches_per_epoch(&self) -> usize {
        self.learning_rows.len().div_ceil(self.batch_size)
    }

    /// Seconds spent on this model so far (steps, reads and evaluations, wherever it trained).
    pub fn seconds(&self) -> f64 {
        self.spent
    }

    /// Seconds this model still needs to reach `target` epochs at its pace since its first epoch
    /// (steps, reads and evaluations, wherever it trained): what a race weighs to share the work
    /// between its workers. `None` until it has taken a step after its first epoch, and for a model
    /// restarted on the CPU until it has again. Zero once it reached `target`.
    pub fn seconds_left(&self, target: usize) -> Option<f64> {
        let done = batches_done(self.epoch, self.cursor, self.learning_rows.len(), self.batch_size);
        let left = (target * self.batches_per_epoch()).saturating_sub(done);
        let (seconds, from) = self.pace_from?;
        match done - from {
            _ if left == 0 => Some(0.0),
            0 => None,
            taken => Some((self.spent - seconds) / taken as f64 * left as f64),
        }
    }

    /// Trains on the next batch. Does not read anything back, so it never waits for a GPU.
    pub fn step(&mut self) -> Step {
        let started = Instant::now();
        if self.cursor == 0 {
            self.order = epoch_order(&self.learning_rows, self.seed, self.epoch);
        }
        let end = (self.cursor + self.batch_size).min(self.order.len());
        let batch = self.train.select(&self.order[self.cursor..end], self.mode.reads());
        let touched = self.tables.as_mut().map(|tables| tables.touched(&batch));
        let inputs = Inputs::upload(&batch, &self.layout, &self.device);
        let leaves = self.tables.as_ref().map(|tables| tables.lookups(&inputs)).unwrap_or_default();
        let model = self.model.take().expect("the model is put back after every step");
        let logits = model.forward_with(&inputs, &self.placed(&leaves));
        let targets = inputs.targets.clone().expect("training rows have targets");
        let rows = logits.dims()[0];
        let loss = match self.layout.target.task() {
            Task::Binary => binary_cross_entropy(logits.reshape([rows]), targets, self.class_weights),
            Task::Regression if self.regression_loss == RegressionLoss::Huber => huber(logits.reshape([rows]), targets, HUBER_DELTA as f32),
            Task::Regression => squared_error(logits.reshape([rows]), targets),
            Task::Multiclass => softmax_cross_entropy(logits, one_hot(&batch.targets, self.layout.target.outputs(), &self.device)),
        };
        let mut grads = loss.backward();
        let table_grads: Vec<Option<Tensor<3>>> = leaves.iter().map(|leaf| leaf.grad_remove(&mut grads)).collect();
        let params = GradientsParams::from_grads(grads, &model);
        self.model = Some(self.optimizer.step(self.learning_rate, model, params));
        if let (Some(tables), Some(touched)) = (self.tables.as_mut(), touched.as_ref()) {
            tables.update(touched, table_grads, self.learning_rate);
        }
        let rows = end - self.cursor;
        let weighted = loss.inner() * rows as f32;
        let add = |sum: Option<Tensor<1>>| Some(sum.map_or_else(|| weighted.clone(), |sum| sum + weighted.clone()));
        self.pending = add(self.pending.take());
        self.epoch_sum = add(self.epoch_sum.take());
        self.pending_rows += rows;
        self.cursor = end;
        let seconds = started.elapsed().as_secs_f64();
        self.train_seconds += seconds;
        self.spent += seconds;
        Step {
            epoch: self.epoch + 1,
            batch: self.cursor.div_ceil(self.batch_size),
            batches: self.batches_per_epoch(),
            epoch_done: self.cursor == self.order.len(),
        }
    }

    /// The sparse tables' lookups, placed where the model looks its tables up.
    fn placed(&self, leaves: &[Tensor<3>]) -> Lookups {
        let mut lookups = Lookups { wide: None, deep: vec![None; self.layout.deep.len()] };
        for (id, leaf) in self.tables.iter().flat_map(Tables::ids).zip(leaves) {
            match id {
                TableId::Wide => lookups.wide = Some(leaf.clone()),
                TableId::Deep(g) => lookups.deep[g] = Some(leaf.clone()),
            }
        }
        lookups
    }

    /// Mean training loss over the steps since the last call (one read), or `None` if there were
    /// none. Call it every few steps, not every step: each read waits for the device.
    pub async fn running_loss(&mut self) -> Result<Option<f64>> {
        let Some(sum) = self.pending.take() else { return Ok(None) };
        let started = Instant::now();
        let total = read::floats(sum).await?[0] as f64;
        let seconds = started.elapsed().as_secs_f64();
        self.train_seconds += seconds;
        self.spent += seconds;
        let rows = std::mem::take(&mut self.pending_rows);
        if !total.is_finite() {
            return Err(self.diverged(total));
        }
        Ok(Some(total / rows as f64))
    }

    /// Training diverged at the batch reached so far (a NaN or infinite loss or prediction):
    /// stopping with this error, rather than evaluating garbage, is what every surface shows.
    fn diverged(&self, value: f64) -> Error {
        Error::Diverged { epoch: self.epoch + 1, batch: self.cursor.div_ceil(self.batch_size), value, learning_rate: self.learning_rate }
    }

    /// Closes the epoch: evaluates on the test rows and records the metrics.
    pub async fn end_epoch(&mut self) -> Result<EpochRecord> {
        (self.pending, self.pending_rows) = (None, 0);
        let started = Instant::now();
        let epoch_sum = self.epoch_sum.take().expect("an epoch has at least one step");
        let epoch_loss = read::floats(epoch_sum).await?[0] as f64;
        self.train_seconds += started.elapsed().as_secs_f64();
        if !epoch_loss.is_finite() {
            return Err(self.diverged(epoch_loss));
        }
        let train_rows = self.learning_rows.len() as f64;
        let model = self.model();
        let logits = predict_logits(&model, &self.test).await?;
        if let Some(&bad) = logits.iter().find(|z| !z.is_finite()) {
            return Err(self.diverged(bad as f64));
        }
        let wide_zero_share = match model.wide_weights() {
            Some(weights) => {
                let weights = read::floats(weights).await?;
                Some(zero_share(&weights, &self.train.wide, self.layout.target.outputs()))
            }
            None => None,
        };
        let targets = read::floats(self.test.targets.clone().expect("test rows have targets")).await?;
        let quality = Quality::of(&self.layout.target, self.regression_loss, &logits, &targets);
        let validation = match &self.validation {
            Some(rows) => {
                let logits = predict_logits(&model, rows).await?;
                let targets = read::floats(rows.targets.clone().expect("validation rows have targets")).await?;
                Some(Quality::of(&self.layout.target, self.regression_loss, &logits, &targets).score())
            }
            None => None,
        };
        let seconds = std::mem::take(&mut self.train_seconds);
        self.epoch += 1;
        let improved = validation.filter(|score| self.best.as_ref().is_none_or(|b| *score > b.score));
        if let Some(score) = improved {
            let parameters = model.export(&self.layout, &self.config).await?;
            self.best = Some(Best { epoch: self.epoch, score, parameters, test_logits: logits.clone(), fit: quality.fit.clone() });
        }
        let learning_rate = self.learning_rate;
        let (base, schedule, epochs) = self.schedule;
        self.learning_rate = schedule.next_rate(base, learning_rate, self.epoch, epochs, improved.is_some());
        let regression = quality.regression.is_some();
        let record = EpochRecord {
            epoch: self.epoch,
            train_loss: epoch_loss / train_rows,
            test_loss: quality.loss,
            test_auc: quality.classification.map_or(f64::NAN, |m| m.auc),
            test_accuracy: quality.classification.map_or(f64::NAN, |m| m.accuracy),
            test_brier: quality.calibration().map_or(f64::NAN, |c| c.brier),
            test_ece: quality.calibration().map_or(f64::NAN, |c| c.ece),
            test_regression: quality.regression.map(|m| RegressionRecord { test_rmse: m.rmse, test_mae: m.mae, test_r2: m.r2 }),
            seconds,
            samples_per_second: train_rows / seconds.max(1e-9),
            wide_zero_share,
            validation_auc: validation.filter(|_| !regression),
            validation_r2: validation.filter(|_| regression),
            test_confusion: match &quality.fit {
                Fit::Confusion(c) => Some(c.counts.clone()),
                _ => None,
            },
            learning_rate,
        };
        self.cursor = 0;
        self.history.push(record.clone());
        self.test_logits = logits;
        self.test_fit = Some(quality.fit);
        self.spent += started.elapsed().as_secs_f64();
        self.pace_from.get_or_insert((self.spent, batches_done(self.epoch, 0, self.learning_rows.len(), self.batch_size)));
        Ok(record)
    }
}

#[cfg(not(target_family = "wasm"))]
impl Trainer {
    /// Native convenience: a whole epoch, blocking on the reads; `on_step` sees every step. The
    /// loss is read every [`CHECK_LOSS_EVERY`] steps, so a diverging run stops within that many
    /// batches, naming where.
    pub fn run_epoch(&mut self, mut on_step: impl FnMut(Step)) -> Result<EpochRecord> {
        loop {
            let step = self.step();
            on_step(step);
            if step.epoch_done {
                return pollster::block_on(self.end_epoch());
            }
            if step.batch.is_multiple_of(CHECK_LOSS_EVERY) {
                pollster::block_on(self.running_loss())?;
            }
        }
    }
}

/// Steps between two reads of the loss in [`Trainer::run_epoch`]: each read waits for the
/// device, and a read every few steps costs nothing measurable natively.
#[cfg(not(target_family = "wasm"))]
const CHECK_LOSS_EVERY: usize = 16;

/// The class weights `settings` give, on the positive share of the training rows `train`.
fn class_weights(settings: &TrainConfig, train: &Encoded) -> (f32, f32) {
    let share = train.targets.iter().sum::<f32>() as f64 / train.rows.max(1) as f64;
    let (positive, negative) = settings.class_weight.weights(share);
    (positive as f32, negative as f32)
}

/// Mean squared error of a regression's outputs against its standardized targets.
/// Mean softmax cross-entropy of `[rows, classes]` logits against one-hot targets:
/// `−Σ y·log softmax(z)` per row, computed through `log_softmax`, which never overflows.
fn softmax_cross_entropy(logits: Tensor<2>, one_hot: Tensor<2>) -> Tensor<1> {
    (log_softmax(logits, 1) * one_hot).sum_dim(1).neg().mean()
}

/// `[rows, classes]` rows of zeros with a one at each row's class index.
fn one_hot(classes: &[f32], count: usize, device: &Device) -> Tensor<2> {
    let mut values = vec![0.0f32; classes.len() * count];
    classes.iter().enumerate().for_each(|(row, &class)| values[row * count + class as usize] = 1.0);
    Tensor::from_data(burn::tensor::TensorData::new(values, [classes.len(), count]), device)
}

fn squared_error(outputs: Tensor<1>, targets: Tensor<1>) -> Tensor<1> {
    let residuals = outputs - targets;
    (residuals.clone() * residuals).mean()
}

/// Mean Huber loss of a regression's outputs against its standardized targets: `r²/2` for a
/// residual within `delta`, `delta·(|r| − delta/2)` beyond. Written as the residual's part up to
/// `delta` (squared) plus the rest (linear), so no mask is needed and the gradient is `r` inside
/// and `±delta` outside.
fn huber(outputs: Tensor<1>, targets: Tensor<1>, delta: f32) -> Tensor<1> {
    let size = (outputs - targets).abs();
    let inside = size.clone().clamp_max(delta);
    let beyond = size - inside.clone();
    (inside.clone() * inside).mul_scalar(0.5).add(beyond.mul_scalar(delta)).mean()
}

/// One evaluation's figures, for the model's task.
struct Quality {
    /// Log loss, or a regression's training loss (squared error or Huber's) on standard scores:
    /// the test curve and the training curve measure the same thing.
    loss: f64,
    /// A yes/no or multiclass label's log loss, accuracy and AUC (macro one-vs-rest for several
    /// classes).
    classification: Option<Metrics>,
    regression: Option<metrics::RegressionMetrics>,
    /// How the predictions fit the labels, drawn as the task's picture.
    fit: Fit,
}

impl Quality {
    fn of(target: &LabelRule, regression_loss: RegressionLoss, logits: &[f32], targets: &[f32]) -> Self {
        match target.task() {
            Task::Binary => {
                let binary = metrics::evaluate(logits, targets);
                let fit = Fit::Calibration(metrics::calibration(logits, targets));
                Self { loss: binary.log_loss, classification: Some(binary), regression: None, fit }
            }
            Task::Multiclass => {
                let (m, counts) = metrics::multiclass(logits, targets, target.outputs());
                let fit = Fit::Confusion(metrics::Confusion { classes: target.classes().to_vec(), counts });
                Self { loss: m.log_loss, classification: Some(m), regression: None, fit }
            }
            Task::Regression => {
                let units = |values: &[f32]| values.iter().map(|&z| target.prediction(f64::from(z))).collect::<Vec<f64>>();
                let loss = logits.iter().zip(targets).map(|(&z, &y)| regression_loss.of(f64::from(z - y))).sum::<f64>()
                    / logits.len().max(1) as f64;
                // One standard score in the label's units: the training rows' standard deviation.
                let spread = target.prediction(1.0) - target.prediction(0.0);
                let scatter = metrics::scatter(&units(logits), &units(targets), spread);
                Self { loss, classification: None, regression: Some(scatter.metrics), fit: Fit::Scatter(scatter) }
            }
        }
    }

    /// The score the best epoch is chosen by: AUC, or R².
    fn score(&self) -> f64 {
        self.classification.map_or_else(|| self.regression.map_or(f64::NAN, |r| r.r2), |m| m.auc)
    }

    /// The calibration of a yes/no label's probabilities.
    fn calibration(&self) -> Option<&metrics::Calibration> {
        match &self.fit {
            Fit::Calibration(c) => Some(c),
            _ => None,
        }
    }
}

/// Mean binary cross-entropy on logits, `softplus(z) - y·z`, in a form that never overflows;
/// each row weighted by its class (`(positive, negative)`, both 1 for no weights).
fn binary_cross_entropy(logits: Tensor<1>, targets: Tensor<1>, (positive, negative): (f32, f32)) -> Tensor<1> {
    let softplus = relu(logits.clone()) + logits.clone().abs().neg().exp().log1p();
    let per_row = softplus - logits * targets.clone();
    if (positive, negative) == (1.0, 1.0) {
        return per_row.mean();
    }
    (per_row * (targets.mul_scalar(positive - negative).add_scalar(negative))).mean()
}

/// The shuffled row order of one epoch: a function of the seed and the epoch only.
fn epoch_order(fit: &[u32], seed: u64, epoch: usize) -> Vec<u32> {
    let mut order = fit.to_vec();
    Rng::new(seed, 100 + epoch as u64).shuffle(&mut order);
    order
}

/// The rows to train on and the rows held back for validation: a seeded `fraction` of `rows`,
/// the same in every worker (none for a fraction of 0, and the order then as before).
fn hold_back(rows: usize, fraction: f64, seed: u64) -> (Vec<u32>, Vec<u32>) {
    let all: Vec<u32> = (0..rows as u32).collect();
    let held = (rows as f64 * fraction).round() as usize;
    if held == 0 || held >= rows {
        return (all, Vec::new());
    }
    let mut shuffled = all;
    Rng::new(seed, 99).shuffle(&mut shuffled);
    let mut fit = shuffled.split_off(held);
    fit.sort_unstable();
    shuffled.sort_unstable();
    (fit, shuffled)
}

/// The epoch a model was best at on its validation rows, and what it was then.
#[derive(Debug, Clone)]
pub struct Best {
    /// The epoch (1-based).
    pub epoch: usize,
    /// Its validation score: the AUC, or a regression's R².
    pub score: f64,
    /// Its parameters, kept as they were.
    pub parameters: Parameters,
    /// Its logits of the test rows (what a model handed over draws its fit from again).
    pub test_logits: Vec<f32>,
    /// How its test predictions fit the labels.
    pub fit: Fit,
}

/// Whether a model whose best epoch is `best` should stop after `epoch` with `patience`:
/// `patience` epochs in a row without a better validation AUC.
pub fn out_of_patience(best: usize, epoch: usize, patience: Option<usize>) -> bool {
    patience.is_some_and(|p| epoch >= best + p)
}

/// Under [`TableUpdates::Auto`], a table is updated sparsely when its values outnumber a batch's
/// lookups in it this many times. A sparse step has a fixed cost of its own (planning, gathers,
/// writes); a dense one costs about 5–10 ns per value natively. Measured with `generate ids`
/// (100k rows, batch 256): a 1k × 32 user table trains faster dense, a 4k × 32 one sparse; a wide
/// table of 47k weights (1k lookups) still faster dense.
const SPARSE_FROM: usize = 128;

/// Takes out of `model` the tables its settings update row by row (see [`TableUpdates`]); a wide
/// part trained with FTRL always is (FTRL is per coordinate, and leaves untouched ones as they are).
fn sparse_tables(model: &mut WideDeep, layout: &Layout, settings: &TrainConfig) -> Option<Tables> {
    let sparse = |id: TableId| {
        let (values, slots) = match id {
            TableId::Wide => (layout.wide_size(), layout.wide_slots()),
            TableId::Deep(g) => (layout.deep[g].size * layout.deep[g].dim, layout.deep[g].slots),
        };
        match settings.table_updates {
            _ if id == TableId::Wide && settings.wide_optimizer.is_some() => true,
            TableUpdates::Auto => values > SPARSE_FROM * settings.batch_size * slots,
            TableUpdates::Sparse => true,
            TableUpdates::Dense => false,
        }
    };
    let taken: Vec<(TableId, Tensor<2>, Rule)> = model
        .table_ids()
        .into_iter()
        .filter(|&id| sparse(id))
        .filter_map(|id| {
            let wide = (id == TableId::Wide).then_some(settings.wide_optimizer).flatten();
            model.take_table(id).map(|values| (id, values, Rule::new(settings.optimizer, wide)))
        })
        .collect();
    (!taken.is_empty()).then(|| Tables::new(taken))
}

/// Batches trained after `epoch` whole epochs and `cursor` rows into the next, in batches of
/// `batch_size` out of `rows`.
fn batches_done(epoch: usize, cursor: usize, rows: usize, batch_size: usize) -> usize {
    epoch * rows.div_ceil(batch_size) + cursor.div_ceil(batch_size)
}

/// The share of `weights` (`outputs` per id) that are exactly zero among the ids that `wide`
/// (training rows' ids, [`PAD`] where unused) uses; 0 when it uses none.
fn zero_share(weights: &[f32], wide: &[u32], outputs: usize) -> f64 {
    let mut used = vec![false; weights.len() / outputs];
    wide.iter().filter(|&&id| id != PAD).for_each(|&id| used[id as usize] = true);
    let (zeros, count) = used
        .iter()
        .zip(weights.chunks_exact(outputs))
        .filter(|(u, _)| **u)
        .flat_map(|(_, ws)| ws)
        .fold((0usize, 0usize), |(z, n), &w| (z + usize::from(w == 0.0), n + 1));
    if count == 0 { 0.0 } else { zeros as f64 / count as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patience_stops_after_exactly_that_many_epochs_without_gain() {
        // Validation AUCs by epoch: best at 2, then 3 and 4 without gain: stop after 4 with
        // patience 2; patience 3 sees epoch 5 beat it and stops after 8.
        let aucs = [0.70, 0.80, 0.79, 0.78, 0.81, 0.80, 0.79, 0.78, 0.77];
        let stop = |patience| {
            let mut best = (0, f64::MIN);
            for (i, &auc) in aucs.iter().enumerate() {
                let epoch = i + 1;
                if auc > best.1 {
                    best = (epoch, auc);
                }
                if out_of_patience(best.0, epoch, Some(patience)) {
                    return Some(epoch);
                }
            }
            None
        };
        assert_eq!(stop(2), Some(4));
        assert_eq!(stop(3), Some(8));
        assert_eq!(stop(5), None);
        assert!(!out_of_patience(1, 100, None), "no patience: never stops");
    }

    #[test]
    fn validation_rows_are_a_seeded_share_apart_from_the_rest() {
        let (fit, held) = hold_back(1000, 0.2, 7);
        assert_eq!((fit.len(), held.len()), (800, 200));
        assert!(held.iter().all(|r| fit.binary_search(r).is_err()), "disjoint");
        assert_eq!(hold_back(1000, 0.2, 7), (fit, held), "the same in every worker");
        assert_eq!(hold_back(5, 0.0, 7), ((0..5).collect(), vec![]), "none held back: every row, in order");
    }

    #[test]
    fn squared_error_and_its_gradient_by_hand() {
        use burn::tensor::TensorData;
        let device = Device::flex().autodiff();
        let outputs = Tensor::<1>::from_data(TensorData::new(vec![1.0f32, -0.5, 2.0], [3]), &device).require_grad();
        let targets = Tensor::<1>::from_data(TensorData::new(vec![0.0f32, 0.5, 2.5], [3]), &device);
        let loss = squared_error(outputs.clone(), targets);
        let grads = loss.backward();
        // Residuals 1, -1, -0.5: mean of squares 2.25 / 3; gradient 2·r/3.
        let value = loss.into_data().try_to_vec::<f32>().unwrap()[0];
        assert!((value - 0.75).abs() < 1e-6, "{value}");
        let gradient = outputs.grad(&grads).unwrap().into_data().try_to_vec::<f32>().unwrap();
        for (g, want) in gradient.iter().zip([2.0 / 3.0, -2.0 / 3.0, -1.0 / 3.0]) {
            assert!((g - want).abs() < 1e-6, "{gradient:?}");
        }
    }

    #[test]
    fn huber_loss_and_its_gradient_by_hand() {
        // Residuals 0.5 (inside δ = 1) and 3 (beyond): (0.5²/2 + 1·(3 − 0.5)) / 2 = 1.3125; the
        // gradient is r / 2 inside and δ / 2 beyond.
        use burn::tensor::TensorData;
        let device = Device::flex().autodiff();
        let outputs = Tensor::<1>::from_data(TensorData::new(vec![0.5f32, 3.0], [2]), &device).require_grad();
        let targets = Tensor::<1>::from_data(TensorData::new(vec![0.0f32, 0.0], [2]), &device);
        let loss = huber(outputs.clone(), targets, 1.0);
        let grads = loss.backward();
        let value = loss.into_data().try_to_vec::<f32>().unwrap()[0];
        assert!((value - 1.3125).abs() < 1e-6, "{value}");
        let gradient = outputs.grad(&grads).unwrap().into_data().try_to_vec::<f32>().unwrap();
        assert!((gradient[0] - 0.25).abs() < 1e-6 && (gradient[1] - 0.5).abs() < 1e-6, "{gradient:?}");
    }

    #[test]
    fn a_regression_is_judged_in_its_units_and_by_r2() {
        // Standard scores of a target with mean 100 and sd 10: outputs 0.1 off everywhere are 1 off.
        let rule = LabelRule::Number { mean: 100.0, sd: 10.0 };
        let quality = Quality::of(&rule, RegressionLoss::Squared, &[0.1, 1.1, -0.9], &[0.0, 1.0, -1.0]);
        let m = quality.regression.unwrap();
        assert!((m.rmse - 1.0).abs() < 1e-5 && (m.mae - 1.0).abs() < 1e-5, "{m:?}");
        assert!((quality.loss - 0.01).abs() < 1e-6, "the training loss's scale: {}", quality.loss);
        assert!((quality.score() - m.r2).abs() < 1e-12 && quality.classification.is_none() && quality.calibration().is_none());
        // Under Huber's loss the test loss is Huber's too: (0.1²/2 + (3 − 0.5)) / 2.
        let huber = Quality::of(&rule, RegressionLoss::Huber, &[0.1, 3.0], &[0.0, 0.0]);
        assert!((huber.loss - (0.005 + 2.5) / 2.0).abs() < 1e-6, "{}", huber.loss);
        // Its picture: predicted against actual in units; the residuals' bars a quarter sd (2.5) wide.
        let Fit::Scatter(scatter) = &quality.fit else { panic!("a regression's fit is a scatter: {:?}", quality.fit) };
        let want = [(101.0, 100.0), (111.0, 110.0), (91.0, 90.0)];
        assert!(scatter.points.iter().zip(want).all(|(p, w)| (p.0 - w.0).abs() < 1e-5 && p.1 == w.1), "{:?}", scatter.points);
        assert_eq!((scatter.residuals.width, scatter.residuals.counts[11]), (2.5, 3), "every residual −1 in [−2.5, 0)");
    }

    #[test]
    fn empty_buckets_are_not_sparsity() {
        // Ids 0 and 3 are used by no row: their zeros do not count. Of ids 1 and 2, one is zero.
        let weights = [0.0, 0.0, 0.7, 0.0];
        assert_eq!(zero_share(&weights, &[1, 2, PAD, 2, 1, PAD], 1), 0.5);
        assert_eq!(zero_share(&weights, &[PAD], 1), 0.0);
        // Two outputs per id (two classes): ids 0 and 1; id 1 is used, one of its two is zero.
        assert_eq!(zero_share(&weights, &[1, PAD], 2), 0.5);
    }
}
