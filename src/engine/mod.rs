//! The browser engine's logic in plain Rust: load a CSV, configure a race, train in small async
//! slices, export and score. `web` wraps it for JavaScript; native tests drive it directly.

mod analysis;
mod backend;
mod measure;
mod variants;

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

pub use analysis::{Analysis, Explanation, Fired, ModelLogits};
pub use backend::{Backend, BackendKind, Measured, Preference, is_software_adapter};
pub use variants::VariantsProgress;

use crate::Report;
use crate::config::{Config, Setup};
use crate::data::{NamedBytes, Schema, Table, read_files, read_stream};
use crate::model::{Inputs, Mode, Parameters, SavedModel, WideDeep};
use crate::plot::ModelFit;
use crate::synth;
use crate::train::{Comparison, DatasetInfo, EpochRecord, ModelRun, Prepared, Trainer};
use crate::{Error, Result};

/// One model's state after a slice of training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelProgress {
    /// Which model.
    pub mode: Mode,
    /// The epoch in progress or last finished (1-based).
    pub epoch: usize,
    /// Batches done in that epoch.
    pub batch: usize,
    /// Batches per epoch.
    pub batches: usize,
    /// Mean training loss over this slice's steps, if it took any.
    pub running_loss: Option<f64>,
    /// Epochs that finished during this slice.
    pub finished: Vec<EpochRecord>,
    /// Seconds it has taken so far (steps, reads, evaluations), wherever it trained.
    pub seconds: f64,
    /// Seconds it still needs at its pace (see [`Trainer::seconds_left`]). With `seconds`, what
    /// a race weighs to move a model to a worker with cores to spare.
    pub seconds_left: Option<f64>,
}

/// A scored file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredFile {
    /// One prediction per row: a probability, or a regression's number.
    pub predictions: Vec<f64>,
    /// The file with a `probability` (or, for a regression, `prediction`) column added.
    pub csv: String,
    /// Numbers clipped to ±[`crate::limits::MAX_STANDARDIZED`] standard deviations (far outside the training range).
    pub clipped: usize,
}

/// What a slice of training did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// One entry per model, in the race's order.
    pub models: Vec<ModelProgress>,
    /// Whether every model reached its epoch target.
    pub done: bool,
    /// Set when the device failed and training moved to the CPU.
    pub fallback: Option<Backend>,
}

struct Loaded {
    name: String,
    table: Table,
    schema: Schema,
}

struct Run {
    config: Config,
    comparison: Comparison,
    dataset: DatasetInfo,
    target_epochs: usize,
    next: usize,
    /// Parameters at the last finished epoch of each model, kept while on a GPU so a lost device
    /// costs at most the epoch in progress.
    checkpoints: Vec<Option<Parameters>>,
    /// Each embedding map last shown, so the next one of its column and model turns its axes
    /// the same way (see [`crate::insight::EmbeddingMap::orient`]).
    shown_maps: std::cell::RefCell<Vec<crate::insight::EmbeddingMap>>,
}

/// Loaded data, the device, and the race in progress.
pub struct Engine {
    data: Option<Loaded>,
    device: Device,
    backend: Backend,
    /// The WebGPU device the automatic choice may pick, and what it measured per model shape.
    gpu: Option<backend::Gpu>,
    measurements: Vec<(measure::ModelShape, Measured)>,
    run: Option<Run>,
    scorer: Option<SavedModel>,
    /// The race of variants in progress ([`Engine::start_variants`]).
    sweep: Option<crate::sweep::Sweep>,
}

