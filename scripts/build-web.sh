#!/usr/bin/env bash
# Builds the WebAssembly package into pkg/ (release, wasm-bindgen from PATH, never a download),
# then optimizes it with binaryen's wasm-opt from npm and reports its size.
set -euo pipefail
cd "$(dirname "$0")/.."
wasm-pack build --target web --out-dir pkg --release --mode no-install --no-pack
wasm=pkg/widedeep_bg.wasm
before=$(stat -c %s "$wasm")
node_modules/.bin/wasm-opt -O --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue "$wasm" -o "$wasm.opt"
mv "$wasm.opt" "$wasm"
echo "pkg: $wasm $((before / 1024)) KiB -> $(( $(stat -c %s "$wasm") / 1024 )) KiB after wasm-opt, $(( $(gzip -9 -c "$wasm" | wc -c) / 1024 )) KiB gzip"
