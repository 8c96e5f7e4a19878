//! Which device trains: WebGPU when it helps, the flex CPU backend otherwise. All device
//! choice lives in this one cfg-gated place.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

/// What the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preference {
    /// The faster one, measured on the configured model when training starts (see
    /// [`crate::engine::Engine::configure`]) or ahead of it ([`crate::engine::Engine::measure`]).
    Auto,
    /// WebGPU or an error.
    Webgpu,
    /// The flex CPU backend.
    Cpu,
}

/// The kind of device in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendKind {
    /// burn-wgpu on the browser's WebGPU (or a native Vulkan/Metal adapter).
    Webgpu,
    /// Burn's pure-Rust flex backend.
    Cpu,
}

/// Training samples per second of a few real steps of the configured model on each backend.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    /// On WebGPU.
    pub webgpu: f64,
    /// On the CPU.
    pub cpu: f64,
}

/// The device in use, its adapter, and why it was chosen: shown to the user as is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backend {
    /// WebGPU or CPU.
    pub kind: BackendKind,
    /// The adapter's name, or a description of the CPU backend.
    pub adapter: String,
    /// Why this backend, in one sentence.
    pub reason: String,
    /// The speeds the automatic choice measured, when it measured.
    #[serde(default)]
    pub measured: Option<Measured>,
}

impl Backend {
    /// The CPU backend, with the reason it was chosen.
    pub fn cpu(reason: impl Into<String>) -> Self {
        Self { kind: BackendKind::Cpu, adapter: "flex (Rust CPU backend)".into(), reason: reason.into(), measured: None }
    }

    /// The WebGPU backend on `adapter`, with the reason it was chosen.
    pub fn webgpu(adapter: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { kind: BackendKind::Webgpu, adapter: adapter.into(), reason: reason.into(), measured: None }
    }
}

/// Software adapters emulate a GPU on the CPU: SwiftShader trains Adult 30–45× slower than flex in wasm.
pub fn is_software_adapter(name: &str, is_cpu_type: bool) -> bool {
    let name = name.to_ascii_lowercase();
    is_cpu_type || ["swiftshader", "llvmpipe", "lavapipe", "software", "warp"].iter().any(|s| name.contains(s))
}

/// An initialized WebGPU device, its adapter's name, and whether the adapter is software.
#[derive(Clone)]
pub struct Gpu {
    /// The device.
    pub device: Device,
    /// The adapter's name.
    pub adapter: String,
    /// Whether it emulates a GPU on the CPU (SwiftShader, llvmpipe, a fallback adapter).
    pub software: bool,
}

thread_local! {
    /// The wgpu runtime can be initialized once per page (or process), so every engine shares it.
    static WEBGPU: std::cell::RefCell<Option<Gpu>> = const { std::cell::RefCell::new(None) };
}

/// Chooses and initializes a device; under [`Preference::Auto`] also returns the WebGPU device,
/// when there is one, for the measurement that decides when training starts.
pub async fn choose(preference: Preference) -> crate::Result<(Device, Backend, Option<Gpu>)> {
    if preference == Preference::Cpu {
        return Ok((Device::flex(), Backend::cpu("the CPU backend was chosen"), None));
    }
    let gpu = match webgpu().await {
        Ok(gpu) => gpu,
        Err(why) if preference == Preference::Auto => {
            return Ok((Device::flex(), Backend::cpu(format!("WebGPU is not available ({why}), so training runs on the CPU")), None));
        }
        Err(why) => return Err(crate::Error::Backend(format!("WebGPU is not available: {why}"))),
    };
    let backend = match (preference, gpu.software) {
        (Preference::Auto, true) => Backend::cpu(format!(
            "the WebGPU adapter '{}' looks like a software renderer, so the CPU starts until both are measured on the model",
            gpu.adapter
        )),
        (Preference::Auto, false) => Backend::webgpu(&gpu.adapter, "a hardware WebGPU adapter starts until both are measured on the model"),
        (_, true) => Backend::webgpu(&gpu.adapter, "WebGPU was chosen (a software adapter: expect slow steps)"),
        (_, false) => Backend::webgpu(&gpu.adapter, "WebGPU was chosen"),
    };
    let device = if backend.kind == BackendKind::Webgpu { gpu.device.clone() } else { Device::flex() };
    Ok((device, backend, (preference == Preference::Auto).then_some(gpu)))
}

/// The page's (or process's) WebGPU device, initialized on first use.
async fn webgpu() -> Result<Gpu, String> {
    if let Some(gpu) = WEBGPU.with(|w| w.borrow().clone()) {
        return Ok(gpu);
    }
    let (device, adapter, software) = init_webgpu().await?;
    let gpu = Gpu { device, adapter, software };
    WEBGPU.with(|w| *w.borrow_mut() = Some(gpu.clone()));
    Ok(gpu)
}

