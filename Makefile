# Switchyard: the two set-up commands are `make run` and `make test`.

CARGO ?= cargo
EXAMPLE ?= examples/claude-then-deepseek.toml

.PHONY: run test test-interop test-interop-docs lint fmt bench build

## Until the desktop app lands, `make run` evaluates the example plan with the CLI.
run:
	$(CARGO) run --release -p switchyard -- evaluate $(EXAMPLE)

## Formatting, clippy (warnings are errors) and every test of the workspace.
test: lint
	$(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc

## The exported configs on the real gateways (LiteLLM 1.106.2, Portkey 1.15.2)
## against fake providers: installs both (idempotent, tests/interop/setup.sh),
## then runs the ignored interop test. Report: target/interop-report.md.
## Needs python3 (with venv) and npm. Not part of `make test`; .ci/run runs both.
test-interop:
	bash tests/interop/setup.sh
	$(CARGO) test -p switchyard-e2e --test interop -- --ignored --nocapture

## The same, and writes the latest table into README.md and docs/INTEROP.md.
test-interop-docs:
	bash tests/interop/setup.sh
	SWITCHYARD_INTEROP_UPDATE_DOCS=1 $(CARGO) test -p switchyard-e2e --test interop -- --ignored --nocapture

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

build:
	$(CARGO) build --workspace --all-targets

## Criterion benchmarks; results are kept in BENCHMARKS.md.
bench:
	$(CARGO) bench -p switchyard
