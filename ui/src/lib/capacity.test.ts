import { describe, expect, it } from "vitest";
import type { StepCapacity } from "../bindings/StepCapacity";
import { hasLimits, limitField, stepKey } from "./capacity";

function step(binding: StepCapacity["binding_limit"]): StepCapacity {
  return {
    route: "default",
    step: 1,
    offering: "a/x",
    offered_rpm_peak: 10,
    binding_limit: binding,
    limit_rpm: binding ? 20 : null,
    headroom_peak: binding ? 0.5 : null,
    rejected_share_peak: 0,
    rejected_share_day: 0,
    offered_rpm_upstream_outage: null,
    rejected_share_upstream_outage: null,
    availability_upstream_outage: null,
    served_share_peak: 1,
    offered_rpm_by_hour: new Array(24).fill(10),
  };
}

describe("capacity", () => {
  it("is shown only when some offering has a limit", () => {
    expect(hasLimits([step(null), step(null)])).toBe(false);
    expect(hasLimits([step(null), step("rpm")])).toBe(true);
    expect(hasLimits([])).toBe(false);
    expect(hasLimits(null)).toBe(false);
  });
  it("names each binding limit by its plan field", () => {
    expect(limitField("rpm")).toBe("rpm_limit");
    expect(limitField("input_tpm")).toBe("input_tpm_limit");
    expect(limitField("output_tpm")).toBe("output_tpm_limit");
  });
  it("keys a step by route and position", () => {
    expect(stepKey(step("rpm"))).toBe("default-1");
  });
});
