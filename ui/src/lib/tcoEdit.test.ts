import { describe, expect, it } from "vitest";
import type { PlanFile } from "../bindings/PlanFile";
import {
  API_FIELDS,
  GPU_FIELDS,
  HORIZON_FIELDS,
  LABOUR_FIELDS,
  OWN_FIELDS,
  RENT_FIELDS,
  REPLICA_FIELDS,
  RUNNING_FIELDS,
  addTco,
  gpuPayment,
  setGpuPayment,
  setTcoField,
  startingTco,
  tcoPath,
  tcoValue,
} from "./tcoEdit";

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
    routes: [{ name: "default", share: null, steps: [{ offering: "a/x", attempts: null, timeout_ms: 5000, backoff_ms: null }] }],
    tco: {
      horizon_months: 24,
      monthly_growth: 0.05,
      engineering_usd_per_hour: 150,
      api: { integration_hours: 40 },
      self_hosted: { tokens_per_s_per_gpu: 2400, gpu_usd_per_hour: 2.5, spare_replicas: 1 },
    },
  };
}

function withoutTco(): PlanFile {
  const p = plan();
  p.tco = null;
  return p;
}

const owned = () =>
  setTcoField(setTcoField(setGpuPayment(plan(), "own"), "self_hosted.gpu_purchase_usd", 30000), "self_hosted.pue", 1.2);

describe("setTcoField", () => {
  it("sets a number at the top, in [tco.api] and in [tco.self_hosted]", () => {
    let p = setTcoField(plan(), "horizon_months", 36);
    p = setTcoField(p, "api.upkeep_hours_per_month", 8);
    p = setTcoField(p, "self_hosted.gpu_usd_per_hour", 3.1);
    expect(p.tco?.horizon_months).toBe(36);
    expect(p.tco?.api).toEqual({ integration_hours: 40, upkeep_hours_per_month: 8 });
    expect(p.tco?.self_hosted.gpu_usd_per_hour).toBe(3.1);
  });
  it("clears a field back to the engine's default by removing it", () => {
    const p = setTcoField(plan(), "monthly_growth", null);
    expect(p.tco).not.toHaveProperty("monthly_growth");
    expect(tcoValue(p, "monthly_growth")).toBeNull();
    const q = setTcoField(plan(), "self_hosted.spare_replicas", null);
    expect(q.tco?.self_hosted).not.toHaveProperty("spare_replicas");
  });
  it("creates [tco.api] for its first number and removes it with its last", () => {
    const bare = setTcoField(plan(), "api.integration_hours", null);
    expect(bare.tco).not.toHaveProperty("api");
    expect(setTcoField(bare, "api.upkeep_hours_per_month", 4).tco?.api).toEqual({ upkeep_hours_per_month: 4 });
  });
  it("leaves a plan without [tco] as it is", () => {
    expect(setTcoField(withoutTco(), "horizon_months", 12)).toEqual(withoutTco());
  });
  it("does not touch the plan it was given", () => {
    const p = plan();
    setTcoField(p, "self_hosted.gpu_usd_per_hour", 9);
    setTcoField(p, "api.integration_hours", null);
    expect(p).toEqual(plan());
  });
});

describe("tcoValue", () => {
  it("reads the plan's own numbers, and null where it sets none", () => {
    expect(tcoValue(plan(), "horizon_months")).toBe(24);
    expect(tcoValue(plan(), "api.integration_hours")).toBe(40);
    expect(tcoValue(plan(), "api.upkeep_hours_per_month")).toBeNull();
    expect(tcoValue(plan(), "self_hosted.pue")).toBeNull();
    expect(tcoValue(withoutTco(), "horizon_months")).toBeNull();
  });
});

describe("renting or owning GPUs", () => {
  it("reads the kind from the fields the plan sets", () => {
    expect(gpuPayment(plan())).toBe("rent");
    expect(gpuPayment(owned())).toBe("own");
  });
  it("cannot tell with no price yet, or with both kinds", () => {
    expect(gpuPayment(setTcoField(plan(), "self_hosted.gpu_usd_per_hour", null))).toBeNull();
    expect(gpuPayment(setTcoField(plan(), "self_hosted.gpu_purchase_usd", 30000))).toBeNull();
  });
  it("switching to owned clears the rent and keeps the rest", () => {
    const p = setGpuPayment(plan(), "own");
    expect(p.tco?.self_hosted).toEqual({ tokens_per_s_per_gpu: 2400, spare_replicas: 1 });
    expect(p.tco?.horizon_months).toBe(24);
  });
  it("switching to rented clears every owned field", () => {
    const p = setGpuPayment(owned(), "rent");
    expect(p.tco?.self_hosted).toEqual({ tokens_per_s_per_gpu: 2400, spare_replicas: 1 });
  });
  it("switching to the kind already used changes nothing", () => {
    expect(setGpuPayment(plan(), "rent")).toEqual(plan());
  });
});

describe("adding a TCO section", () => {
  it("inserts the starting section into a plan without one", () => {
    const p = addTco(withoutTco());
    expect(p.tco).toEqual(startingTco());
    expect(gpuPayment(p)).toBe("rent");
  });
  it("keeps a section the plan has", () => {
    expect(addTco(plan())).toEqual(plan());
  });
  it("hands out a fresh section each time", () => {
    const a = addTco(withoutTco());
    if (a.tco) a.tco.self_hosted.gpu_usd_per_hour = 99;
    expect(startingTco().self_hosted.gpu_usd_per_hour).toBe(2.5);
  });
});

describe("the form's fields", () => {
  const all = [HORIZON_FIELDS, LABOUR_FIELDS, API_FIELDS, GPU_FIELDS, RENT_FIELDS, OWN_FIELDS, REPLICA_FIELDS, RUNNING_FIELDS].flat();
  it("name every number of [tco] once, with unique labels", () => {
    expect(all.length).toBe(20);
    expect(new Set(all.map((f) => f.key)).size).toBe(all.length);
    expect(new Set(all.map((f) => f.label)).size).toBe(all.length);
  });
  it("are required or have a default, except the GPU prices", () => {
    const neither = all.filter((f) => !f.required && f.fallback === undefined).map((f) => f.key);
    expect(neither).toEqual(["self_hosted.gpu_usd_per_hour", "self_hosted.gpu_purchase_usd", "self_hosted.amortisation_months"]);
  });
  it("are named by the engine's paths", () => {
    expect(tcoPath("self_hosted.pue")).toBe("tco.self_hosted.pue");
    expect(tcoPath("horizon_months")).toBe("tco.horizon_months");
  });
});
