//! Which device trains: WebGPU when it helps, the flex CPU backend otherwise. All device
//! choice lives in this one cfg-gated place.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

/// What the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preference {
    /// The faster one: WebGPU on a hardware adapter, the CPU otherwise.
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

/// The device in use, its adapter, and why it was chosen: shown to the user as is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backend {
    /// WebGPU or CPU.
    pub kind: BackendKind,
    /// The adapter's name, or a description of the CPU backend.
    pub adapter: String,
    /// Why this backend, in one sentence.
    pub reason: String,
}

impl Backend {
    /// The CPU backend, with the reason it was chosen.
    pub fn cpu(reason: impl Into<String>) -> Self {
        Self { kind: BackendKind::Cpu, adapter: "flex (Rust CPU backend)".into(), reason: reason.into() }
    }
}

/// Software adapters emulate a GPU on the CPU: SwiftShader trains Adult 30–45× slower than flex in wasm.
pub fn is_software_adapter(name: &str, is_cpu_type: bool) -> bool {
    let name = name.to_ascii_lowercase();
    is_cpu_type || ["swiftshader", "llvmpipe", "lavapipe", "software", "warp"].iter().any(|s| name.contains(s))
}

/// A WebGPU device found earlier: its device, adapter name and whether it is software.
type Found = (Device, String, bool);

thread_local! {
    /// The wgpu runtime can be initialized once per page (or process), so every engine shares it.
    static WEBGPU: std::cell::RefCell<Option<Found>> = const { std::cell::RefCell::new(None) };
}

/// Chooses and initializes a device.
pub async fn choose(preference: Preference) -> crate::Result<(Device, Backend)> {
    if preference == Preference::Cpu {
        return Ok((Device::flex(), Backend::cpu("the CPU backend was chosen")));
    }
    let known = WEBGPU.with(|w| w.borrow().clone());
    let found = match known {
        Some(found) => found,
        None => match init_webgpu().await {
            Ok(found) => {
                WEBGPU.with(|w| *w.borrow_mut() = Some(found.clone()));
                found
            }
            Err(why) if preference == Preference::Auto => {
                return Ok((Device::flex(), Backend::cpu(format!("WebGPU is not available ({why}), so training runs on the CPU"))));
            }
            Err(why) => return Err(crate::Error::Backend(format!("WebGPU is not available: {why}"))),
        },
    };
    let (device, adapter, software) = found;
    if preference == Preference::Auto && software {
        let reason =
            format!("the WebGPU adapter '{adapter}' is a software renderer, which trains tens of times slower than the CPU backend");
        return Ok((Device::flex(), Backend::cpu(reason)));
    }
    let reason = if software { "WebGPU was chosen (a software adapter: expect slow steps)" } else { "a hardware WebGPU adapter" };
    Ok((device, Backend { kind: BackendKind::Webgpu, adapter, reason: reason.into() }))
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
        let (_, backend) = pollster::block_on(choose(Preference::Cpu)).unwrap();
        assert_eq!(backend.kind, BackendKind::Cpu);
        let (_, backend) = pollster::block_on(choose(Preference::Auto)).unwrap();
        assert_eq!(backend.kind, BackendKind::Cpu, "{}", backend.reason);
        #[cfg(not(feature = "wgpu"))]
        {
            let err = pollster::block_on(choose(Preference::Webgpu)).unwrap_err();
            assert!(err.to_string().starts_with("compute backend: WebGPU is not available"), "{err}");
        }
    }
}
