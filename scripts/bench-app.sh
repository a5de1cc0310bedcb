#!/usr/bin/env bash
# Start-up time and idle memory of the release app under Xvfb (BENCHMARKS.md).
# Builds with the test config, runs in a temporary HOME, touches nothing of the user's.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
runs="${RUNS:-5}"

TAURI_CONFIG="$(cat src-tauri/tauri.test.conf.json)" cargo build --release -p switchyard-app
app="$(realpath "$target/release/switchyard-app")"
home="$(mktemp -d)"
display=":78"
Xvfb "$display" -screen 0 1440x960x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true; rm -rf "$home"' EXIT
sleep 1
export DISPLAY="$display" HOME="$home" XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config" XDG_CACHE_HOME="$home/cache"

echo "== cold start to first paint (process start to the UI's first frame with figures), $runs runs"
for i in $(seq 1 "$runs"); do
  start=$(date +%s.%N)
  SWITCHYARD_EXIT_AFTER_FIRST_PAINT=1 "$app" 2>"$home/err.txt" || true
  end=$(date +%s.%N)
  paint=$(grep -o 'first paint [0-9]* ms' "$home/err.txt" || echo "first paint ? ms")
  printf 'run %d: %s; process wall time %.2f s\n' "$i" "$paint" "$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')"
done

echo "== idle memory after 10 s (the app and its WebKit processes): RSS, and PSS (shared pages split between the processes that map them)"
"$app" 2>/dev/null &
pid=$!
sleep 10
total=0
total_pss=0
for p in $pid $(pgrep -P "$pid" || true) $(for c in $(pgrep -P "$pid" || true); do pgrep -P "$c" || true; done); do
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
  pss=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
  name=$(cat "/proc/$p/comm" 2>/dev/null || echo "?")
  printf '  %-24s RSS %6d MB   PSS %6d MB\n' "$name" $((rss / 1024)) $((pss / 1024))
  total=$((total + rss))
  total_pss=$((total_pss + pss))
done
printf '  %-24s RSS %6d MB   PSS %6d MB\n' "total" $((total / 1024)) $((total_pss / 1024))
kill "$pid"
wait "$pid" 2>/dev/null || true
