import { describe, expect, it } from "vitest";
import type { PlanFile } from "../bindings/PlanFile";
import { addRoute, addStep, moveStep, offeringChoices, removeStep, setStep, stepPath } from "./planEdit";

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