/// Initializes burn-wgpu asynchronously; returns the device, the adapter's name and whether it
/// is a software adapter.
#[cfg(any(target_family = "wasm", feature = "wgpu"))]
async fn init_webgpu() -> Result<(Device, String, bool), String> {
    #[cfg(target_family = "wasm")]
    run_static_constructors();
    let (device, setup) = Device::wgpu_options().init_with_setup_async().await.map_err(|e| e.to_string())?;
    let info = setup.adapter.get_info();
    // Browsers hide the adapter from wgpu's info; ask WebGPU itself (`GPUAdapter.info`).
    let (name, fallback) = match browser_adapter().await {
        Some(found) => found,
        None => (format!("{} {}", info.name, info.driver).trim().to_string(), false),
    };
    let software = fallback || is_software_adapter(&name, info.device_type == burn::tensor::wgpu::wgpu::DeviceType::Cpu);
    Ok((device, if name.is_empty() { format!("{:?} adapter", info.backend) } else { name }, software))
}

/// Runs the module's static constructors (the registries of cubecl's kernel IR, which only the
/// GPU path uses) once. Calling them here also stops the linker from calling them at the top of
/// *every* exported function, its default for a module that never calls them itself, which cost
/// a sixth of each training step on the CPU.
#[cfg(target_family = "wasm")]
fn run_static_constructors() {
    unsafe extern "C" {
        fn __wasm_call_ctors();
    }
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: the linker-made list of constructors; they only link static registry entries.
    ONCE.call_once(|| unsafe { __wasm_call_ctors() });
}

/// The browser's own description of its WebGPU adapter (description, vendor, architecture,
/// device) and whether it calls it a fallback adapter, read through `navigator.gpu`.
#[cfg(target_family = "wasm")]
async fn browser_adapter() -> Option<(String, bool)> {
    use js_sys::{Function, Promise, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    let get =
        |object: &JsValue, key: &str| Reflect::get(object, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null());
    let gpu = get(&get(&js_sys::global(), "navigator")?, "gpu")?;
    let request: Function = get(&gpu, "requestAdapter")?.dyn_into().ok()?;
    let promise: Promise = request.call0(&gpu).ok()?.dyn_into().ok()?;
    let adapter = wasm_bindgen_futures::JsFuture::from(promise).await.ok().filter(|a| !a.is_null())?;
    let info = get(&adapter, "info")?;
    let text = |key: &str| get(&info, key).and_then(|v| v.as_string()).unwrap_or_default();
    let parts: Vec<String> =
        ["description", "vendor", "architecture", "device"].iter().map(|k| text(k)).filter(|t| !t.is_empty()).collect();
    let flag = |object: &JsValue| get(object, "isFallbackAdapter").and_then(|v| v.as_bool()).unwrap_or(false);
    Some((parts.join(" "), flag(&adapter) || flag(&info)))
}

/// Natively wgpu's own adapter info is complete.
#[cfg(all(not(target_family = "wasm"), feature = "wgpu"))]
async fn browser_adapter() -> Option<(String, bool)> {
    None
}

#[cfg(not(any(target_family = "wasm", feature = "wgpu")))]
async fn init_webgpu() -> Result<(Device, String, bool), String> {
    Err("this build has no wgpu backend (build with --features wgpu)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn software_adapters_are_recognized() {
        assert!(is_software_adapter("SwiftShader Device (Subzero)", false));
        assert!(is_software_adapter("llvmpipe (LLVM 15.0.6, 256 bits)", false));
        assert!(is_software_adapter("Some GPU", true));
        assert!(!is_software_adapter("NVIDIA GeForce RTX 4090", false));
    }

    #[test]
    fn cpu_is_always_available() {
        let (_, backend, _) = pollster::block_on(choose(Preference::Cpu)).unwrap();
        assert_eq!(backend.kind, BackendKind::Cpu);
        let (_, backend, gpu) = pollster::block_on(choose(Preference::Auto)).unwrap();
        assert_eq!(backend.kind, BackendKind::Cpu, "{}", backend.reason);
        assert!(gpu.is_none(), "no WebGPU natively without the wgpu feature");
        #[cfg(not(feature = "wgpu"))]
        {
            let err = pollster::block_on(choose(Preference::Webgpu)).err().expect("no WebGPU without the wgpu feature");
            assert!(err.to_string().starts_with("compute backend: WebGPU is not available"), "{err}");
        }
    }
}