/// A run's report with the backend that trained it (and the speeds the automatic choice
/// measured): what the page exports as the metrics JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// Data, settings and every model's epochs.
    #[serde(flatten)]
    pub report: Report,
    /// Where it trained, and why.
    pub backend: Backend,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl Engine {
    /// An engine on the CPU with nothing loaded.
    pub fn new() -> Self {
        Self {
            data: None,
            device: Device::flex(),
            backend: Backend::cpu("the default until a backend is chosen"),
            gpu: None,
            measurements: Vec::new(),
            run: None,
            scorer: None,
            sweep: None,
        }
    }

    /// Parses a CSV and infers its schema. On an error the previously loaded data stays.
    pub fn load_csv(&mut self, name: &str, bytes: &[u8]) -> Result<Schema> {
        self.load_files(vec![NamedBytes::new(name, bytes)], |_| {})
    }

    /// Reads what the user gave (one CSV, a zip archive, or MovieLens's files together; see
    /// [`read_files`]) and infers its schema, reporting the share of bytes parsed (0..=1) now and
    /// then. On an error the previously loaded data stays.
    pub fn load_files(&mut self, files: Vec<NamedBytes>, progress: impl FnMut(f64)) -> Result<Schema> {
        let name = files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ");
        let table = read_files(files, progress)?;
        Ok(self.hold(name, table))
    }

    /// Reads one file of `size` bytes from `source` in pieces (a CSV is never whole in memory; see
    /// [`read_stream`]) and infers its schema, reporting the share of bytes read (0..=1) now and
    /// then. On an error the previously loaded data stays.
    pub fn load_stream(&mut self, name: &str, source: impl std::io::Read, size: u64, progress: impl FnMut(f64)) -> Result<Schema> {
        let table = read_stream(name, source, size, progress)?;
        Ok(self.hold(name.to_string(), table))
    }

    /// Makes `table` the loaded data (every run and sweep on the old data ends) and returns its schema.
    fn hold(&mut self, name: String, table: Table) -> Schema {
        let schema = Schema::infer(&table);
        self.data = Some(Loaded { name, table, schema: schema.clone() });
        (self.run, self.sweep) = (None, None);
        schema
    }

    /// A generated classroom data set as CSV bytes: `movielens` (a MovieLens-shaped ratings
    /// file) or `memorize` (the memorize-vs-generalize story).
    pub fn preset_csv(name: &str) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        let written = match name {
            "movielens" => synth::movielens(20_000, 1, &mut bytes),
            "memorize" => synth::memorize_generalize(24_000, 1, &mut bytes),
            "prices" => synth::prices(20_000, 1, &mut bytes),
            "readers" => synth::readers(24_000, 1, &mut bytes),
            other => return Err(Error::Config(format!("unknown preset '{other}': expected movielens, memorize, prices or readers"))),
        };
        written.expect("writing to memory cannot fail");
        Ok(bytes)
    }

    /// A study's whole configuration (see [`Setup`]) for the loaded data.
    pub fn setup_config(&self, name: &str) -> Result<Config> {
        let setup: Setup = name.parse()?;
        setup.config(&self.loaded()?.schema)
    }

    /// The loaded data's schema.
    pub fn schema(&self) -> Option<&Schema> {
        self.data.as_ref().map(|d| &d.schema)
    }

    /// Picks the device (see [`Preference`]). A run in progress restarts on the new device.
    pub async fn choose_backend(&mut self, preference: Preference) -> Result<Backend> {
        let (device, backend, gpu) = backend::choose(preference).await?;
        (self.device, self.backend, self.gpu) = (device, backend, gpu);
        if let Some(run) = self.run.take() {
            self.configure(run.config).await?;
        }
        Ok(self.backend.clone())
    }

    /// The device in use.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// Splits, encodes and uploads the data, and builds one fresh model per mode. Under the
    /// automatic choice with a WebGPU device at hand, a few steps of the model on each backend
    /// decide where it trains (measured once per model shape and batch size).
    pub async fn configure(&mut self, config: Config) -> Result<DatasetInfo> {
        let data = self.loaded()?;
        let name = data.name.clone();
        let prepared = Prepared::new(&data.table, &data.schema, &config.features, &config.train)?;
        self.decide(&prepared, &config).await;
        let comparison = Comparison::from_prepared(prepared, &config.train, &self.device)?;
        Ok(self.start_run(&name, config, comparison))
    }

    /// Makes `comparison` the run in progress.
    fn start_run(&mut self, name: &str, config: Config, comparison: Comparison) -> DatasetInfo {
        let dataset = DatasetInfo::new(name, &comparison.prepared);
        let models = comparison.trainers.len();
        self.run = Some(Run {
            target_epochs: config.train.epochs,
            config,
            comparison,
            dataset: dataset.clone(),
            next: 0,
            checkpoints: vec![None; models],
            shown_maps: Default::default(),
        });
        dataset
    }

    /// Times both backends on `config`'s model ahead of training, so the click trains at once and
    /// the page can show both figures while the class reads. The run in progress and its device
    /// stay as they are. Resolves to the backend the measurement would pick, or `None` when there
    /// is nothing to measure (no WebGPU device at hand, a backend was chosen, too few rows) or
    /// measuring failed (training measures again, and falls back to the CPU if the GPU fails then).
    pub async fn measure(&mut self, config: &Config) -> Result<Option<Backend>> {
        let Some(gpu) = self.gpu.clone() else { return Ok(None) };
        let data = self.loaded()?;
        let prepared = Prepared::new(&data.table, &data.schema, &config.features, &config.train)?;
        Ok(self.measurement(&prepared, config, &gpu).await.ok().flatten().map(|measured| measure::pick(measured, &gpu).1))
    }

    /// The automatic choice: the faster backend on this model, by measurement. A GPU that fails
    /// while measuring leaves the choice to the CPU.
    async fn decide(&mut self, prepared: &Prepared, config: &Config) {
        let Some(gpu) = self.gpu.clone() else { return };
        match self.measurement(prepared, config, &gpu).await {
            Ok(Some(measured)) => (self.device, self.backend) = measure::pick(measured, &gpu),
            Ok(None) => {}
            Err(why) => {
                (self.device, self.backend, self.gpu) =
                    (Device::flex(), Backend::cpu(format!("WebGPU failed while measuring ({why}), so training runs on the CPU")), None);
            }
        }
    }

    /// Both backends' speeds on this model: measured once per [`measure::ModelShape`], then reused.
    async fn measurement(&mut self, prepared: &Prepared, config: &Config, gpu: &backend::Gpu) -> Result<Option<Measured>> {
        let shape = measure::ModelShape::of(prepared, config);
        if let Some((_, known)) = self.measurements.iter().find(|(s, _)| *s == shape) {
            return Ok(Some(*known));
        }
        let measured = measure::measure(prepared, config, gpu, self.measurements.is_empty()).await?;
        if let Some(measured) = measured {
            self.measurements.push((shape, measured));
        }
        Ok(measured)
    }

    /// The run's prepared rows as bytes, for other workers to train on ([`Engine::configure_prepared`]).
    pub fn prepared_bytes(&self) -> Result<Vec<u8>> {
        Ok(self.run_ref()?.comparison.prepared.to_bytes())
    }

    /// Builds the models of `config` on rows another engine prepared (a race across workers reads
    /// and encodes the file once); `name` names the data in the report.
    pub async fn configure_prepared(&mut self, name: &str, bytes: Vec<u8>, config: Config) -> Result<DatasetInfo> {
        // The bytes are dropped as soon as they are read: a large file's rows are not held twice.
        let prepared = Prepared::from_bytes(&bytes)?;
        drop(bytes);
        self.decide(&prepared, &config).await;
        let comparison = Comparison::from_prepared(prepared, &config.train, &self.device)?;
        Ok(self.start_run(name, config, comparison))
    }

    /// Raises the epoch target by `epochs` ("train one more epoch").
    pub fn extend(&mut self, epochs: usize) -> Result<()> {
        self.run_mut()?.target_epochs += epochs;
        Ok(())
    }

    /// Ends the run where it stands (the page's Stop): its target becomes the epochs its models
    /// have finished, so each model's pictures show its kept epoch, as at the end of a run that
    /// reached its target. Without a run there is nothing to end.
    pub fn stop(&mut self) {
        if let Some(run) = self.run.as_mut() {
            let done = run.comparison.trainers.iter().map(|t| t.history().len()).min().unwrap_or(0);
            run.target_epochs = run.target_epochs.min(done);
        }
    }

    /// Trains up to `max_steps` batches, one model after another in turn so the race stays
    /// even, then reads each model's running loss once. Call it again until `done`.
    pub async fn train(&mut self, max_steps: usize) -> Result<Progress> {
        match self.train_slice(max_steps).await {
            Err(Error::Backend(why)) if self.backend.kind == BackendKind::Webgpu => self.fall_back_to_cpu(&why),
            other => other,
        }
    }

    async fn train_slice(&mut self, max_steps: usize) -> Result<Progress> {
        let on_gpu = self.backend.kind == BackendKind::Webgpu;
        let run = self.run_mut()?;
        let count = run.comparison.trainers.len();
        let mut models: Vec<ModelProgress> = run.comparison.trainers.iter().map(|t| idle_progress(t, run.target_epochs)).collect();
        for _ in 0..max_steps {
            let Some(i) = (0..count).map(|k| (run.next + k) % count).find(|&i| run.comparison.trainers[i].wants_more(run.target_epochs))
            else {
                break;
            };
            run.next = (i + 1) % count;
            let trainer = &mut run.comparison.trainers[i];
            let step = trainer.step();
            (models[i].epoch, models[i].batch, models[i].batches) = (step.epoch, step.batch, step.batches);
            if step.epoch_done {
                models[i].running_loss = trainer.running_loss().await?.or(models[i].running_loss);
                models[i].finished.push(trainer.end_epoch().await?);
                if on_gpu {
                    run.checkpoints[i] = Some(trainer.export(&run.comparison.prepared.layout).await?);
                }
            }
        }
        for (trainer, progress) in run.comparison.trainers.iter_mut().zip(&mut models) {
            if let Some(loss) = trainer.running_loss().await? {
                progress.running_loss = Some(loss);
            }
            (progress.seconds, progress.seconds_left) = (trainer.seconds(), trainer.seconds_left(run.target_epochs));
        }
        let done = run.comparison.trainers.iter().all(|t| !t.wants_more(run.target_epochs));
        Ok(Progress { models, done, fallback: None })
    }

    /// Takes `mode`'s model out of the run, between two steps, as bytes for another engine that
    /// trains on the same prepared rows ([`Engine::take_over`]): a race moves a model to a
    /// worker with cores to spare, and its metrics stay those it would have had.
    pub async fn hand_over(&mut self, mode: Mode) -> Result<Vec<u8>> {
        let run = self.run_mut()?;
        let index = run.comparison.trainers.iter().position(|t| t.mode() == mode).ok_or(Error::NoModel(mode.name()))?;
        let bytes = run.comparison.trainers[index].hand_over().await?;
        run.comparison.trainers.remove(index);
        run.checkpoints.remove(index);
        run.config.train.modes.retain(|&m| m != mode);
        Ok(bytes)
    }

    /// Trains on a model another engine handed over ([`Engine::hand_over`]); returns its mode.
    pub fn take_over(&mut self, bytes: &[u8]) -> Result<Mode> {
        let device = self.device.clone();
        let run = self.run_mut()?;
        let prepared = &run.comparison.prepared;
        let test = match run.comparison.trainers.first() {
            Some(trainer) => trainer.test_inputs().clone(),
            None => Inputs::upload(&prepared.test, &prepared.layout, &device),
        };
        let test = (test, prepared.test.targets.as_slice());
        let trainer = Trainer::take_over(bytes, &prepared.layout, prepared.train.clone(), test, &run.config.train, &device)?;
        let mode = trainer.mode();
        if run.config.train.modes.contains(&mode) {
            return Err(Error::State(format!("this run already trains a {} model", mode.name())));
        }
        run.comparison.trainers.push(trainer);
        run.checkpoints.push(None);
        run.config.train.modes.push(mode);
        Ok(mode)
    }

    /// Rebuilds every model on the CPU from its last finished epoch, keeping its history.
    fn fall_back_to_cpu(&mut self, why: &str) -> Result<Progress> {
        self.device = Device::flex();
        self.gpu = None;
        self.backend = Backend::cpu(format!("the GPU failed ({why}); training continues on the CPU from the last finished epoch"));
        let run = self.run.as_mut().expect("training implies a run");
        let prepared = &run.comparison.prepared;
        let test = Inputs::upload(&prepared.test, &prepared.layout, &self.device);
        let autodiff = self.device.clone().autodiff();
        for (trainer, checkpoint) in run.comparison.trainers.iter_mut().zip(&run.checkpoints) {
            let config = trainer.config().clone();
            let model = match checkpoint {
                Some(parameters) => WideDeep::from_parameters(&prepared.layout, &config, parameters, &autodiff)?,
                None => {
                    let start = prepared.starting_bias(&run.config.train.class_weight);
                    WideDeep::new(&prepared.layout, &config, run.config.train.seed, start, &autodiff)?
                }
            };
            let history = if checkpoint.is_some() { trainer.history().to_vec() } else { Vec::new() };
            *trainer =
                Trainer::with_model(model, config, &prepared.layout, prepared.train.clone(), test.clone(), &run.config.train, &self.device)
                    .resumed(history);
        }
        let models = run.comparison.trainers.iter().map(|t| idle_progress(t, run.target_epochs)).collect();
        Ok(Progress { models, done: false, fallback: Some(self.backend.clone()) })
    }

    /// How each model's test predictions fit the labels at the epoch it keeps (the best on
    /// validation rows, else the last): the fit picture's data (a reliability diagram, predicted
    /// against actual, or a confusion matrix, by task). Models with no finished epoch are left out.
    pub fn fits(&self) -> Result<Vec<ModelFit>> {
        let trainers = &self.run_ref()?.comparison.trainers;
        Ok(trainers.iter().filter_map(ModelFit::of).collect())
    }

    /// Every model's epochs so far, with the data, the settings and the backend: what the page
    /// exports.
    pub fn report(&self) -> Result<RunReport> {
        let run = self.run_ref()?;
        let models = run.comparison.trainers.iter().map(ModelRun::of).collect();
        let report = Report { dataset: run.dataset.clone(), config: run.config.clone(), models };
        Ok(RunReport { report, backend: self.backend.clone() })
    }

    /// A trained model as a self-contained JSON document (read with async reads).
    pub async fn export_model(&self, mode: Mode) -> Result<String> {
        Ok(self.saved_model(mode).await?.to_json())
    }

    /// A trained model as an ONNX graph for serving (see [`crate::export::to_onnx`]).
    pub async fn export_onnx(&self, mode: Mode) -> Result<Vec<u8>> {
        Ok(crate::export::to_onnx(&self.saved_model(mode).await?)?.0)
    }

    /// `mode`'s model as a zip of its PyTorch bundle (see [`crate::export::torch_bundle`]), its
    /// files in a folder named after the mode: what the page offers beside the ONNX file.
    pub async fn export_torch(&self, mode: Mode) -> Result<Vec<u8>> {
        let files = crate::export::torch_bundle(&self.saved_model(mode).await?)?;
        let folder = format!("widedeep-{}-torch", mode.name());
        crate::data::zip(&files.into_iter().map(|(name, bytes)| NamedBytes::new(format!("{folder}/{name}"), bytes)).collect::<Vec<_>>())
    }

    /// `mode`'s model as it is kept: its best epoch on the validation rows, else its last.
    async fn saved_model(&self, mode: Mode) -> Result<SavedModel> {
        let (run, trainer) = self.trainer(mode)?;
        let parameters = trainer.kept_parameters(&run.comparison.prepared.layout).await?;
        Ok(SavedModel::new(run.comparison.prepared.encoder.clone(), trainer.config().clone(), parameters))
    }

    /// Loads a saved model for scoring; returns the columns it needs.
    pub fn import_model(&mut self, json: &str) -> Result<Vec<String>> {
        let saved = SavedModel::from_json(json)?;
        let columns = saved.encoder.fields.iter().map(|f| f.column.clone()).collect();
        self.scorer = Some(saved);
        Ok(columns)
    }

    /// Scores a CSV with the imported model: one prediction per row, and the file with it added.
    pub async fn score_csv(&self, bytes: &[u8]) -> Result<ScoredFile> {
        let saved = self.scorer.as_ref().ok_or(Error::NoScorer)?;
        let table = read_files(vec![NamedBytes::new("scored.csv", bytes)], |_| {})?;
        let scored = saved.score(&table, &self.device).await?;
        let column = scored.cells(&saved.encoder.label_rule);
        let csv = crate::data::csv_with_column(&table, crate::data::prediction_column(saved.encoder.label_rule.task()), &column);
        Ok(ScoredFile { csv, predictions: scored.predictions, clipped: scored.clipped })
    }

    fn loaded(&self) -> Result<&Loaded> {
        self.data.as_ref().ok_or(Error::NoData)
    }

    fn run_ref(&self) -> Result<&Run> {
        self.run.as_ref().ok_or(Error::NoRun)
    }

    fn run_mut(&mut self) -> Result<&mut Run> {
        self.run.as_mut().ok_or(Error::NoRun)
    }
}

fn idle_progress(trainer: &Trainer, target: usize) -> ModelProgress {
    let epoch = trainer.history().len().min(target).max(1);
    ModelProgress {
        mode: trainer.mode(),
        epoch,
        batch: 0,
        batches: trainer.batches_per_epoch(),
        running_loss: None,
        finished: Vec::new(),
        seconds: trainer.seconds(),
        seconds_left: trainer.seconds_left(target),
    }
}
