//! The only JavaScript boundary: a thin `#[wasm_bindgen]` wrapper over [`Engine`]. Values
//! cross as plain objects (serde-wasm-bindgen), errors as JavaScript `Error`s carrying the core's
//! message and its [`Error::kind`] (as `error.kind`, for the page's own hint), and everything
//! that reads tensors returns a `Promise`.

mod blob;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use js_sys::Promise;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::data::NamedBytes;
use crate::engine::{Engine, ModelLogits, Preference};
use crate::model::Mode;
use crate::plot::{Picture, Theme};
use crate::train::Ftrl;
use crate::{Config, Error, Setup};

thread_local! {
    /// The message of the panic that killed this instance, kept for [`last_panic`]: a panic in
    /// WebAssembly aborts (an `unreachable` trap), and the trap itself says nothing of why.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Makes an unexpected panic readable: in the console (instead of "unreachable") and to the
/// worker, which reads it with [`last_panic`] after the trap to say why the engine died.
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.payload_as_str().unwrap_or("a panic without a message");
        let located = match info.location() {
            Some(at) => format!("{message}, at {}:{}", at.file(), at.line()),
            None => message.to_string(),
        };
        LAST_PANIC.with(|last| {
            if let Ok(mut last) = last.try_borrow_mut() {
                *last = Some(located);
            }
        });
        console_error_panic_hook::hook(info);
    }));
}

/// The message of the panic that killed this instance, or `undefined` (an allocation that fails
/// aborts without one). Read by the worker after a trap; the instance is replaced after it.
#[wasm_bindgen(js_name = lastPanic)]
pub fn last_panic() -> Option<String> {
    LAST_PANIC.with(|last| last.try_borrow().ok().and_then(|last| last.clone()))
}

/// The engine as JavaScript sees it. Calls are serialized: one that arrives while a training
/// slice is still running is refused with a "busy" error rather than corrupting state.
#[wasm_bindgen]
pub struct WideDeepEngine {
    inner: Rc<RefCell<Engine>>,
}

impl Default for WideDeepEngine {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
impl WideDeepEngine {
    /// An engine on the CPU with nothing loaded.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Self {
        Self { inner: Rc::new(RefCell::new(Engine::new())) }
    }

    /// Reads files given together (`names[i]` with `contents[i]`): one CSV in any known encoding,
    /// a zip archive, or MovieLens's files; returns the inferred schema (with `notes` on how the
    /// data was read). On error the previous data stays loaded. `on_progress`, if given, is
    /// called with the share of bytes parsed (0..1) now and then.
    #[wasm_bindgen(js_name = loadFiles)]
    pub fn load_files(
        &self,
        names: Vec<String>,
        contents: Vec<js_sys::Uint8Array>,
        on_progress: Option<js_sys::Function>,
    ) -> Result<JsValue, JsValue> {
        let report = reporter(on_progress.as_ref());
        let files = names.into_iter().zip(contents).map(|(name, bytes)| NamedBytes::new(name, bytes.to_vec())).collect();
        to_js(&self.engine()?.load_files(files, report).map_err(js_error)?)
    }

    /// Reads one file the page was given (`name`: a CSV in any known encoding, or a zip
    /// archive) in pieces, so a CSV is never whole in memory; returns its schema as
    /// [`Self::load_files`] does. Only in a worker (it reads with `FileReaderSync`).
    #[wasm_bindgen(js_name = loadFile)]
    pub fn load_file(&self, name: &str, file: web_sys::Blob, on_progress: Option<js_sys::Function>) -> Result<JsValue, JsValue> {
        let report = reporter(on_progress.as_ref());
        let size = file.size() as u64;
        let source = std::io::BufReader::with_capacity(blob::PIECE_BYTES, blob::BlobReader::new(file)?);
        to_js(&self.engine()?.load_stream(name, source, size, report).map_err(js_error)?)
    }

