//! One model's training, advanced one batch at a time by the caller.

use burn::module::Module;
use burn::optim::{AdaGradConfig, AdamConfig, GradientsParams, ModuleOptimizer, SgdConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};
use web_time::Instant;

use super::{OptimizerKind, Prepared, TrainConfig};
use crate::Result;
use crate::metrics::{self, Metrics};
use crate::model::{Inputs, Mode, ModelConfig, Parameters, WideDeep, predict_logits, read};
use crate::rng::Rng;

/// What one epoch achieved.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean training loss over the epoch's batches.
    pub train_loss: f64,
    /// Test log-loss.
    pub test_loss: f64,
    /// Test ROC AUC.
    pub test_auc: f64,
    /// Test accuracy.
    pub test_accuracy: f64,
    /// Seconds spent in training steps (evaluation excluded).
    pub seconds: f64,
    /// Training rows per second.
    pub samples_per_second: f64,
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
pub struct Trainer {
    mode: Mode,
    config: ModelConfig,
    model: Option<WideDeep>,
    optimizer: ModuleOptimizer,
    learning_rate: f64,
    train: Inputs,
    test: Inputs,
    device: Device,
    batch_size: usize,
    seed: u64,
    order: Vec<u32>,
    cursor: usize,
    epoch: usize,
    pending: Option<Tensor<1>>,
    pending_rows: usize,
    epoch_loss: f64,
    train_seconds: f64,
    history: Vec<EpochRecord>,
    test_logits: Vec<f32>,
}

impl Trainer {
    /// A fresh model for `mode`. `train` and `test` are the prepared rows already uploaded to
    /// `device` (upload once, share between trainers).
    pub fn new(prepared: &Prepared, train: Inputs, test: Inputs, mode: Mode, config: &TrainConfig, device: &Device) -> Result<Self> {
        config.validate()?;
        let model_config = config.model(mode);
        let model = WideDeep::new(&prepared.layout, &model_config, config.seed, prepared.base_rate, &device.clone().autodiff())?;
        Ok(Self::with_model(model, model_config, train, test, config, device))
    }

    /// Continues training an existing model (for instance one moved to another device).
    pub fn with_model(model: WideDeep, config: ModelConfig, train: Inputs, test: Inputs, settings: &TrainConfig, device: &Device) -> Self {
        Self {
            mode: config.mode,
            config,
            model: Some(model),
            optimizer: optimizer(settings.optimizer),
            learning_rate: settings.learning_rate(),
            train,
            test,
            device: device.clone(),
            batch_size: settings.batch_size,
            seed: settings.seed,
            order: Vec::new(),
            cursor: 0,
            epoch: 0,
            pending: None,
            pending_rows: 0,
            epoch_loss: 0.0,
            train_seconds: 0.0,
            history: Vec::new(),
            test_logits: Vec::new(),
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

    /// The test rows as uploaded to the device.
    pub fn test_inputs(&self) -> &Inputs {
        &self.test
    }

    /// The model's settings.
    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// The model, for export or inspection (switched to inference mode).
    pub fn model(&self) -> WideDeep {
        self.model.as_ref().expect("the model is only taken during a step").valid()
    }

    /// The trained weights, read asynchronously (works on WebGPU).
    pub async fn export(&self, layout: &crate::features::Layout) -> Result<Parameters> {
        self.model().export(layout, &self.config).await
    }

    /// Batches in one epoch.
    pub fn batches_per_epoch(&self) -> usize {
        self.train.rows().div_ceil(self.batch_size)
    }

    /// Trains on the next batch. Does not read anything back, so it never waits for a GPU.
    pub fn step(&mut self) -> Step {
        let started = Instant::now();
        if self.cursor == 0 {
            self.order = epoch_order(self.train.rows(), self.seed, self.epoch);
        }
        let end = (self.cursor + self.batch_size).min(self.order.len());
        let batch = self.train.select(&self.order[self.cursor..end], &self.device);
        let model = self.model.take().expect("the model is put back after every step");
        let loss = binary_cross_entropy(model.forward(&batch), batch.targets.clone().expect("training rows have targets"));
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        self.model = Some(self.optimizer.step(self.learning_rate, model, grads));
        let rows = end - self.cursor;
        let weighted = loss.inner() * rows as f32;
        self.pending = Some(match self.pending.take() {
            Some(sum) => sum + weighted,
            None => weighted,
        });
        self.pending_rows += rows;
        self.cursor = end;
        self.train_seconds += started.elapsed().as_secs_f64();
        Step {
            epoch: self.epoch + 1,
            batch: self.cursor.div_ceil(self.batch_size),
            batches: self.batches_per_epoch(),
            epoch_done: self.cursor == self.order.len(),
        }
    }

    /// Mean training loss over the steps since the last call (one read), or `None` if there were
    /// none. Call it every few steps, not every step: each read waits for the device.
    pub async fn running_loss(&mut self) -> Result<Option<f64>> {
        let Some(sum) = self.pending.take() else { return Ok(None) };
        let started = Instant::now();
        let total = read::floats(sum).await?[0] as f64;
        self.train_seconds += started.elapsed().as_secs_f64();
        let rows = std::mem::take(&mut self.pending_rows);
        self.epoch_loss += total;
        Ok(Some(total / rows as f64))
    }

    /// Closes the epoch: evaluates on the test rows and records the metrics.
    pub async fn end_epoch(&mut self) -> Result<EpochRecord> {
        self.running_loss().await?;
        let train_rows = self.train.rows() as f64;
        let logits = predict_logits(&self.model(), &self.test).await?;
        let targets = read::floats(self.test.targets.clone().expect("test rows have targets")).await?;
        let Metrics { log_loss, accuracy, auc } = metrics::evaluate(&logits, &targets);
        let seconds = std::mem::take(&mut self.train_seconds);
        self.epoch += 1;
        let record = EpochRecord {
            epoch: self.epoch,
            train_loss: std::mem::take(&mut self.epoch_loss) / train_rows,
            test_loss: log_loss,
            test_auc: auc,
            test_accuracy: accuracy,
            seconds,
            samples_per_second: train_rows / seconds.max(1e-9),
        };
        self.cursor = 0;
        self.history.push(record);
        self.test_logits = logits;
        Ok(record)
    }
}

#[cfg(not(target_family = "wasm"))]
impl Trainer {
    /// Native convenience: a whole epoch, blocking on the reads; `on_step` sees every step.
    pub fn run_epoch(&mut self, mut on_step: impl FnMut(Step)) -> Result<EpochRecord> {
        loop {
            let step = self.step();
            on_step(step);
            if step.epoch_done {
                return pollster::block_on(self.end_epoch());
            }
        }
    }
}

/// Mean binary cross-entropy on logits, `softplus(z) - y·z`, in a form that never overflows.
fn binary_cross_entropy(logits: Tensor<1>, targets: Tensor<1>) -> Tensor<1> {
    let softplus = relu(logits.clone()) + logits.clone().abs().neg().exp().log1p();
    (softplus - logits * targets).mean()
}

/// The shuffled row order of one epoch: a function of the seed and the epoch only.
fn epoch_order(rows: usize, seed: u64, epoch: usize) -> Vec<u32> {
    let mut order: Vec<u32> = (0..rows as u32).collect();
    Rng::new(seed, 100 + epoch as u64).shuffle(&mut order);
    order
}

fn optimizer(kind: OptimizerKind) -> ModuleOptimizer {
    match kind {
        OptimizerKind::Adam => AdamConfig::new().init(),
        OptimizerKind::Adagrad => AdaGradConfig::new().init(),
        OptimizerKind::Sgd => SgdConfig::new().init(),
    }
}
