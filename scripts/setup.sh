#!/usr/bin/env bash
# Installs what the tests and the demo need, skipping what is already there.
set -euo pipefail
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "setup: adding the wasm32-unknown-unknown Rust target"
  rustup target add wasm32-unknown-unknown
fi