    /// A study's whole configuration (`"seed"` or `"ids"`) for the loaded data: `{features, train}`.
    #[wasm_bindgen(js_name = setupConfig)]
    pub fn setup_config(&self, name: &str) -> Result<JsValue, JsValue> {
        keyed_to_js(&self.engine()?.setup_config(name).map_err(js_error)?)
    }

    /// The bytes of a generated classroom data set: `"movielens"` or `"memorize"`.
    #[wasm_bindgen(js_name = presetCsv)]
    pub fn preset_csv(name: &str) -> Result<Vec<u8>, JsValue> {
        Engine::preset_csv(name).map_err(js_error)
    }

    /// Screens the loaded data for a `{features, train}` configuration: `{schema, leaks,
    /// suggestions, diagram}` (the schema with leaking columns flagged, up to `max` crosses worth
    /// trying, judged on the configuration's training rows, and the model it describes).
    pub fn analyze(&self, config: JsValue, max: u32) -> Result<JsValue, JsValue> {
        let config = config_from_js(config)?;
        to_js(&self.engine()?.analyze(&config, max as usize).map_err(js_error)?)
    }

    /// Resolves to the `count` largest wide weights of the `mode` model, named:
    /// `[{feature, others, more, rows, weight}]`; without a count, the core's
    /// [`WEIGHTS_SHOWN`](crate::insight::WEIGHTS_SHOWN).
    #[wasm_bindgen(js_name = namedWeights)]
    pub fn named_weights(&self, mode: String, count: Option<u32>) -> Promise {
        let count = count.map_or(crate::insight::WEIGHTS_SHOWN, |c| c as usize);
        let inner = self.inner.clone();
        future_to_promise(async move {
            let mode: Mode = mode.parse().map_err(js_error)?;
            let engine = inner.try_borrow().map_err(|_| busy())?;
            Ok(to_js(&engine.named_weights(mode, count).await.map_err(js_error)?)?)
        })
    }

    /// The cross map of columns `down` and `across` over the test rows, with the predictions of
    /// the models `modes[i]` given as their test logits `logits[i]` at epoch `epochs[i]` (from
    /// any worker's `testLogits`).
    #[wasm_bindgen(js_name = crossMap)]
    pub fn cross_map(
        &self,
        down: &str,
        across: &str,
        modes: Vec<String>,
        logits: Vec<js_sys::Float32Array>,
        epochs: Vec<u32>,
        class: Option<String>,
    ) -> Result<JsValue, JsValue> {
        if modes.len() != logits.len() || modes.len() != epochs.len() {
            return Err(message_error("crossMap needs as many logits and epochs as models", "state"));
        }
        let logits = modes
            .iter()
            .zip(logits)
            .zip(epochs)
            .map(|((mode, l), epoch)| {
                Ok(ModelLogits { mode: mode.parse::<Mode>().map_err(js_error)?, epoch: epoch as usize, logits: l.to_vec() })
            })
            .collect::<Result<Vec<_>, JsValue>>()?;
        to_js(&self.engine()?.cross_map([down, across], &logits, class.as_deref()).map_err(js_error)?)
    }

    /// The `mode` model's logits on the test rows at the epoch its pictures show, with that
    /// epoch: `{logits: Float32Array, epoch}` (the last finished, or once training has ended
    /// the one the validation rows kept).
    #[wasm_bindgen(js_name = testLogits)]
    pub fn test_logits(&self, mode: &str) -> Result<JsValue, JsValue> {
        let shown = self.engine()?.test_logits(mode.parse().map_err(js_error)?).map_err(js_error)?;
        let object = js_sys::Object::new();
        js_sys::Reflect::set(&object, &"logits".into(), &js_sys::Float32Array::from(shown.logits.as_slice()))?;
        js_sys::Reflect::set(&object, &"epoch".into(), &JsValue::from_f64(shown.epoch as f64))?;
        Ok(object.into())
    }

    /// The run's prepared rows as bytes, for other workers (`configurePrepared`).
    #[wasm_bindgen(js_name = preparedBytes)]
    pub fn prepared_bytes(&self) -> Result<Vec<u8>, JsValue> {
        self.engine()?.prepared_bytes().map_err(js_error)
    }

