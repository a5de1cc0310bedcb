import { describe, expect, it } from "vitest";
import type { Pinned } from "../bindings/Pinned";
import type { PlanFile } from "../bindings/PlanFile";
import type { SearchPoint } from "../bindings/SearchPoint";
import type { SearchView } from "../bindings/SearchView";
import { SERIES, seriesColour } from "./colours";
import {
  EMPTY_SET,
  MAX_PINNED,
  documentPin,
  fileStem,
  frontierPoint,
  frontierPoints,
  parsePinnedSet,
  pin,
  pinRefusal,
  rename,
  reportName,
  searchPin,
  unpin,
  whatIfLabel,
  withBaseline,
  type PinnedSet,
} from "./pinned";

function plan(requests = 1000): PlanFile {
  return {
    workload: { requests_per_month: requests, input_tokens: 100, output_tokens: 10, cached_input_share: null, latency_budget_ms: null, fixed_monthly_usd: null },
    routes: [{ name: "default", share: null, steps: [{ offering: "a/x", attempts: null, timeout_ms: 5000, backoff_ms: null }] }],
  };
}

function item(label: string): Pinned {
  return { label, file: null, plan: plan() };
}

function setOf(...names: string[]): PinnedSet {
  return names.map(item).reduce(pin, EMPTY_SET);
}

const names = (s: PinnedSet) => s.items.map((p) => p.label);

function point(rank: number, chosen = false): SearchPoint {
  return {
    rank,
    label: `a/x ×${rank}`,
    monthly_usd: 100 * rank,
    cost_per_request: 0.01,
    availability: 0.99,
    nines: 2,
    success_within_budget: 0.98,
    p95_ms: rank === 3 ? null : 1200,
    meets_constraints: true,
    chosen,
    plan: plan(rank),
  };
}

describe("pin", () => {
  it("adds plans in order and keeps the baseline", () => {
    const s = withBaseline(setOf("a", "b"), 1);
    const t = pin(s, item("c"));
    expect(names(t)).toEqual(["a", "b", "c"]);
    expect(t.baseline).toBe(1);
    expect(names(s)).toEqual(["a", "b"]);
  });

  it("gives a label already taken a number", () => {
    expect(names(setOf("a", "a", "a"))).toEqual(["a", "a (2)", "a (3)"]);
  });

  it("refuses a seventh plan, saying why", () => {
    const full = setOf("1", "2", "3", "4", "5", "6");
    expect(full.items).toHaveLength(MAX_PINNED);
    expect(pinRefusal(setOf("1", "2", "3", "4", "5"))).toBeNull();
    expect(pinRefusal(full)).toMatch(/6 plans are pinned, the most a comparison holds/);
    expect(pin(full, item("7"))).toBe(full);
  });
});

describe("unpin", () => {
  it("keeps the same plan as the baseline when one before it goes", () => {
    const s = unpin(withBaseline(setOf("a", "b", "c"), 2), 0);
    expect(names(s)).toEqual(["b", "c"]);
    expect(s.baseline).toBe(1);
  });

  it("keeps the baseline when one after it goes", () => {
    const s = unpin(withBaseline(setOf("a", "b", "c"), 1), 2);
    expect(names(s)).toEqual(["a", "b"]);
    expect(s.baseline).toBe(1);
  });

  it("makes the first the baseline when the baseline goes", () => {
    const s = unpin(withBaseline(setOf("a", "b", "c"), 1), 1);
    expect(names(s)).toEqual(["a", "c"]);
    expect(s.baseline).toBe(0);
  });

  it("leaves an empty set when the last goes, and ignores an index out of range", () => {
    expect(unpin(setOf("a"), 0)).toEqual(EMPTY_SET);
    const s = setOf("a");
    expect(unpin(s, 3)).toBe(s);
    expect(unpin(s, -1)).toBe(s);
  });
});

describe("rename", () => {
  it("trims the name and keeps it unique among the others", () => {
    const s = setOf("a", "b");
    expect(names(rename(s, 1, "  cheap  "))).toEqual(["a", "cheap"]);
    expect(names(rename(s, 1, "a"))).toEqual(["a", "a (2)"]);
    // Its own name again is no clash, and no change.
    expect(rename(s, 1, " b")).toBe(s);
  });

  it("leaves the name when the new one is blank", () => {
    const s = setOf("a", "b");
    expect(rename(s, 0, "   ")).toBe(s);
  });
});

