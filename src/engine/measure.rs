//! The automatic backend choice, by measurement: a few real training steps of the configured model
//! on WebGPU and on the CPU, after a warm-up, and the faster one trains. A step of a small model on
//! an integrated GPU is bound by dispatch overhead and can lose to the CPU, which an adapter's
//! name cannot tell; a measurement can.

use std::sync::Arc;
use std::time::Duration;

use burn::tensor::Device;
use web_time::Instant;

use super::backend::{Backend, Gpu, Measured};
use crate::Result;
use crate::config::Config;
use crate::model::{Inputs, Mode};
use crate::train::{OptimizerKind, Prepared, TableUpdates, Trainer};

/// Steps before timing: the first compiles a GPU's kernels and warms the CPU's caches.
const WARM_UP: usize = 2;
/// Steps per timed round.
const TIMED: usize = 5;
/// Time timed at least: a few optimized CPU steps take milliseconds, which one pause would decide.
const MIN_TIMED: Duration = Duration::from_millis(150);
/// Training rows a measurement needs, in batches: the warm-up, a timed round and one to spare
/// (longer warm-ups and timings go round them again).
const SAMPLE_BATCHES: usize = WARM_UP + TIMED + 1;

/// Whether new code starts unoptimized: a browser runs WebAssembly on its baseline compiler first
/// and swaps in optimized code for the hot functions as they get hot. Timed too early, the CPU
/// reads several times too slow (docs/benchmarks.md, "The parallel race on two cores").
const TIERS_UP: bool = cfg!(target_family = "wasm");
/// Passes compared to tell whether the speed still climbs (a pass takes milliseconds).
const WINDOW: usize = 8;
/// A speed that climbed less than this share over the last window has stopped climbing.
const STILL: f64 = 0.1;
/// The shortest warm-up before the CPU's first measurement: the optimizing compiler takes
/// functions one by one, in the background, and the speed can rest on a plateau for a while
/// before the next ones arrive.
const MIN_WARM: Duration = Duration::from_secs(2);
/// The longest warm-up before the CPU's first measurement.
const WARM_LIMIT: Duration = Duration::from_secs(4);

/// What a measurement depends on: the batch size, the model's shape and how its weights learn
/// (a sparse table update or FTRL costs otherwise than a dense Adam step). A configuration that
/// changes none of them (the learning rate, the epochs, the seed) reuses the last measurement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ModelShape {
    batch: usize,
    hidden: Vec<usize>,
    wide_ids: usize,
    deep_inputs: usize,
    mode: Mode,
    optimizer: OptimizerKind,
    table_updates: TableUpdates,
    wide_ftrl: bool,
}

impl ModelShape {
    /// The shape of `config`'s model on `prepared`, to look up or file its measurement under.
    pub(super) fn of(prepared: &Prepared, config: &Config) -> Self {
        Self {
            batch: config.train.batch_size,
            hidden: config.train.hidden.clone(),
            wide_ids: prepared.layout.wide_size(),
            deep_inputs: prepared.layout.deep_width(),
            mode: measured_mode(config),
            optimizer: config.train.optimizer,
            table_updates: config.train.table_updates,
            wide_ftrl: config.train.wide_optimizer.is_some(),
        }
    }
}

/// The model timed: the joint one when the run has it (the costliest), else the first.
fn measured_mode(config: &Config) -> Mode {
    config.train.modes.iter().copied().find(|&m| m == Mode::Joint).unwrap_or(config.train.modes[0])
}

/// Times both backends on `prepared` with `config`'s model; `None` when the training rows are
/// too few for the steps (both are fast then, and the starting choice stands). The CPU goes
/// first, on the engine's first measurement (`first`) only once its code runs optimized ([`TIERS_UP`]);
/// a GPU whose first timed step is already several times slower is not timed further (a software
/// adapter would otherwise cost the class a second of waiting).
pub(super) async fn measure(prepared: &Prepared, config: &Config, gpu: &Gpu, first: bool) -> Result<Option<Measured>> {
    if prepared.train.rows < config.train.batch_size * SAMPLE_BATCHES {
        return Ok(None);
    }
    let cpu = samples_per_second(prepared, config, &Device::flex(), None, first && TIERS_UP).await?;
    let webgpu = samples_per_second(prepared, config, &gpu.device, Some(cpu), false).await;
    // The measurement's buffers go back to the device, not to its pool: the run may train on the CPU.
    gpu.device.memory_cleanup();
    Ok(Some(Measured { webgpu: webgpu?, cpu }))
}