    /// Builds `config`'s models on rows another worker prepared; resolves to `{dataset, backend}`.
    #[wasm_bindgen(js_name = configurePrepared)]
    pub fn configure_prepared(&self, name: String, bytes: Vec<u8>, config: JsValue) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let config = config_from_js(config)?;
            let mut engine = borrow(&inner)?;
            let dataset = engine.configure_prepared(&name, bytes, config).await.map_err(js_error)?;
            Ok(to_js(&Configured { dataset, backend: engine.backend().clone() })?)
        })
    }

    /// Resolves to the embedding maps of `column` (one per model with a deep part), coloured by
    /// the share of `class` for several classes (the first when absent).
    #[wasm_bindgen(js_name = embeddingMaps)]
    pub fn embedding_maps(&self, column: String, class: Option<String>) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let engine = inner.try_borrow().map_err(|_| busy())?;
            Ok(to_js(&engine.embedding_maps(&column, class.as_deref()).await.map_err(js_error)?)?)
        })
    }

    /// The diagram of the run's model, with a logit split (`{wide, deep, epoch}` from some
    /// worker's `logitSplit`) or `null`.
    pub fn diagram(&self, split: JsValue) -> Result<JsValue, JsValue> {
        let split = if split.is_null() || split.is_undefined() { None } else { Some(from_js(split)?) };
        to_js(&self.engine()?.diagram(split).map_err(js_error)?)
    }

    /// Resolves to this engine's joint model's logit split on the test rows, or `null`.
    #[wasm_bindgen(js_name = logitSplit)]
    pub fn logit_split(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let engine = inner.try_borrow().map_err(|_| busy())?;
            Ok(to_js(&engine.logit_split().await.map_err(js_error)?)?)
        })
    }

    /// Resolves to one row's score split into `{wide, deep, bias, probability, fired}` (the
    /// wide features the row fired, named, with their weights); `row` maps column names to
    /// values (absent columns count as missing).
    pub fn explain(&self, mode: String, row: JsValue) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let mode: Mode = mode.parse().map_err(js_error)?;
            let row: BTreeMap<String, String> = from_js(row)?;
            let engine = inner.try_borrow().map_err(|_| busy())?;
            Ok(to_js(&engine.explain(mode, &row).await.map_err(js_error)?)?)
        })
    }

    /// The loaded data's schema, or `undefined`.
    pub fn schema(&self) -> Result<JsValue, JsValue> {
        to_js(&self.engine()?.schema())
    }

    /// Chooses `"auto"`, `"webgpu"` or `"cpu"`; resolves to `{kind, adapter, reason}`.
    #[wasm_bindgen(js_name = chooseBackend)]
    pub fn choose_backend(&self, preference: String) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let preference: Preference = from_js(JsValue::from_str(&preference))?;
            let mut engine = borrow(&inner)?;
            let backend = engine.choose_backend(preference).await.map_err(js_error)?;
            Ok(to_js(&backend)?)
        })
    }

    /// The backend in use: `{kind, adapter, reason}`.
    pub fn backend(&self) -> Result<JsValue, JsValue> {
        to_js(self.engine()?.backend())
    }

    /// Takes a `{features, train}` configuration; resolves to `{dataset, backend}`: the split's
    /// description and where it trains (under the automatic choice, measured on this model).
    pub fn configure(&self, config: JsValue) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let config = config_from_js(config)?;
            let mut engine = borrow(&inner)?;
            let dataset = engine.configure(config).await.map_err(js_error)?;
            Ok(to_js(&Configured { dataset, backend: engine.backend().clone() })?)
        })
    }

    /// Under the automatic choice, times both backends on a `{features, train}` configuration's
    /// model before training; resolves to the backend it would pick (`{kind, adapter, reason,
    /// measured}`), or `null` when there is nothing to measure. The backend in use stays.
    pub fn measure(&self, config: JsValue) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let config = config_from_js(config)?;
            let mut engine = borrow(&inner)?;
            let backend = engine.measure(&config).await.map_err(js_error)?;
            Ok(to_js(&backend)?)
        })
    }

    /// Ends the run where it stands (Stop): its pictures show each model's kept epoch.
    pub fn stop(&self) -> Result<(), JsValue> {
        self.engine()?.stop();
        Ok(())
    }

    /// Adds `epochs` to the target of the run in progress.
    pub fn extend(&self, epochs: u32) -> Result<(), JsValue> {
        self.engine()?.extend(epochs as usize).map_err(js_error)
    }

    /// Trains up to `max_steps` batches; resolves to the progress (running losses, finished
    /// epochs, whether all models are done).
    pub fn train(&self, max_steps: u32) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let mut engine = borrow(&inner)?;
            let progress = engine.train(max_steps as usize).await.map_err(js_error)?;
            Ok(to_js(&progress)?)
        })
    }

    /// Starts a race of variants of a `{features, train}` configuration's first model: `vary`
    /// holds settings as `SETTING=VALUES` split by `;` (`cross=a,b:off,on; embedding-dim=4,8`), each
    /// variant trained with `seeds` seeds. Returns the variants (`[{name, config}]`, the base
    /// first) whose configurations "keep the winner" adopts.
    #[wasm_bindgen(js_name = startVariants)]
    pub fn start_variants(&self, config: JsValue, vary: String, seeds: u32) -> Result<JsValue, JsValue> {
        let config = config_from_js(config)?;
        let listed = self.engine()?.start_variants(config, &vary, seeds as usize).map_err(js_error)?;
        to_js(&listed)
    }

    /// Trains the race of variants for up to `max_steps` batches; resolves to where it stands
    /// (`{finished, runs, current, ended, done, scores, said}`, the scores best first).
    #[wasm_bindgen(js_name = trainVariants)]
    pub fn train_variants(&self, max_steps: u32) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let mut engine = borrow(&inner)?;
            let progress = engine.train_variants(max_steps as usize).await.map_err(js_error)?;
            Ok(to_js(&progress)?)
        })
    }

    /// Resolves to `mode`'s model as bytes, taken out of the run between two steps, for another
    /// worker's `takeOver` (a race moves a model to a worker with cores to spare).
    #[wasm_bindgen(js_name = handOver)]
    pub fn hand_over(&self, mode: String) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let mode: Mode = mode.parse().map_err(js_error)?;
            let mut engine = borrow(&inner)?;
            let bytes = engine.hand_over(mode).await.map_err(js_error)?;
            Ok(js_sys::Uint8Array::from(bytes.as_slice()).into())
        })
    }

    /// Trains on a model another worker handed over (`handOver`); returns its mode.
    #[wasm_bindgen(js_name = takeOver)]
    pub fn take_over(&self, bytes: Vec<u8>) -> Result<String, JsValue> {
        let mode = self.engine()?.take_over(&bytes).map_err(js_error)?;
        Ok(mode.name().to_string())
    }

    /// Everything trained so far as `{dataset, config, models}`.
    pub fn report(&self) -> Result<JsValue, JsValue> {
        to_js(&self.engine()?.report().map_err(js_error)?)
    }

    /// Resolves to the trained `mode` model as JSON text (weights read asynchronously).
    #[wasm_bindgen(js_name = exportModel)]
    pub fn export_model(&self, mode: String) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let mode: Mode = mode.parse().map_err(js_error)?;
            let engine = inner.try_borrow().map_err(|_| busy())?;
            Ok(JsValue::from_str(&engine.export_model(mode).await.map_err(js_error)?))
        })
    }

    /// How each model's test predictions fit the labels (`[{mode, fit: {calibration | scatter |
    /// confusion: …}}]`, by task), drawn with `pictureSvg({kind: 'fit', data})`.
    pub fn fits(&self) -> Result<JsValue, JsValue> {
        to_js(&self.engine()?.fits().map_err(js_error)?)
    }

    /// Resolves to the trained `mode` model as an ONNX file's bytes, for serving.
    #[wasm_bindgen(js_name = exportOnnx)]
    pub fn export_onnx(&self, mode: String) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let mode: Mode = mode.parse().map_err(js_error)?;
            let engine = inner.try_borrow().map_err(|_| busy())?;
            let bytes = engine.export_onnx(mode).await.map_err(js_error)?;
            Ok(js_sys::Uint8Array::from(bytes.as_slice()).into())
        })
    }

    /// Resolves to the trained `mode` model's PyTorch bundle as a zip archive's bytes, for
    /// training elsewhere (DDP) and bringing back (`widedeep import`).
    #[wasm_bindgen(js_name = exportTorch)]
    pub fn export_torch(&self, mode: String) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let mode: Mode = mode.parse().map_err(js_error)?;
            let engine = inner.try_borrow().map_err(|_| busy())?;
            let bytes = engine.export_torch(mode).await.map_err(js_error)?;
            Ok(js_sys::Uint8Array::from(bytes.as_slice()).into())
        })
    }

    /// Loads a saved model for scoring; returns the columns it reads.
    #[wasm_bindgen(js_name = importModel)]
    pub fn import_model(&self, json: &str) -> Result<JsValue, JsValue> {
        to_js(&self.engine()?.import_model(json).map_err(js_error)?)
    }

    /// Resolves to one probability per row of the CSV, from the imported model.
    #[wasm_bindgen(js_name = scoreCsv)]
    pub fn score_csv(&self, bytes: Vec<u8>) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let engine = inner.try_borrow().map_err(|_| busy())?;
            Ok(to_js(&engine.score_csv(&bytes).await.map_err(js_error)?)?)
        })
    }

    /// Panics inside a future that holds the engine, as a failing training step would. It
    /// exists only so the page's crash recovery can be tested end to end (the worker's
    /// `panicForTest` request makes its next training slice call this): nothing else can make
    /// the engine die on purpose. The page itself never asks for it.
    #[wasm_bindgen(js_name = panicForTest)]
    pub fn panic_for_test(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move { panic_on_purpose(&*borrow(&inner)?) })
    }

    fn engine(&self) -> Result<std::cell::RefMut<'_, Engine>, JsValue> {
        borrow(&self.inner)
    }
}

