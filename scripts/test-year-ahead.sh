#!/usr/bin/env bash
# Runs every Rust test with the clock a year ahead (libfaketime), to show that
# no test depends on the day it runs. Only the test binaries (and the programs
# they start) see the shifted clock: cargo and rustc keep the real one, so
# nothing is rebuilt. Usage: scripts/test-year-ahead.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v faketime >/dev/null 2>&1; then
  echo "faketime is missing: scripts/system-deps.sh --test installs it" >&2
  exit 1
fi
host=$(rustc -vV | sed -n 's/^host: //p')
runner_var="CARGO_TARGET_$(echo "$host" | tr 'a-z-' 'A-Z_')_RUNNER"
ahead=${SWITCHYARD_CLOCK_AHEAD:-+365d}

# What the shifted clock says, so the log shows the run was really ahead.
echo "== tests with the clock at $(faketime -f "$ahead" date -u +%Y-%m-%d) (real: $(date -u +%Y-%m-%d))"
export "$runner_var=faketime -f $ahead"
cargo test --workspace --all-targets "$@"
