// The preferences against an in-memory stand-in for tauri-plugin-store.
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { PlanFile } from "../bindings/PlanFile";

const stored = new Map<string, unknown>();

vi.mock("@tauri-apps/plugin-store", () => ({
  load: async () => ({
    // A copy each way, as the store's JSON file would make.
    get: async (key: string) => (stored.has(key) ? JSON.parse(JSON.stringify(stored.get(key))) : undefined),
    set: async (key: string, value: unknown) => void stored.set(key, JSON.parse(JSON.stringify(value))),
  }),
}));

const { loadPrefs, savePref } = await import("./prefs");
const { EMPTY_SET } = await import("./pinned");

const plan: PlanFile = {
  workload: { requests_per_month: 1000, input_tokens: 100, output_tokens: 10, cached_input_share: null, latency_budget_ms: null, fixed_monthly_usd: null },
  routes: [{ name: "default", share: null, steps: [{ offering: "a/x", attempts: 2, timeout_ms: 5000, backoff_ms: null }] }],
};

describe("the pinned set in the preferences", () => {
  beforeEach(() => stored.clear());

  it("is empty on a first start", async () => {
    expect((await loadPrefs()).pinned).toEqual(EMPTY_SET);
  });

  it("comes back as it was saved", async () => {
    await loadPrefs();
    const pinned = {
      items: [
        { label: "today", file: "/p/today.toml", plan },
        { label: "what-if 1", file: null, plan: { ...plan, target: { availability: 0.999 } } },
      ],
      baseline: 1,
    };
    await savePref("pinned", pinned);
    const prefs = await loadPrefs();
    expect(prefs.pinned).toEqual(pinned);
    expect(prefs.theme).toBe("light");
  });

  it("is ignored when what is stored is not a pinned set, and the rest still loads", async () => {
    stored.set("theme", "dark");
    stored.set("pinned", { items: [{ label: "x" }], baseline: "first" });
    const prefs = await loadPrefs();
    expect(prefs.pinned).toEqual(EMPTY_SET);
    expect(prefs.theme).toBe("dark");
    stored.set("pinned", "garbage");
    expect((await loadPrefs()).pinned).toEqual(EMPTY_SET);
  });
});
