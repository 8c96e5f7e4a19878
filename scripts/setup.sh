#!/usr/bin/env bash
# Installs what the tests and the demo need, skipping whatever is already there:
# the wasm32 Rust target, wasm-pack and wasm-bindgen-cli (from crates.io), Chromium and
# ChromeDriver (Debian), and the npm tools (binaryen's wasm-opt, playwright-core, axe-core for the
# page's accessibility test), a Python environment with ONNX Runtime and Debian's PyTorch for the
# interop tests (tests/interop.rs: an exported model is checked against the real runtimes).
# With --site, only what building the static site needs (no browser): the Pages workflow's step.
set -euo pipefail
site_only=false
[ "${1:-}" = "--site" ] && site_only=true
cd "$(dirname "$0")/.."
WASM_BINDGEN_VERSION=0.2.130   # must match the wasm-bindgen pinned in Cargo.toml

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "setup: adding the wasm32-unknown-unknown Rust target"
  rustup target add wasm32-unknown-unknown
fi
if ! command -v wasm-pack >/dev/null; then
  echo "setup: installing wasm-pack from crates.io"
  cargo install wasm-pack --locked
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  echo "setup: installing wasm-bindgen-cli $WASM_BINDGEN_VERSION from crates.io"
  # Not --locked: its lock file pins a crate version the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi
if ! $site_only && { ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; }; then
  echo "setup: installing Chromium and ChromeDriver from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ ! -f node_modules/axe-core/axe.min.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm tools (binaryen, playwright-core, axe-core)"
  npm ci --no-audit --no-fund
fi
if ! $site_only; then
  # Outside the clone, like the build cache; Debian's python3 (and its site packages) underneath.
  venv="${WIDEDEEP_VENV:-$HOME/.cache/widedeep/venv}"
  requirements=tests/interop/requirements.txt
  if [ ! -x "$venv/bin/python" ] || [ "$requirements" -nt "$venv/.installed" ]; then
    echo "setup: installing ONNX Runtime and onnx from PyPI into $venv"
    if ! /usr/bin/python3 -c 'import venv, ensurepip' 2>/dev/null; then
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq python3-venv >/dev/null
    fi
    /usr/bin/python3 -m venv --system-site-packages "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"
    touch "$venv/.installed"
  fi
  # PyTorch for the exported bundle's tests (Debian's build: no download of its own).
  if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    echo "setup: installing PyTorch from Debian (python3-torch)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq python3-torch >/dev/null
  fi
fi
