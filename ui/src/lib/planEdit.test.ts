import { describe, expect, it } from "vitest";
import type { PlanFile } from "../bindings/PlanFile";
import {
  addRoute,
  addStep,
  applyMeasured,
  moveStep,
  offeringChoices,
  offeringPath,
  offeringValue,
  parseShape,
  removeStep,
  SHAPE_PATH,
  setOfferingFigure,
  setShape,
  setStep,
  shapeProblem,
  shapeText,
  stepPath,
  usedOfferings,
} from "./planEdit";

function plan(): PlanFile {
  return {
    workload: {
      requests_per_month: 1000,
      input_tokens: 100,
      output_tokens: 10,
      cached_input_share: null,
      latency_budget_ms: null,
      fixed_monthly_usd: null,
    },
    target: null,
    offerings: [{ id: "a/x" }],
    groups: [],
    routes: [
      {
        name: "default",
        share: null,
        steps: [
          { offering: "a/x", attempts: 2, timeout_ms: 5000, backoff_ms: null },
          { offering: "b/y", attempts: null, timeout_ms: 8000, backoff_ms: null },
          { offering: "c/z", attempts: null, timeout_ms: 9000, backoff_ms: null },
        ],
      },
    ],
    tco: null,
  };
}

const routes = (p: PlanFile) => p.routes ?? [];
const order = (p: PlanFile) => routes(p)[0].steps.map((s) => s.offering);

describe("moveStep", () => {
  it("moves a step and keeps the others in order", () => {
    expect(order(moveStep(plan(), 0, 2, 0))).toEqual(["c/z", "a/x", "b/y"]);
    expect(order(moveStep(plan(), 0, 0, 1))).toEqual(["b/y", "a/x", "c/z"]);
  });
  it("clamps the target and ignores a bad source", () => {
    expect(order(moveStep(plan(), 0, 0, 99))).toEqual(["b/y", "c/z", "a/x"]);
    expect(order(moveStep(plan(), 0, 7, 0))).toEqual(["a/x", "b/y", "c/z"]);
  });
  it("does not touch the plan it was given", () => {
    const p = plan();
    moveStep(p, 0, 2, 0);
    expect(order(p)).toEqual(["a/x", "b/y", "c/z"]);
  });
});

describe("other edits", () => {
  it("adds a step with the last timeout", () => {
    const p = addStep(plan(), 0, "d/w");
    expect(routes(p)[0].steps[3]).toEqual({ offering: "d/w", attempts: null, timeout_ms: 9000, backoff_ms: null });
  });
  it("removes a step", () => {
    expect(order(removeStep(plan(), 0, 1))).toEqual(["a/x", "c/z"]);
  });
  it("sets one field", () => {
    expect(routes(setStep(plan(), 0, 1, "timeout_ms", 2000))[0].steps[1].timeout_ms).toBe(2000);
  });
  it("adds a route with a fresh name", () => {
    const p = addRoute(addRoute(plan(), "a/x"), "b/y");
    expect(routes(p).map((r) => r.name)).toEqual(["default", "route-2", "route-3"]);
  });
  it("names fields as the engine does", () => {
    expect(stepPath(0, 1, "timeout_ms")).toBe("routes[0].steps[1].timeout_ms");
  });
  it("offers each offering once, sorted", () => {
    expect(offeringChoices(plan(), ["b/y", "a/x"])).toEqual(["a/x", "b/y"]);
  });
});

describe("offering figures", () => {
  it("lists the offerings the routes use, in order, once", () => {
    const p = addRoute(plan(), "b/y");
    expect(usedOfferings(p)).toEqual(["a/x", "b/y", "c/z"]);
  });
  it("sets a figure on an offering the plan defines", () => {
    const p = setOfferingFigure(plan(), "a/x", "availability", 0.99);
    expect(p.offerings).toEqual([{ id: "a/x", availability: 0.99 }]);
    expect(offeringValue(p, "a/x", "availability")).toBe(0.99);
    expect(offeringPath(p, "a/x", "availability")).toBe("offerings[0].availability");
  });
  it("overrides a catalog offering with an entry holding just that figure", () => {
    const p = setOfferingFigure(plan(), "b/y", "ttft_p95_ms", 2500);
    expect(p.offerings).toEqual([{ id: "a/x" }, { id: "b/y", ttft_p95_ms: 2500 }]);
    expect(offeringValue(p, "b/y", "availability")).toBeNull();
    expect(offeringPath(p, "b/y", "ttft_p95_ms")).toBe("offerings[1].ttft_p95_ms");
    expect(offeringPath(p, "c/z", "ttft_p95_ms")).toBeNull();
  });
  it("clearing the last figure of an override removes the entry, so the catalog applies again", () => {
    const set = setOfferingFigure(plan(), "b/y", "error_rate", 0.05);
    const cleared = setOfferingFigure(set, "b/y", "error_rate", null);
    expect(cleared.offerings).toEqual([{ id: "a/x" }]);
    expect(setOfferingFigure(plan(), "c/z", "error_rate", null).offerings).toEqual([{ id: "a/x" }]);
  });
  it("clearing one figure keeps the others", () => {
    let p = setOfferingFigure(plan(), "b/y", "error_rate", 0.05);
    p = setOfferingFigure(p, "b/y", "availability", 0.999);
    p = setOfferingFigure(p, "b/y", "error_rate", null);
    expect(p.offerings?.[1]).toEqual({ id: "b/y", availability: 0.999 });
  });
  it("does not touch the plan it was given", () => {
    const p = plan();
    setOfferingFigure(p, "a/x", "availability", 0.5);
    expect(p.offerings).toEqual([{ id: "a/x" }]);
  });
});

