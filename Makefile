# Two entry points, both from a fresh clone with only python3 and the package registries:
#   make demo   convert the bundled example, show the diff and verdicts, prove the SavedModel reloads
#   make test   run the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR := build/demo
EXAMPLE := examples/audio_pipeline.py
SIGNATURES := --signature '_read_pcm=string[]' \
              --signature '_log_envelope=float32[None]' \
              --signature '_standardize=float32[None]' \
              --signature '_score_to_target=int64[]'

.PHONY: demo test bench clean

# File targets: a second `make` reuses the environment; editing pyproject.toml reinstalls.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install -e '.[test]'
	touch $@

# The example has one site the tool must refuse (it reads a file), so exit status 1 is the expected one.
demo: $(VENV)/.installed
	@echo "== 1. What the tool would change in $(EXAMPLE) (nothing is written without --write)"
	$(BIN)/pyfunc2tf convert $(EXAMPLE) --diff $(SIGNATURES) || test $$? -eq 1
	@echo
	@echo "== 2. Convert a copy in $(DEMO_DIR) (the example in the repository stays as it is)"
	rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR) && cp $(EXAMPLE) $(DEMO_DIR)/
	$(BIN)/pyfunc2tf convert $(DEMO_DIR)/audio_pipeline.py --write --report $(DEMO_DIR)/report.json \
	    $(SIGNATURES) || test $$? -eq 1
	@echo
	@echo "== 3. The converted SavedModel runs in a fresh process; the original does not"
	TF_CPP_MIN_LOG_LEVEL=3 $(BIN)/python examples/prove_savedmodel.py $(DEMO_DIR)/audio_pipeline.py $(EXAMPLE)

$(VENV)/.installed-bench: $(VENV)/.installed
	$(BIN)/python -m pip install -e '.[bench]'
	touch $@

# Speed of converted code vs the py_function originals and hand-written versions (needs ../shared/corpus);
# writes benchmarks/results/cpu.md, .json, .png. Not part of `make test`.
bench: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.run

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

clean:
	rm -rf build
