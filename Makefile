# The README's commands: `make demo` and `make test`. Both set up .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make demo` needs only the SDK and the server: its own venv, without the dev toolchain
DEMO_VENV := .venv-demo
DEMO_STAMP := $(DEMO_VENV)/.installed
# the README's ```python blocks, one file each, for the type checkers
README_BLOCKS := build/readme
TYPED_EXAMPLES := examples scripts/demo.py scripts/readme_blocks.py $(README_BLOCKS)

.PHONY: demo test browser lint typecheck spec generate check-generated api-diff bench bench-large fuzz chaos clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# editable, so that the demo runs the checkout as it is; make demo DEMO_KEEP=1 (or DEMO_KEEP=DIR)
# keeps the demo's data
$(DEMO_STAMP): pyproject.toml
	test -x $(DEMO_VENV)/bin/python || $(PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[server]'
	touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	$(DEMO_VENV)/bin/python scripts/demo.py

test: lint typecheck spec check-generated browser
	$(BIN)/python -m pytest -q

# the browser test (tests/web/test_browser.py) drives Debian's chromium through playwright,
# whose own browser download is not used: install chromium when it is missing and we can
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null || \
	    { apt-get update -q >/dev/null && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }; }; } || \
	  { echo "the browser test needs chromium: apt-get install chromium" >&2; exit 1; }

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts examples benchmarks
	$(BIN)/ruff format --check src tests scripts examples benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy --strict
	$(BIN)/python scripts/readme_blocks.py --out $(README_BLOCKS) >/dev/null
	$(BIN)/mypy --strict $(TYPED_EXAMPLES)
	$(BIN)/pyright --pythonpath $(BIN)/python $(TYPED_EXAMPLES)

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

# the growth benchmark at a million runs (against 1,000 in the same run), printed
bench-large: $(STAMP)
	DATLAKE_BENCH_GROWTH=1000,1000000 $(BIN)/python -m benchmarks growth

fuzz: $(STAMP)
	DATLAKE_FUZZ_EXAMPLES=500 $(BIN)/python -m pytest -q tests/test_fuzz_server.py

# 1,000 pipelines per scenario through the fault proxy, then an audit of the server
# (figures in RELIABILITY.md); the quick versions run in `make test`
chaos: $(STAMP)
	$(BIN)/python -m tests.chaos --scenario all --pipelines 1000 --outbox on
	$(BIN)/python -m tests.chaos --scenario faults --pipelines 1000 --outbox off

clean:
	rm -rf $(VENV) $(DEMO_VENV) build dist .pytest_cache .mypy_cache .ruff_cache
