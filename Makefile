# Build outputs live outside the clone so every checkout (and CI) rebuilds incrementally.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/widedeep/target
CARGO ?= cargo
CLI = $(CARGO_TARGET_DIR)/release/widedeep

.PHONY: setup test demo bench

setup:
	scripts/setup.sh

## Every test: native unit and integration tests, then the WebAssembly build check.
test: setup
	$(CARGO) fmt --check
	$(CARGO) test --release
	$(CARGO) build --release --lib --target wasm32-unknown-unknown

## Trains wide, deep and joint on the bundled Adult census data and draws the race.
demo: setup
	$(CARGO) build --release --bin widedeep
	mkdir -p out
	$(CLI) train data/adult.csv --label income --model all --epochs 5 \
	  --cross education,occupation --cross native-country,occupation --cross gender,age \
	  --json out/adult.json --plot out/adult.svg --plot out/adult.png --save out/adult-joint.model.json
	@echo "curves: out/adult.svg and out/adult.png; metrics: out/adult.json; model: out/adult-joint.model.json"

## Speed, accuracy and memory figures (fetches MovieLens 100K; needs python3 with pip).
bench: setup
	$(CARGO) bench --bench figures