/// Draws a picture (`{kind, data}`: `curves` with `[{mode, epochs}]`, `variants` with a race of variants' scores, `cross_map`, `embedding`,
/// `diagram` or `fit` with what the engine returned) as SVG text of `width × height` pixels (a height
/// of 0: the picture's natural height, the cross map sized to its grid), in the
/// projector theme when `projector` is true. The worker draws, the page only shows the SVG.
#[wasm_bindgen(js_name = pictureSvg)]
pub fn picture_svg(picture: JsValue, width: u32, height: u32, projector: bool) -> Result<String, JsValue> {
    let picture: Picture = from_js(picture)?;
    picture.svg(width, height, Theme { projector }).map_err(|e| message_error(&e, "internal"))
}

/// Where each cross the diagram's wide box lists lies in the picture drawn `width × height`
/// (`[{cross, at: [left, top, width, height]}]`, `cross` its place in the configuration's crosses):
/// the page lays a button over each, so a cross is switched by clicking the diagram.
#[wasm_bindgen(js_name = diagramSpots)]
pub fn diagram_spots(diagram: JsValue, width: u32, height: u32, projector: bool) -> Result<JsValue, JsValue> {
    let diagram: crate::insight::Diagram = from_js(diagram)?;
    to_js(&crate::plot::cross_spots(&diagram, width, height, Theme { projector }))
}