/// A GPU this many times slower than the CPU after one timed step is clearly the slower.
const CLEARLY_SLOWER: f64 = 4.0;

/// Training samples per second on `device`: the median over rounds of [`TIMED`] steps, timed for
/// at least [`MIN_TIMED`], after [`WARM_UP`] steps (and when `optimize`, after [`until_optimized`]).
/// A median, because the page's own work now and then takes the core for a round. Beside a
/// `rival` speed the first round is one step (with its wait for the device), and one that is
/// [`CLEARLY_SLOWER`] is enough.
async fn samples_per_second(prepared: &Prepared, config: &Config, device: &Device, rival: Option<f64>, optimize: bool) -> Result<f64> {
    let batch = config.train.batch_size;
    let sample = Arc::new(prepared.train.head(batch * SAMPLE_BATCHES));
    let test = Inputs::upload(&prepared.test.head(1), &prepared.layout, device);
    let mut trainer = Trainer::new(prepared, sample, test, measured_mode(config), &config.train, device)?;
    round(&mut trainer, WARM_UP).await?;
    if optimize {
        until_optimized(&mut trainer).await?;
    }
    let (mut per_step, mut seconds) = (Vec::new(), 0.0);
    loop {
        let steps = if per_step.is_empty() && rival.is_some() { 1 } else { TIMED };
        let took = round(&mut trainer, steps).await?;
        per_step.push(took / steps as f64);
        seconds += took;
        let speed = batch as f64 / median(&per_step).max(1e-12);
        let clearly_slower = rival.is_some_and(|r| speed * CLEARLY_SLOWER < r);
        if clearly_slower || seconds >= MIN_TIMED.as_secs_f64() {
            return Ok(speed);
        }
    }
}

/// Trains passes over the measurement's rows for at least [`MIN_WARM`] and until their speed
/// stops climbing ([`stopped_climbing`]), or for about [`WARM_LIMIT`].
async fn until_optimized(trainer: &mut Trainer) -> Result<()> {
    let started = Instant::now();
    let mut passes = Vec::new();
    while started.elapsed() < WARM_LIMIT && (started.elapsed() < MIN_WARM || !stopped_climbing(&passes)) {
        passes.push(round(trainer, SAMPLE_BATCHES).await?);
    }
    Ok(())
}

/// Whether the passes' seconds have stopped falling: the median of the last [`WINDOW`] passes is
/// no more than [`STILL`] below the median of the [`WINDOW`] before them. Functions are optimized
/// one by one, so the speed climbs in steps before it settles; medians, because the page's own
/// work takes the core for a pass now and then.
fn stopped_climbing(passes: &[f64]) -> bool {
    if passes.len() < 2 * WINDOW {
        return false;
    }
    let (before, last) = passes[passes.len() - 2 * WINDOW..].split_at(WINDOW);
    median(last) >= median(before) * (1.0 - STILL)
}

/// The middle value (the upper one of an even count).
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

/// Trains `steps` steps, going round the measurement's rows again when they run out, and returns
/// the seconds they took up to a read of the loss (which waits for a GPU to finish). The end of a
/// pass (a read of the wide weights, a one-row evaluation) is not timed: it is not a step, and
/// its reads would cost a GPU a wait each.
async fn round(trainer: &mut Trainer, steps: usize) -> Result<f64> {
    let mut seconds = 0.0;
    let mut started = Instant::now();
    for _ in 0..steps {
        if trainer.step().epoch_done {
            trainer.running_loss().await?;
            seconds += started.elapsed().as_secs_f64();
            trainer.end_epoch().await?;
            started = Instant::now();
        }
    }
    trainer.running_loss().await?;
    Ok(seconds + started.elapsed().as_secs_f64())
}

/// The backend the measurement picks, with both figures in its reason.
pub(super) fn pick(measured: Measured, gpu: &Gpu) -> (Device, Backend) {
    let on_gpu = measured.webgpu > measured.cpu;
    let reason = format!(
        "WebGPU {}/s, CPU {}/s on this model: training on the {}",
        per_second(measured.webgpu),
        per_second(measured.cpu),
        if on_gpu { "GPU" } else { "CPU" }
    );
    let (device, mut backend) =
        if on_gpu { (gpu.device.clone(), Backend::webgpu(&gpu.adapter, reason)) } else { (Device::flex(), Backend::cpu(reason)) };
    backend.measured = Some(measured);
    (device, backend)
}