describe("withBaseline", () => {
  it("takes an index in range only", () => {
    const s = setOf("a", "b");
    expect(withBaseline(s, 1).baseline).toBe(1);
    expect(withBaseline(s, 2)).toBe(s);
    expect(withBaseline(s, 0.5)).toBe(s);
  });
});

describe("labels of pinned plans", () => {
  it("names a file by its stem", () => {
    expect(fileStem("plans-dir/claude-then-deepseek.toml")).toBe("claude-then-deepseek");
    expect(fileStem("C:\\plans\\cheap.v2.json")).toBe("cheap.v2");
    expect(fileStem(".hidden")).toBe(".hidden");
  });

  it("numbers what-ifs with the first number free", () => {
    expect(whatIfLabel(EMPTY_SET)).toBe("what-if 1");
    expect(whatIfLabel(setOf("what-if 1", "what-if 3"))).toBe("what-if 2");
  });

  it("pins a plan as opened by its file's stem, and an edited one as a what-if", () => {
    const doc = { path: "/p/today.toml", name: "today.toml", plan: plan() };
    expect(documentPin(doc, false, EMPTY_SET)).toEqual({ label: "today", file: "/p/today.toml", plan: doc.plan });
    expect(documentPin(doc, true, setOf("what-if 1"))).toEqual({ label: "what-if 2", file: null, plan: doc.plan });
    // The example, or a search point opened as the plan: no file, but a name.
    expect(documentPin({ ...doc, path: null, name: "frontier-03.toml" }, false, EMPTY_SET)).toEqual({ label: "frontier-03", file: null, plan: doc.plan });
  });

  it("offers a report the plan's name, or the comparison's", () => {
    expect(reportName(setOf("today"))).toBe("today.html");
    expect(reportName(setOf("today", "cheap"))).toBe("comparison.html");
  });

  it("pins a search point by its rank and route", () => {
    const p = point(3);
    expect(searchPin(p)).toEqual({ label: "#3 a/x ×3", file: null, plan: p.plan });
  });
});

describe("search points for the comparison's frontier chart", () => {
  it("maps each point, on the frontier, the chosen one marked", () => {
    expect(frontierPoint(point(2, true))).toEqual({ label: "a/x ×2", monthly_usd: 200, availability: 0.99, p95_ms: 1200, on_frontier: true, chosen: true });
    expect(frontierPoint(point(3)).p95_ms).toBeNull();
  });

  it("has none before a search", () => {
    expect(frontierPoints(null)).toEqual([]);
    const view = { points: [point(1), point(2)] } as SearchView;
    expect(frontierPoints(view).map((p) => p.label)).toEqual(["a/x ×1", "a/x ×2"]);
  });
});

describe("parsePinnedSet", () => {
  it("reads a stored set back as it was", () => {
    const s = withBaseline(setOf("a", "b"), 1);
    expect(parsePinnedSet(JSON.parse(JSON.stringify(s)))).toEqual(s);
  });

  it("ignores what is not a pinned set", () => {
    for (const raw of [null, undefined, 3, "x", [], { items: "no" }, { baseline: 1 }]) {
      expect(parsePinnedSet(raw)).toEqual(EMPTY_SET);
    }
  });

  it("drops the entries that are not plans, and a baseline out of range", () => {
    const good = item("a");
    const raw = { items: [good, { label: 3, file: null, plan: plan() }, { label: "b", file: 7, plan: plan() }, { label: "c", file: null, plan: { routes: [] } }, { label: " ", file: null, plan: plan() }, null], baseline: 4 };
    expect(parsePinnedSet(raw)).toEqual({ items: [good], baseline: 0 });
  });

  it("keeps at most six, with labels unique", () => {
    const raw = { items: ["a", "a", "b", "c", "d", "e", "f", "g"].map(item), baseline: 2 };
    const s = parsePinnedSet(raw);
    expect(names(s)).toEqual(["a", "a (2)", "b", "c", "d", "e"]);
    expect(s.baseline).toBe(2);
  });
});

describe("series colours", () => {
  it("are the engine's six, portfolio by portfolio", () => {
    expect(SERIES).toHaveLength(MAX_PINNED);
    expect(seriesColour(0)).toBe("#0072B2");
    expect(seriesColour(5)).toBe("#D55E00");
    expect(seriesColour(6)).toBe("#0072B2");
  });
});
