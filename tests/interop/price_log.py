"""Prices every line of a LiteLLM spend log with LiteLLM's own cost function.

Usage (in the interop venv that tests/interop/setup.sh makes):

    target/interop/venv/bin/python tests/interop/price_log.py LOG.csv [--per-line OUT.csv]

LOG.csv is a `LiteLLM_SpendLogs` export (`psql \\copy ... CSV HEADER`, or the
repository's generator, `cargo run -p switchyard-e2e --bin spend_log`). Each
line is priced by exactly

    litellm.cost_per_token(model=model, prompt_tokens=prompt_tokens,
                           completion_tokens=completion_tokens,
                           cache_read_input_tokens=cached)

with `cached` from the line's `metadata.additional_usage_values.
cache_read_input_tokens` (0 when absent), in a plain loop, and the two costs it
returns are added. Prints one JSON object: lines, total_usd, by_model (USD
per model), wall_s (reading and pricing), price_s (the loop alone, wall
clock), price_cpu_s (the loop's CPU time, which a busy machine does not
inflate) and the LiteLLM version. `--per-line` also writes `request_id,usd` per line, the
price as Python's repr (the shortest text that reads back as the same
double).

The price map is the one inside the installed package: LiteLLM would
otherwise download the current map from GitHub when imported, so
LITELLM_LOCAL_MODEL_COST_MAP is set before the import. Nothing here touches
the network.
"""

import csv
import json
import os
import sys
import time

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"

import litellm  # noqa: E402  (after the environment above, on purpose)
from importlib.metadata import version  # noqa: E402


def cached_tokens(metadata_text):
    """The cached prompt tokens the proxy recorded in a line's metadata."""
    if not metadata_text:
        return 0
    try:
        metadata = json.loads(metadata_text)
    except ValueError:
        return 0
    usage = metadata.get("additional_usage_values") or {}
    return int(usage.get("cache_read_input_tokens") or 0)


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--per-line"):
        print(__doc__, file=sys.stderr)
        return 2
    path = argv[1]
    per_line_path = argv[3] if len(argv) == 4 else None

    started = time.perf_counter()
    csv.field_size_limit(1 << 30)
    with open(path, newline="", encoding="utf-8") as f:
        rows = [
            (
                row["request_id"],
                row["model"],
                int(row["prompt_tokens"]),
                int(row["completion_tokens"]),
                cached_tokens(row["metadata"]),
            )
            for row in csv.DictReader(f)
        ]

    priced_at = time.perf_counter()
    priced_cpu = time.process_time()
    prices = []
    for _, model, prompt, completion, cached in rows:
        prompt_usd, completion_usd = litellm.cost_per_token(
            model=model,
            prompt_tokens=prompt,
            completion_tokens=completion,
            cache_read_input_tokens=cached,
        )
        prices.append(prompt_usd + completion_usd)
    done = time.perf_counter()
    done_cpu = time.process_time()

    total = 0.0
    by_model = {}
    for (_, model, _, _, _), usd in zip(rows, prices):
        total += usd
        by_model[model] = by_model.get(model, 0.0) + usd

    if per_line_path:
        with open(per_line_path, "w", encoding="utf-8") as out:
            for (request_id, _, _, _, _), usd in zip(rows, prices):
                out.write(f"{request_id},{usd!r}\n")

    print(
        json.dumps(
            {
                "lines": len(rows),
                "total_usd": total,
                "by_model": dict(sorted(by_model.items())),
                "wall_s": done - started,
                "price_s": done - priced_at,
                "price_cpu_s": done_cpu - priced_cpu,
                "litellm": version("litellm"),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