/// `41k`, `1.3M` or `850`: samples per second, as a class reads them.
fn per_second(value: f64) -> String {
    match value {
        v if v >= 1e6 => format!("{:.1}M", v / 1e6),
        v if v >= 1e4 => format!("{:.0}k", v / 1e3),
        v if v >= 1e3 => format!("{:.1}k", v / 1e3),
        v => format!("{v:.0}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::BackendKind;
    use crate::train::{Ftrl, TrainConfig, WideOptimizer};

    /// The CPU is timed once its optimized code runs at full speed: not on the baseline code's
    /// plateau, not while functions are still being swapped in, and at once when it is steady.
    #[test]
    fn the_cpu_is_timed_once_its_speed_stops_climbing() {
        let climbing: Vec<f64> = (0..16).map(|i| 0.040 - 0.0015 * i as f64).collect();
        assert!(!stopped_climbing(&climbing), "functions still being optimized");
        let steady = [
            &climbing[..],
            &[0.014, 0.015, 0.013, 0.044, 0.014, 0.014, 0.015, 0.014, 0.013, 0.014, 0.047, 0.014, 0.015, 0.014, 0.014, 0.015],
        ]
        .concat();
        assert!(stopped_climbing(&steady), "optimized and steady, a pass taken by the page now and then");
        assert!(!stopped_climbing(&steady[..24]), "still faster than the window before");
        assert!(!stopped_climbing(&climbing[..15]), "too few passes to tell");
        assert_eq!(median(&[3.0, 1.0, 2.0, 40.0]), 3.0);
    }

    #[test]
    fn speeds_read_as_a_class_reads_them() {
        assert_eq!([850.0, 3_700.0, 41_200.0, 1_320_000.0].map(per_second), ["850", "3.7k", "41k", "1.3M"]);
    }

    /// A measurement is reused for a new learning rate or seed, and taken again when the batch,
    /// the optimizer or the way the tables learn changes what a step costs.
    #[test]
    fn a_measurement_is_filed_under_what_a_step_costs() {
        let mut text = String::from("colour,size,y\n");
        (0..100).for_each(|i| text.push_str(&format!("c{},{},{}\n", i % 7, i % 11, i % 2)));
        let table = crate::data::read_table(text.as_bytes()).unwrap();
        let config = Config { features: crate::features::FeatureConfig::for_label("y"), ..Config::default() };
        let schema = crate::data::Schema::infer(&table);
        let prepared = Prepared::new(&table, &schema, &config.features, &config.train).unwrap();
        let shape = |train: TrainConfig| ModelShape::of(&prepared, &Config { train, ..config.clone() });
        let base = config.train.clone();
        assert_eq!(shape(TrainConfig { learning_rate: Some(0.5), seed: 7, epochs: 3, ..base.clone() }), shape(base.clone()));
        let costlier = [
            TrainConfig { batch_size: 1024, ..base.clone() },
            TrainConfig { optimizer: OptimizerKind::Sgd, ..base.clone() },
            TrainConfig { table_updates: TableUpdates::Sparse, ..base.clone() },
            TrainConfig { wide_optimizer: Some(WideOptimizer::Ftrl(Ftrl::default())), ..base.clone() },
        ];
        for train in costlier {
            assert_ne!(shape(train.clone()), shape(base.clone()), "{train:?}");
        }
    }

    #[test]
    fn the_faster_backend_is_picked_and_both_figures_are_said() {
        let gpu = Gpu { device: Device::flex(), adapter: "Some GPU".into(), software: false };
        let (_, backend) = pick(Measured { webgpu: 41_000.0, cpu: 132_000.0 }, &gpu);
        assert_eq!(backend.kind, BackendKind::Cpu);
        assert_eq!(backend.reason, "WebGPU 41k/s, CPU 132k/s on this model: training on the CPU");
        let (_, backend) = pick(Measured { webgpu: 900_000.0, cpu: 132_000.0 }, &gpu);
        assert_eq!((backend.kind, backend.adapter.as_str()), (BackendKind::Webgpu, "Some GPU"));
        assert_eq!(backend.measured, Some(Measured { webgpu: 900_000.0, cpu: 132_000.0 }));
    }
}
