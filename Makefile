# Switchyard: `make run` starts the desktop app, `make test` runs every test.

CARGO ?= cargo
NPM ?= npm
EXAMPLE ?= examples/claude-then-deepseek.toml
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)

.PHONY: run test test-year-ahead test-latency-10m fuzz test-interop test-interop-docs test-interop-prices lint fmt bench usage-memory build deps test-deps ui ui-test browser-test e2e package cli

## Installs what is missing (Debian packages, the UI's npm packages), builds
## the UI and the app, and opens the window.
run: deps ui
	$(CARGO) build --release -p switchyard-app
	$(TARGET_DIR)/release/switchyard-app

## The example through the command line.
cli:
	$(CARGO) run --release -p switchyard-cli -- evaluate $(EXAMPLE)

deps:
	scripts/system-deps.sh
	@[ -d ui/node_modules ] || (cd ui && $(NPM) ci --no-audit --no-fund)

test-deps: deps
	scripts/system-deps.sh --test
	@command -v tauri-driver >/dev/null 2>&1 || [ -x "$$HOME/.cargo/bin/tauri-driver" ] || \
		$(CARGO) install tauri-driver --version '^2' --locked

## ui/dist must exist before any cargo build of src-tauri (tauri embeds it).
ui:
	cd ui && $(NPM) run build

## Formatting, clippy (warnings are errors), every Rust test (the bindings and
## browser fixtures included), the UI's type check and unit tests, the browser
## test with mocked IPC, and the end-to-end test of the real app.
test: test-deps ui lint
	$(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc
	$(MAKE) ui-test browser-test e2e

## Every Rust test again with the clock a year ahead (libfaketime): no test
## may depend on the day it runs. .ci/run runs it after `make test`.
test-year-ahead:
	scripts/test-year-ahead.sh

## The plan fuzzer for SWITCHYARD_FUZZ_SECONDS (default 600): parse, resolve,
## evaluate and report each input within 1 s and 256 MB (tests/tests/fuzz_plans.rs).
fuzz:
	$(CARGO) test --workspace --test fuzz_plans -- --ignored --nocapture fuzz_plans_for_a_while

## The exact latency and budget figures against 10M simulated requests per
## plan (issue 20's check; model/latency/latency_tests.rs, a few seconds).
test-latency-10m:
	$(CARGO) test -p switchyard --lib model::latency -- --ignored

## The exported configs on the real gateways (LiteLLM 1.106.2, Portkey 1.15.2)
## against fake providers: installs both (idempotent, tests/interop/setup.sh),
## then runs the ignored interop test. Report: target/interop-report.md.
## Needs python3 (with venv) and npm. Not part of `make test`; .ci/run runs both.
## `--workspace --test X`, not `-p`: the features `make test` built with, so
## nothing is compiled a second time.
test-interop:
	bash tests/interop/setup.sh
	$(CARGO) test --workspace --test interop -- --ignored --nocapture --test-threads=1

## The same, and writes the latest table into README.md and docs/INTEROP.md.
test-interop-docs:
	bash tests/interop/setup.sh
	SWITCHYARD_INTEROP_UPDATE_DOCS=1 $(CARGO) test --workspace --test interop -- --ignored --nocapture --test-threads=1

## Issue 18's memory bound on a real size: a 1 GB synthetic LiteLLM spend log
## imported by the release CLI under GNU time (peak RSS at most 200 MB; the
## numbers are in BENCHMARKS.md). Writes into $(USAGE_TMP).
USAGE_TMP ?= $(TARGET_DIR)/usage-memory
usage-memory:
	$(CARGO) build --release -p switchyard-cli
	$(CARGO) build --release -p switchyard --example synthetic_spend_log
	mkdir -p $(USAGE_TMP)
	$(TARGET_DIR)/release/examples/synthetic_spend_log $(USAGE_TMP)/spend-1g.csv 1073741824 1
	rm -f $(USAGE_TMP)/catalog.sqlite3*
	/usr/bin/time -v $(TARGET_DIR)/release/switchyard usage import $(USAGE_TMP)/spend-1g.csv \
		--format litellm-spend --db $(USAGE_TMP)/catalog.sqlite3

## Switchyard's per-request prices against LiteLLM 1.106.2's own
## `cost_per_token`, line by line, on a generated 20,000-line spend log
## (tests/tests/request_prices.rs; its ignored test needs the interop venv).
test-interop-prices:
	bash tests/interop/setup.sh
	$(CARGO) test --workspace --test request_prices -- --ignored --nocapture

ui-test:
	cd ui && $(NPM) run check && $(NPM) test

## The report test opens what the built CLI writes (`switchyard report`).
browser-test:
	$(CARGO) build -p switchyard-cli
	cd ui && node --test tests/browser/

e2e:
	scripts/e2e.sh

lint: ui
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

build: ui
	$(CARGO) build --workspace --all-targets

## A .deb with the icons and a desktop entry (AppImage needs a download, so
## only .deb), in $(TARGET_DIR)/release/bundle/deb/.
package: deps ui
	ui/node_modules/.bin/tauri build --bundles deb

## Criterion benchmarks; results are kept in BENCHMARKS.md.
bench:
	$(CARGO) bench -p switchyard
