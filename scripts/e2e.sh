#!/usr/bin/env bash
# The end-to-end test of the real app: builds it with the test config (its own
# identifier and data dir), then drives it under Xvfb with tauri-driver.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
cargo="${CARGO:-cargo}"

# The test profile (optimised, shared with `cargo test`) and the same features
# as every other build of the app (custom-protocol is a default feature), so
# only the app crate itself recompiles for the test config.
TAURI_CONFIG="$(cat src-tauri/tauri.test.conf.json)" "$cargo" build --profile test -p switchyard-app
mkdir -p "$target/e2e"
cp "$target/debug/switchyard-app" "$target/e2e/switchyard-app-test"
"$cargo" build --profile test -p switchyard-cli --bin switchyard

export SWITCHYARD_APP_BIN="$(realpath "$target/e2e/switchyard-app-test")"
export SWITCHYARD_CLI="$(realpath "$target/debug/switchyard")"
export SCREENSHOT_DIR="$PWD/target/screenshots"
command -v tauri-driver >/dev/null 2>&1 || export PATH="$HOME/.cargo/bin:$PATH"
cd ui && node --test --test-concurrency=1 tests/e2e/
