import { describe, expect, it } from "vitest";
import type { CatalogRow } from "../bindings/CatalogRow";
import { filterRows, nextSort, sortRows } from "./table";

function row(id: string, input: number | null, observed: number | null = null): CatalogRow {
  const [provider, model] = id.split("/");
  return {
    id,
    provider,
    model,
    mode: "chat",
    groups: [],
    input_per_mtok: input,
    cached_input_per_mtok: null,
    output_per_mtok: null,
    context_window: null,
    availability: null,
    error_rate: null,
    ttft_p50_ms: null,
    ttft_p95_ms: null,
    tokens_per_s: null,
    overridden: [],
    inherited: [],
    observed: observed === null ? null : { samples: 30, error_rate: 0, ttft_p50_ms: observed, ttft_p95_ms: null, tokens_per_s: null },
  };
}

const rows = [row("openai/gpt-x", 2), row("anthropic/claude", 3, 500), row("deepseek/chat", null, 300)];

describe("catalog table", () => {
  it("filters by every word", () => {
    expect(filterRows(rows, "claude").map((r) => r.id)).toEqual(["anthropic/claude"]);
    expect(filterRows(rows, "  ").length).toBe(3);
    expect(filterRows(rows, "open gpt").map((r) => r.id)).toEqual(["openai/gpt-x"]);
  });
  it("sorts numbers both ways with unknowns last", () => {
    expect(sortRows(rows, { key: "input_per_mtok", ascending: true }).map((r) => r.id)).toEqual(["openai/gpt-x", "anthropic/claude", "deepseek/chat"]);
    expect(sortRows(rows, { key: "input_per_mtok", ascending: false }).map((r) => r.id)).toEqual(["anthropic/claude", "openai/gpt-x", "deepseek/chat"]);
  });
  it("sorts by observed TTFT", () => {
    expect(sortRows(rows, { key: "observed_ttft", ascending: true }).map((r) => r.id)).toEqual(["deepseek/chat", "anthropic/claude", "openai/gpt-x"]);
  });
  it("toggles direction on the same column", () => {
    expect(nextSort({ key: "id", ascending: true }, "id")).toEqual({ key: "id", ascending: false });
    expect(nextSort({ key: "id", ascending: false }, "availability")).toEqual({ key: "availability", ascending: true });
  });
});
