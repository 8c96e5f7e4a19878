//! The only JavaScript boundary: a thin `#[wasm_bindgen]` wrapper over [`Engine`]. Values
//! cross as plain objects (serde-wasm-bindgen), errors as `JsError`s carrying the core's
//! message, and everything that reads tensors returns a `Promise`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use js_sys::Promise;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::data::LabelRule;
use crate::engine::{Engine, Preference};
use crate::model::Mode;
use crate::train::ModelRun;
use crate::{Config, Error};

/// Makes an unexpected panic readable in the console instead of "unreachable".
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
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

    /// Parses CSV bytes; returns the inferred schema. On error the previous data stays loaded.
    /// `on_progress`, if given, is called with the share of bytes parsed (0..1) now and then.
    #[wasm_bindgen(js_name = loadCsv)]
    pub fn load_csv(&self, name: &str, bytes: &[u8], on_progress: Option<js_sys::Function>) -> Result<JsValue, JsError> {
        let report = |share: f64| {
            if let Some(f) = &on_progress {
                let _ = f.call1(&JsValue::NULL, &JsValue::from_f64(share));
            }
        };
        to_js(&self.engine()?.load_csv_with_progress(name, bytes, report).map_err(js_error)?)
    }

    /// The bytes of a generated classroom data set: `"movielens"` or `"memorize"`.
    #[wasm_bindgen(js_name = presetCsv)]
    pub fn preset_csv(name: &str) -> Result<Vec<u8>, JsError> {
        Engine::preset_csv(name).map_err(js_error)
    }

    /// Crosses worth trying for `label` (`rule` as in a configuration), best first:
    /// `[{columns, gain}]`.
    #[wasm_bindgen(js_name = suggestCrosses)]
    pub fn suggest_crosses(&self, label: &str, rule: JsValue, max: u32) -> Result<JsValue, JsError> {
        let rule = if rule.is_undefined() || rule.is_null() {
            LabelRule::Auto
        } else {
            from_js(rule).map_err(|_| JsError::new("invalid label rule"))?
        };
        to_js(&self.engine()?.suggest_crosses(label, &rule, max as usize).map_err(js_error)?)
    }

    /// Resolves to the `count` largest wide weights of the `mode` model: `[{feature, weight}]`.
    #[wasm_bindgen(js_name = topWideWeights)]
    pub fn top_wide_weights(&self, mode: String, count: u32) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let mode: Mode = mode.parse().map_err(js_error)?;
            let engine = inner.try_borrow().map_err(|_| busy())?;
            Ok(to_js(&engine.top_wide_weights(mode, count as usize).await.map_err(js_error)?)?)
        })
    }

    /// Resolves to one row's score split into `{wide, deep, bias, probability}`; `row` maps
    /// column names to values (absent columns count as missing).
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
    pub fn schema(&self) -> Result<JsValue, JsError> {
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

    /// Times the matrix products of one training step with these layer widths (inputs, hidden
    /// layers, 1) on the chosen backend; resolves to `[{role, shape, gflops}]`. For the benchmark
    /// page, on the CPU: on a GPU each timing includes a read-back, which small products do not outweigh.
    #[wasm_bindgen(js_name = productSpeeds)]
    pub fn product_speeds(&self, batch: u32, widths: Vec<u32>) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let engine = borrow(&inner)?;
            let widths: Vec<usize> = widths.into_iter().map(|w| w as usize).collect();
            let speeds = engine.product_speeds(batch as usize, &widths).await.map_err(js_error)?;
            Ok(to_js(&speeds)?)
        })
    }

    /// The backend in use: `{kind, adapter, reason}`.
    pub fn backend(&self) -> Result<JsValue, JsError> {
        to_js(self.engine()?.backend())
    }

    /// Takes a `{features, train}` configuration; returns the split's description.
    pub fn configure(&self, config: JsValue) -> Result<JsValue, JsError> {
        let config: Config = from_js(config).map_err(|e| JsError::new(&format!("invalid configuration: {e:?}")))?;
        to_js(&self.engine()?.configure(config).map_err(js_error)?)
    }

    /// Adds `epochs` to the target of the run in progress.
    pub fn extend(&self, epochs: u32) -> Result<(), JsError> {
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

    /// Everything trained so far as `{dataset, config, models}`.
    pub fn report(&self) -> Result<JsValue, JsError> {
        to_js(&self.engine()?.report().map_err(js_error)?)
    }

    /// The same report as CSV text (one line per model and epoch).
    #[wasm_bindgen(js_name = reportCsv)]
    pub fn report_csv(&self) -> Result<String, JsError> {
        Ok(self.engine()?.report().map_err(js_error)?.to_csv())
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

    /// Loads a saved model for scoring; returns the columns it reads.
    #[wasm_bindgen(js_name = importModel)]
    pub fn import_model(&self, json: &str) -> Result<JsValue, JsError> {
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

    fn engine(&self) -> Result<std::cell::RefMut<'_, Engine>, JsError> {
        borrow(&self.inner)
    }
}

/// Draws loss and AUC curves for `runs` (`[{mode, epochs}]`, as in a report) on a canvas with
/// plotters, so the page and the CLI draw the same chart.
#[wasm_bindgen(js_name = drawCurves)]
pub fn draw_curves(canvas: web_sys::HtmlCanvasElement, runs: JsValue) -> Result<(), JsError> {
    let runs: Vec<ModelRun> = from_js(runs).map_err(|_| JsError::new("drawCurves expects [{mode, epochs}]"))?;
    let backend = plotters_canvas::CanvasBackend::with_canvas_object(canvas).ok_or_else(|| JsError::new("the canvas has no 2D context"))?;
    crate::plot::draw_curves(&plotters::prelude::IntoDrawingArea::into_drawing_area(backend), &runs).map_err(|e| JsError::new(&e))
}

/// The same chart as SVG text, for download.
#[wasm_bindgen(js_name = curvesSvg)]
pub fn curves_svg(runs: JsValue, width: u32, height: u32) -> Result<String, JsError> {
    let runs: Vec<ModelRun> = from_js(runs).map_err(|_| JsError::new("curvesSvg expects [{mode, epochs}]"))?;
    let mut svg = String::new();
    {
        let backend = plotters::prelude::SVGBackend::with_string(&mut svg, (width, height));
        crate::plot::draw_curves(&plotters::prelude::IntoDrawingArea::into_drawing_area(backend), &runs).map_err(|e| JsError::new(&e))?;
    }
    Ok(svg)
}

const BUSY: &str = "the engine is busy with a training slice: wait for it to finish";

fn busy() -> JsValue {
    JsError::new(BUSY).into()
}

/// The engine for a call that changes it, or the "busy" error while a slice holds it.
fn borrow(inner: &Rc<RefCell<Engine>>) -> Result<std::cell::RefMut<'_, Engine>, JsError> {
    inner.try_borrow_mut().map_err(|_| JsError::new(BUSY))
}

fn js_error(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| JsError::new(&e.to_string()))
}

fn from_js<T: serde::de::DeserializeOwned>(value: JsValue) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&e.to_string()).into())
}
