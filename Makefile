# Build outputs live outside the clone so every checkout (and CI) rebuilds incrementally.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/widedeep/target
CARGO ?= cargo
CLI = $(CARGO_TARGET_DIR)/release/widedeep
PORT ?= 8080
WASM = pkg/widedeep_bg.wasm
RUST_SOURCES = $(shell find src -name '*.rs') Cargo.toml Cargo.lock

.PHONY: setup test test-native test-wasm test-page demo site bench bench-web

setup:
	scripts/setup.sh

## Every test: native unit and integration tests, the browser suite (wasm-pack test in headless
## Chromium, WebGPU on SwiftShader and the CPU backend), then page tests on the built site.
test: setup
	$(CARGO) fmt --check
	$(MAKE) test-native test-wasm test-page

test-native:
	$(CARGO) test --release

## The design card's command, as typed: its timeout and optimization come from .cargo/config.toml
## and Cargo.toml's dev profile.
test-wasm:
	wasm-pack test --headless --chrome

test-page: $(WASM) site
	node --test --test-concurrency=1 tests/page/

$(WASM): $(RUST_SOURCES)
	scripts/build-web.sh

## A self-contained static folder, site/, that works from any static host and sub-path.
site: $(WASM)
	scripts/build-site.sh

## Builds the site and serves it on http://127.0.0.1:$(PORT) (the CLI race plot goes to out/).
demo: setup $(WASM)
	$(CARGO) build --release --bin widedeep
	mkdir -p out
	$(CLI) train data/adult.csv --setup adult --epochs 5 --quiet \
	  --json out/adult.json --plot out/adult.svg --plot out/adult.png --save out/adult-joint.model.json
	node scripts/serve.mjs $(PORT)

## Speed, accuracy and memory figures (fetches MovieLens 100K; needs python3 with pip).
bench: setup
	$(CARGO) bench --bench figures

## Samples per second in the browser per backend, and time to the first metrics.
bench-web: setup $(WASM)
	node benches/browser.mjs
