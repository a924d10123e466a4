# The README's commands: `make demo` and `make test`. Both set up .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck spec generate check-generated api-diff bench fuzz chaos clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

test: lint typecheck spec check-generated
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts examples benchmarks
	$(BIN)/ruff format --check src tests scripts examples benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy --strict
	$(BIN)/pyright examples/typing_example.py

spec: $(STAMP)
	$(BIN)/openapi-spec-validator openapi/datlake.yaml

generate: $(STAMP)
	scripts/generate.sh

check-generated: $(STAMP)
	scripts/check_generated.sh

# make api-diff BASE=<git ref>: breaking changes between the spec at BASE and the working spec
BASE ?= HEAD
api-diff: $(STAMP)
	$(BIN)/python scripts/api_diff.py --base $(BASE)

bench: $(STAMP)
	$(BIN)/python -m benchmarks

fuzz: $(STAMP)
	DATLAKE_FUZZ_EXAMPLES=500 $(BIN)/python -m pytest -q tests/test_fuzz_server.py

# 1,000 pipelines per scenario through the fault proxy, then an audit of the server
# (figures in RELIABILITY.md); the quick versions run in `make test`
chaos: $(STAMP)
	$(BIN)/python -m tests.chaos --scenario all --pipelines 1000 --outbox on
	$(BIN)/python -m tests.chaos --scenario faults --pipelines 1000 --outbox off

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
