#!/usr/bin/env python3
"""Prints the fit and backtest tables of docs/HISTORY.md from the CLI's JSON.

Usage: scripts/history-tables.py [path/to/switchyard]
(default: target/release/switchyard, else target/debug/switchyard). Each
table is what `switchyard history fit|backtest ... --json` reports for the
ICPE 2025 OpenAI record in fixtures/icpe2025, with seed 1.
"""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DAILY = os.path.join(ROOT, "fixtures/icpe2025/outage_daily_openai.csv")
INCIDENTS = os.path.join(ROOT, "fixtures/icpe2025/incidents_openai.csv")


def binary():
    if len(sys.argv) > 1:
        return sys.argv[1]
    for build in ("release", "debug"):
        path = os.path.join(ROOT, "target", build, "switchyard")
        if os.path.exists(path):
            return path
    sys.exit("build switchyard first (cargo build -p switchyard-cli)")


def run(*args):
    out = subprocess.run([binary(), "history", *args, "--json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def percent(t):
    text = f"{t * 100:.4f}".rstrip("0").rstrip(".")
    return f"{text}%"


def interval(e, digits=2):
    lo, hi = e["ci95"]
    show = lambda x: "∞" if x is None else f"{x:.{digits}f}"
    value = "∞, a Poisson count" if e["value"] is None else f"{e['value']:.{digits}f}"
    return f"{value} ({show(lo)} to {show(hi)})"


def fit_row(name, fit):
    import math
    s = fit["source"]
    p = fit["process"]
    median = math.exp(p["log_mu"])
    imp = fit["implies"]
    return (
        f"| {name} | {s['months']} ({s['from'][:7]} to {s['to'][:7]}) | {s['events']} | "
        f"{interval(fit['events_per_month'])} | {interval(fit['dispersion'])} | {median:.0f} | "
        f"{imp['mean_availability'] * 100:.3f}% | {imp['p_clean_month'] * 100:.1f}% |"
    )


def main():
    header = (
        "| record | months | outage days | outage days per month | dispersion | median minutes of an outage day | mean availability | P(clean month) |\n"
        "|---|---:|---:|---|---|---:|---:|---:|"
    )
    print(header)
    for service in ("api", "playground", "chatgpt"):
        fit = run("fit", DAILY, "--format", "icpe-daily", "--service", service)
        print(fit_row(f"`{service}`, daily table", fit))
    for column in ("API", "Playground", "ChatGPT"):
        fit = run("fit", INCIDENTS, "--format", "icpe-incidents", "--service", column,
                  "--from", "2021-03-01", "--to", "2024-08-31")
        print(fit_row(f"`{column}`, incident stages", fit))
    print()
    for service in ("api", "playground", "chatgpt"):
        for period in ("month", "day"):
            b = run("backtest", DAILY, "--format", "icpe-daily", "--service", service, "--period", period)
            unit = "months" if period == "month" else "days"
            print(f"**`{service}`, {unit}** ({b['periods']:,} historical {unit}; largest gap {b['largest_gap']:.3f})\n")
            print("| at least | history | model | gap |\n|---:|---:|---:|---:|")
            for r in b["rows"]:
                gap = abs(r["history"] - r["model"])
                print(f"| {percent(r['threshold'])} | {r['history']:.3f} | {r['model']:.3f} | {gap:.3f} |")
            print()


if __name__ == "__main__":
    main()
