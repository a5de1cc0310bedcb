#!/usr/bin/env bash
# Writes fixtures/spend_log/: 200 lines of a generated LiteLLM spend log and
# the price LiteLLM 1.106.2's own `cost_per_token` gives each, so that a plain
# `cargo test` checks Switchyard's per-request prices against LiteLLM's
# recorded numbers without Python (tests/tests/request_prices.rs).
#
# The lines come from `spend_log --lines 20000` with the default seed, and are
# chosen so the rules are all there: every line with at least 100,000 prompt
# tokens (tiers at 100k, 128k, 200k, 272k and 512k, and the lines put exactly
# on a threshold or one past it), then lines with cache reads, then the first
# others, up to 200, kept in the log's order. Needs the interop venv
# (tests/interop/setup.sh). Deterministic: running it again changes nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
export LITELLM_LOCAL_MODEL_COST_MAP=True
PYTHON=target/interop/venv/bin/python
OUT=fixtures/spend_log
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cargo run --quiet -p switchyard-e2e --bin spend_log -- --lines 20000 --out "$tmp/log.csv"
"$PYTHON" - "$tmp/log.csv" "$OUT/spend_log_200.csv" <<'PY'
import csv, io, json, sys
source, target = sys.argv[1], sys.argv[2]
with open(source, encoding="utf-8", newline="") as f:
    raw = f.read().split("\n")
header, lines = raw[0], [l for l in raw[1:] if l]
rows = [next(csv.reader(io.StringIO(l))) for l in lines]
cols = header.split(",")
prompt, meta = cols.index("prompt_tokens"), cols.index("metadata")
def cached(row):
    usage = json.loads(row[meta]).get("additional_usage_values") or {}
    return int(usage.get("cache_read_input_tokens") or 0)
long = [i for i, r in enumerate(rows) if int(r[prompt]) >= 100_000]
chosen = long[:120]
chosen += [i for i, r in enumerate(rows) if cached(r) > 0 and i not in chosen][: 160 - len(chosen)]
chosen += [i for i in range(len(rows)) if i not in chosen][: 200 - len(chosen)]
with open(target, "w", encoding="utf-8", newline="") as out:
    out.write(header + "\n")
    for i in sorted(chosen):
        out.write(lines[i] + "\n")
PY
"$PYTHON" tests/interop/price_log.py "$OUT/spend_log_200.csv" --per-line "$OUT/litellm_prices_200.csv" > /dev/null
echo "wrote $OUT/spend_log_200.csv and $OUT/litellm_prices_200.csv"
