# Switchyard: the two set-up commands are `make run` and `make test`.

CARGO ?= cargo
EXAMPLE ?= examples/claude-then-deepseek.toml

.PHONY: run test lint fmt bench build

## Until the desktop app lands, `make run` evaluates the example plan with the CLI.
run:
	$(CARGO) run --release -p switchyard -- evaluate $(EXAMPLE)

## Formatting, clippy (warnings are errors) and every test of the workspace.
test: lint
	$(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc

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
