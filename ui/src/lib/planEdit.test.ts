import { describe, expect, it } from "vitest";
import type { PlanFile } from "../bindings/PlanFile";
import {
  addRoute,
  addStep,
  moveStep,
  offeringChoices,
  offeringPath,
  offeringValue,
  removeStep,
  setOfferingFigure,
  setStep,
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