/// The metrics CSV of `models` (a report's `models`, gathered from every worker of a race in the
/// page's order): the core writes it, so the page never splits CSV lines itself.
#[wasm_bindgen(js_name = metricsCsv)]
pub fn metrics_csv(models: JsValue) -> Result<String, JsValue> {
    let models: Vec<crate::train::ModelRun> = from_js(models)?;
    Ok(crate::metrics_csv(&models))
}

/// What a lesson may say about the pictures on screen (`{cross_map, weights, split, embedding}`,
/// each as the engine returned it, each optional): `{cross_map: {text, exceptions, outlined},
/// split: {text}, embedding: {text}}`, sentences written from those numbers, so the lesson card
/// never claims what the screen does not show.
#[wasm_bindgen(js_name = lessonFacts)]
pub fn lesson_facts(shown: JsValue) -> Result<JsValue, JsValue> {
    let shown: crate::insight::Shown = from_js(shown)?;
    to_js(&crate::insight::tell(&shown))
}

/// What `configure` resolves to.
#[derive(Serialize)]
struct Configured {
    dataset: crate::train::DatasetInfo,
    backend: crate::engine::Backend,
}

/// The core's default configuration (`{features, train}`), with the FTRL settings a wide part
/// switched to FTRL starts from (`ftrl`) and every named setup's settings (`setups`, what the
/// CLI's `--setup` takes): the page's defaults and presets come from here, so the CLI and the
/// page never disagree.
#[wasm_bindgen(js_name = defaultConfig)]
pub fn default_config() -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct Defaults {
        #[serde(flatten)]
        config: Config,
        ftrl: Ftrl,
        /// Every named setup's settings, by name: the page's presets start from them.
        setups: BTreeMap<&'static str, Config>,
    }
    let setups = Setup::ALL.into_iter().map(|setup| (setup.name(), setup.settings())).collect();
    keyed_to_js(&Defaults { config: Config::default(), ftrl: Ftrl::default(), setups })
}

