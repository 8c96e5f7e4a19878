//! A trainer between two steps as bytes, and back: a race hands a model to a worker that has
//! cores to spare, with everything its next step depends on (weights, the optimizer's and the
//! tables' state, the place in the epoch, the loss sums so far), so it trains on exactly as it
//! would have where it was.

use std::sync::Arc;

use burn::optim::{AdaGradConfig, AdamConfig, LearningRate, ModuleOptimizer, Optimizer, RecordState, SgdConfig, StateSink, StateSource};
use burn::tensor::{Bytes, Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use super::{Best, EpochRecord, Quality, Trainer, batches_done, epoch_order};
use crate::features::{Encoded, Layout};
use crate::model::{Inputs, ModelConfig, NamedTensor, Parameters, WideDeep, param_specs, read};
use crate::train::{OptimizerKind, TrainConfig, transfer};
use crate::{Error, Result};

/// Tells a handed-over trainer from anything else.
const TAG: &[u8; 4] = b"WDH1";

/// The small parts of a trainer, as JSON before its arrays. Floats that must come back to the bit
/// (the loss sums) travel as their bits.
#[derive(Serialize, Deserialize)]
struct Header {
    /// What ties the model to its race: the seed, the batch size and the training rows' count.
    run: (u64, usize, usize),
    config: ModelConfig,
    ids: Vec<u64>,
    table_steps: i32,
    epoch: usize,
    cursor: usize,
    pending: Option<u32>,
    pending_rows: usize,
    epoch_sum: Option<u32>,
    train_seconds: f64,
    spent: f64,
    pace_from: Option<(f64, usize)>,
    history: Vec<EpochRecord>,
    /// The bits of the rate the next step takes (a schedule may have moved it from the run's).
    learning_rate: u64,
    /// The best epoch on the validation rows so far and the bits of its score (its parameters
    /// and test logits are the last arrays).
    best: Option<(usize, u64)>,
    /// Lengths of the float arrays that follow: the parameters (in [`param_specs`] order), the
    /// tables' states, the test logits, then the best epoch's parameters and test logits (if any).
    arrays: Vec<usize>,
    /// Length of the optimizer's own record, which ends the bytes.
    optimizer: usize,
}

impl Trainer {
    /// This trainer as bytes, between two steps (see [`Trainer::take_over`]). CPU only: Burn
    /// reads the optimizer's state synchronously, which a browser's GPU cannot do.
    pub async fn hand_over(&self) -> Result<Vec<u8>> {
        on_the_cpu(&self.device)?;
        let parameters = self.export(&self.layout).await?;
        let (states, table_steps) = self.tables.as_ref().map(|t| t.state()).unwrap_or_default();
        let states = read::floats_many(states).await?;
        let optimizer =
            self.optimizer.into_bytes().map_err(|e| Error::Backend(format!("the optimizer's state could not be written: {e:?}")))?;
        let mut arrays: Vec<&[f32]> = parameters.tensors.iter().map(|t| t.values.as_slice()).collect();
        arrays.extend(states.iter().map(Vec::as_slice));
        arrays.push(&self.test_logits);
        if let Some(best) = &self.best {
            arrays.extend(best.parameters.tensors.iter().map(|t| t.values.as_slice()));
            arrays.push(&best.test_logits);
        }
        let header = Header {
            run: (self.seed, self.batch_size, self.train.rows),
            config: self.config.clone(),
            ids: self.model.as_ref().expect("the model is put back after every step").param_ids(),
            table_steps,
            epoch: self.epoch,
            cursor: self.cursor,
            pending: bits(&self.pending).await?,
            pending_rows: self.pending_rows,
            epoch_sum: bits(&self.epoch_sum).await?,
            train_seconds: self.train_seconds,
            spent: self.spent,
            pace_from: self.pace_from,
            history: self.history.clone(),
            learning_rate: self.learning_rate.to_bits(),
            best: self.best.as_ref().map(|b| (b.epoch, b.score.to_bits())),
            arrays: arrays.iter().map(|a| a.len()).collect(),
            optimizer: optimizer.len(),
        };
        let mut out = transfer::start(TAG, &header, header.arrays.iter().sum(), optimizer.len());
        arrays.iter().flat_map(|a| a.iter()).for_each(|v| out.extend(v.to_le_bytes()));
        out.extend_from_slice(&optimizer);
        Ok(out)
    }

    /// Goes on from [`Trainer::hand_over`]'s bytes, on rows prepared the same way (`layout`,
    /// `train`, `test` with its host `targets`) and with the same `settings`. CPU only, as
    /// [`Trainer::hand_over`]: the optimizer's state loads onto the CPU. The fits of its last and
    /// best epochs are drawn again from their test logits: its pictures need not wait for its
    /// next epoch.
    pub fn take_over(
        bytes: &[u8],
        layout: &Layout,
        train: Arc<Encoded>,
        test: (Inputs, &[f32]),
        settings: &TrainConfig,
        device: &Device,
    ) -> Result<Self> {
        let (test, targets) = test;
        on_the_cpu(device)?;
        let Frame { header, mut arrays, optimizer } = Frame::read(bytes)?;
        let specs = param_specs(layout, &header.config);
        let bad =
            || Error::State("a model handed over does not fit this run's data (it comes from another race): start the race again".into());
        let kept = if header.best.is_some() { specs.len() + 1 } else { 0 };
        if header.run != (settings.seed, settings.batch_size, train.rows) || !header.consistent() || arrays.len() < specs.len() + kept + 1 {
            return Err(bad());
        }
        let mut best_arrays = arrays.split_off(arrays.len() - kept);
        let best_logits = best_arrays.pop();
        let logits = arrays.pop().expect("counted above");
        let shaped = |arrays: &[Vec<f32>]| arrays.iter().zip(&specs).all(|(a, s)| a.len() == s.shape[0] * s.shape[1]);
        let outputs = targets.len() * layout.target.outputs();
        // The last epoch's logits are none before a first epoch; the best epoch's always hold every test row.
        let logits_fit = (logits.is_empty() || logits.len() == outputs) && best_logits.as_ref().is_none_or(|l| l.len() == outputs);
        let score_fit = header.best.is_none_or(|(_, bits)| f64::from_bits(bits).is_finite());
        if !shaped(&arrays) || !shaped(&best_arrays) || !logits_fit || !score_fit {
            return Err(bad());
        }
        let fit = |logits: &[f32]| Quality::of(&layout.target, settings.regression_loss, logits, targets).fit;
        let states = arrays.split_off(specs.len());
        let named = |arrays: Vec<Vec<f32>>| {
            let tensors = specs.iter().zip(arrays).map(|(s, values)| NamedTensor { name: s.name.clone(), shape: s.shape.to_vec(), values });
            Parameters { tensors: tensors.collect() }
        };
        let parameters = named(arrays);
        let best = match (header.best, best_logits) {
            (Some((epoch, score)), Some(test_logits)) => {
                Some(Best { epoch, score: f64::from_bits(score), parameters: named(best_arrays), fit: fit(&test_logits), test_logits })
            }
            _ => None,
        };
        let model = WideDeep::from_parameters(layout, &header.config, &parameters, &device.clone().autodiff())?;
        let mut trainer = Self::with_model(model, header.config, layout, train, test, settings, device);
        let model = trainer.model.take().expect("just built");
        trainer.model = Some(model.with_ids(&header.ids)?);
        trainer.optimizer = trainer
            .optimizer
            .from_bytes(optimizer)
            .map_err(|e| Error::Damaged(format!("the optimizer's state handed over is damaged ({e:?}): start the race again")))?;
        match trainer.tables.as_mut() {
            Some(tables) => tables.restore(states, header.table_steps)?,
            None if states.is_empty() => {}
            None => return Err(bad()),
        }
        let sum = |bits: Option<u32>| bits.map(|b| Tensor::from_data(TensorData::new(vec![f32::from_bits(b)], [1]), device));
        (trainer.pending, trainer.epoch_sum) = (sum(header.pending), sum(header.epoch_sum));
        (trainer.epoch, trainer.cursor, trainer.pending_rows) = (header.epoch, header.cursor, header.pending_rows);
        if trainer.cursor > 0 {
            trainer.order = epoch_order(&trainer.learning_rows, trainer.seed, trainer.epoch);
        }
        (trainer.train_seconds, trainer.spent, trainer.pace_from) = (header.train_seconds, header.spent, header.pace_from);
        trainer.test_fit = (!logits.is_empty()).then(|| fit(&logits));
        (trainer.history, trainer.test_logits) = (header.history, logits);
        (trainer.learning_rate, trainer.best) = (f64::from_bits(header.learning_rate), best);
        Ok(trainer)
    }
}

impl Header {
    /// Whether the place in the epoch, the loss sums, the history and the pace agree with one
    /// another as a trainer between two steps leaves them (so damaged bytes cannot make a step
    /// read past the epoch's rows).
    fn consistent(&self) -> bool {
        let (_, batch_size, rows) = self.run;
        let cursor = self.cursor;
        cursor < rows.max(1)
            && (cursor > 0) == self.epoch_sum.is_some()
            && (self.pending_rows > 0) == self.pending.is_some()
            && self.history.len() == self.epoch
            && self.best.is_none_or(|(epoch, _)| (1..=self.epoch).contains(&epoch))
            && f64::from_bits(self.learning_rate).is_finite()
            && f64::from_bits(self.learning_rate) > 0.0
            && self.pace_from.is_none_or(|(_, from)| from <= batches_done(self.epoch, cursor, rows, batch_size))
    }
}

/// Refuses to move a model that trains anywhere but on the CPU.
fn on_the_cpu(device: &Device) -> Result<()> {
    if *device != Device::flex() {
        return Err(Error::Backend("only a model training on the CPU can move to another worker".into()));
    }
    Ok(())
}

/// A loss sum's bits, read from the device.
async fn bits(sum: &Option<Tensor<1>>) -> Result<Option<u32>> {
    Ok(match sum {
        Some(sum) => Some(read::floats(sum.clone()).await?[0].to_bits()),
        None => None,
    })
}

/// The optimizer of `kind` for a model's dense parameters, its state restorable on the CPU.
pub(super) fn optimizer(kind: OptimizerKind) -> ModuleOptimizer {
    match kind {
        OptimizerKind::Adam => OnCpu(AdamConfig::new().build()).into(),
        OptimizerKind::Adagrad => OnCpu(AdaGradConfig::new().build()).into(),
        OptimizerKind::Sgd => OnCpu(SgdConfig::new().build()).into(),
    }
}

/// An optimizer that steps as `O` does, and whose saved state loads onto the CPU: Burn loads it
/// onto its default device, which in the browser build is WebGPU, and a model moves only
/// between workers that train on the CPU ([`Trainer::hand_over`]).
#[derive(Clone)]
struct OnCpu<O>(O);

/// `O`'s state for one parameter, loaded onto the CPU.
#[derive(Clone)]
struct CpuState<S>(S);

impl<S: RecordState> RecordState for CpuState<S> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        self.0.state_flatten(prefix, out);
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, _device: &Device) -> Option<Self> {
        S::state_unflatten(prefix, src, &Device::flex()).map(Self)
    }
}

impl<O: Optimizer> Optimizer for OnCpu<O> {
    type State<const D: usize> = CpuState<O::State<D>>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let (tensor, state) = self.0.step(lr, tensor, grad, state.map(|s| s.0));
        (tensor, state.map(CpuState))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        CpuState(O::to_device(state.0, device))
    }
}

/// [`Trainer::hand_over`]'s bytes, read.
struct Frame {
    header: Header,
    /// The float arrays, as the header counts them.
    arrays: Vec<Vec<f32>>,
    /// The optimizer's own record.
    optimizer: Bytes,
}

impl Frame {
    fn read(bytes: &[u8]) -> Result<Self> {
        let (header, mut words) = transfer::Reader::open::<Header>(bytes, TAG, "the model handed over is damaged: start the race again")?;
        let arrays = header.arrays.iter().map(|&count| words.floats(count)).collect::<Result<_>>()?;
        let optimizer = Bytes::from_bytes_vec(words.last(header.optimizer)?.to_vec());
        Ok(Self { header, arrays, optimizer })
    }
}
