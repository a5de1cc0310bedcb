// What the Plan page's Capacity panel shows of the engine's capacity figures
// (MODEL.md §12). The engine computes every figure; this only picks which
// steps to show and names the plan field of each binding limit.

import type { BindingLimit } from "../bindings/BindingLimit";
import type { StepCapacity } from "../bindings/StepCapacity";

/** Whether any step's offering has a rate limit: without one, there is no
 * capacity to show. */
export function hasLimits(steps: readonly StepCapacity[] | null | undefined): boolean {
  return (steps ?? []).some((s) => s.binding_limit !== null);
}

/** The plan field that sets a binding limit, as the engine names it
 * (`BindingLimit::field`), so the panel points at the box to edit. */
export function limitField(kind: BindingLimit): "rpm_limit" | "input_tpm_limit" | "output_tpm_limit" {
  switch (kind) {
    case "rpm":
      return "rpm_limit";
    case "input_tpm":
      return "input_tpm_limit";
    case "output_tpm":
      return "output_tpm_limit";
  }
}

/** A step's name in the panel: "default 2." with its offering beside it. */
export function stepKey(s: StepCapacity): string {
  return `${s.route}-${s.step}`;
}