/// See [`WideDeepEngine::panic_for_test`]: the engine stays borrowed, as after a real panic.
fn panic_on_purpose(_engine: &Engine) -> Result<JsValue, JsValue> {
    panic!("a panic on purpose, to test the page's crash recovery")
}

const BUSY: &str = "the engine is busy with a training slice: wait for it to finish";

fn busy() -> JsValue {
    message_error(BUSY, "busy")
}

/// The engine for a call that changes it, or the "busy" error while a slice holds it.
fn borrow(inner: &Rc<RefCell<Engine>>) -> Result<std::cell::RefMut<'_, Engine>, JsValue> {
    inner.try_borrow_mut().map_err(|_| busy())
}

/// A JavaScript `Error` with the core's message and its kind.
/// Calls the page's progress callback, if it gave one, with the share read (0..1); what it
/// returns or throws is the page's own business, not the load's.
fn reporter(on_progress: Option<&js_sys::Function>) -> impl Fn(f64) + '_ {
    move |share| {
        if let Some(f) = on_progress {
            let _ = f.call1(&JsValue::NULL, &JsValue::from_f64(share));
        }
    }
}

fn js_error(e: Error) -> JsValue {
    message_error(&e.to_string(), e.kind())
}

fn message_error(message: &str, kind: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    js_sys::Reflect::set(&error, &JsValue::from_str("kind"), &JsValue::from_str(kind)).expect("an Error takes properties");
    error.into()
}

fn config_from_js(config: JsValue) -> Result<Config, JsValue> {
    serde_wasm_bindgen::from_value(config).map_err(|e| message_error(&format!("invalid configuration: {e}"), "setting"))
}

fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| message_error(&e.to_string(), "internal"))
}

/// A value holding a configuration as a JavaScript object, through JSON text: its roles and kinds
/// are keyed by column names, and serde-wasm-bindgen sets keys with `object[key] = value`, which
/// drops a column named `__proto__` (JSON.parse keeps it as the object's own key). Not for values
/// with numbers that may be NaN (JSON writes them as null): reports go through [`to_js`].
fn keyed_to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|e| message_error(&e.to_string(), "internal"))?;
    js_sys::JSON::parse(&text)
}

fn from_js<T: serde::de::DeserializeOwned>(value: JsValue) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| message_error(&e.to_string(), "internal"))
}