describe("traffic shape", () => {
  it("reads weights separated by commas or spaces", () => {
    expect(parseShape("3, 2,2 4\n5;6")).toEqual({ shape: [3, 2, 2, 4, 5, 6] });
    expect(parseShape("1_000, 0.5")).toEqual({ shape: [1000, 0.5] });
  });
  it("an empty box is no shape, so the day is flat", () => {
    expect(parseShape("  ")).toEqual({ shape: null });
  });
  it("names what is not a number, and leaves the count to the engine", () => {
    expect(parseShape("1, two, 3")).toEqual({ problem: '"two" is not a number' });
    expect(parseShape("1, 2")).toEqual({ shape: [1, 2] });
  });
  it("shows the weights as they are typed back", () => {
    expect(shapeText([3, 2.5, 0])).toBe("3, 2.5, 0");
    expect(shapeText(null)).toBe("");
    const shape = [1, 2, 3];
    expect(parseShape(shapeText(shape))).toEqual({ shape });
  });
  it("sets and removes the shape without touching the plan it was given", () => {
    const p = plan();
    const shaped = setShape(p, [1, 2]);
    expect(shaped.workload.hourly_shape).toEqual([1, 2]);
    expect(p.workload.hourly_shape).toBeUndefined();
    expect("hourly_shape" in setShape(shaped, null).workload).toBe(false);
  });
  it("shows the engine's problem with the shape, or with one hour's weight", () => {
    expect(shapeProblem(new Map([[SHAPE_PATH, "needs 24 weights, not 2"]]))).toBe("needs 24 weights, not 2");
    expect(shapeProblem(new Map([["workload.hourly_shape[3]", "must be at least 0"]]))).toBe("03:00 UTC: must be at least 0");
    expect(shapeProblem(new Map([["workload.input_tokens", "x"]]))).toBeUndefined();
  });
});

describe("rate limits", () => {
  it("are offering figures set and cleared like the others", () => {
    const p = setOfferingFigure(plan(), "a/x", "rpm_limit", 600);
    expect(offeringValue(p, "a/x", "rpm_limit")).toBe(600);
    expect(offeringPath(p, "a/x", "output_tpm_limit")).toBe("offerings[0].output_tpm_limit");
    expect(offeringValue(setOfferingFigure(p, "a/x", "rpm_limit", null), "a/x", "rpm_limit")).toBeNull();
  });
});

describe("applyMeasured", () => {
  it("takes what the log measured and keeps what a log cannot tell", () => {
    const p = plan();
    p.workload.latency_budget_ms = 6000;
    p.workload.fixed_monthly_usd = 50;
    p.workload.peak_minute_factor = 2;
    const next = applyMeasured(p, {
      requests_per_month: 2_400_000,
      input_tokens: { values: [300, 250_000], weights: [99, 1] },
      output_tokens: 180,
      cached_input_share: 0.2,
      latency_budget_ms: null,
      fixed_monthly_usd: null,
      hourly_shape: Array.from({ length: 24 }, (_, h) => (h >= 9 && h < 18 ? 2 : 0.5)),
      peak_minute_factor: null,
    });
    expect(next.workload.requests_per_month).toBe(2_400_000);
    expect(next.workload.input_tokens).toEqual({ values: [300, 250_000], weights: [99, 1] });
    expect(next.workload.output_tokens).toBe(180);
    expect(next.workload.cached_input_share).toBe(0.2);
    expect(next.workload.hourly_shape?.[9]).toBe(2);
    expect(next.workload.latency_budget_ms).toBe(6000);
    expect(next.workload.fixed_monthly_usd).toBe(50);
    expect(next.workload.peak_minute_factor).toBe(2);
    // The old plan is untouched.
    expect(p.workload.requests_per_month).toBe(1000);
  });
});
