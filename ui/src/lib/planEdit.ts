// Edits of a plan as the Plan page makes them. Each returns a new plan and
// leaves the old one untouched, so the page can compare and undo.

import type { OfferingSpec } from "../bindings/OfferingSpec";
import type { PlanFile } from "../bindings/PlanFile";
import type { StepSpec } from "../bindings/StepSpec";
import type { WorkloadSpec } from "../bindings/WorkloadSpec";

/** A deep copy. Plans are plain JSON; a JSON round trip also copies Svelte's
 * reactive proxies, which structuredClone refuses. */
export function clone(plan: PlanFile): PlanFile {
  return JSON.parse(JSON.stringify(plan)) as PlanFile;
}

/** Moves step `from` of route `route` to position `to` (clamped). */
export function moveStep(plan: PlanFile, route: number, from: number, to: number): PlanFile {
  const next = clone(plan);
  const steps = (next.routes ??= [])[route]?.steps;
  if (!steps || from < 0 || from >= steps.length) return next;
  const target = Math.max(0, Math.min(steps.length - 1, to));
  const [step] = steps.splice(from, 1);
  steps.splice(target, 0, step);
  return next;
}

/** Adds a step on `offering` at the end of route `route`. The timeout starts
 * at the route's last timeout, or 10 s. */
export function addStep(plan: PlanFile, route: number, offering: string): PlanFile {
  const next = clone(plan);
  const steps = (next.routes ??= [])[route]?.steps;
  if (!steps) return next;
  const last = steps[steps.length - 1];
  const step: StepSpec = {
    offering,
    attempts: null,
    timeout_ms: last ? last.timeout_ms : 10000,
    backoff_ms: null,
  };
  steps.push(step);
  return next;
}

export function removeStep(plan: PlanFile, route: number, index: number): PlanFile {
  const next = clone(plan);
  (next.routes ??= [])[route]?.steps.splice(index, 1);
  return next;
}

/** Adds a route with one step; shares are left to the user. */
export function addRoute(plan: PlanFile, offering: string): PlanFile {
  const next = clone(plan);
  const names = new Set((next.routes ??= []).map((r) => r.name));
  let n = (next.routes ??= []).length + 1;
  while (names.has(`route-${n}`)) n += 1;
  (next.routes ??= []).push({
    name: `route-${n}`,
    share: null,
    steps: [{ offering, attempts: null, timeout_ms: 10000, backoff_ms: null }],
  });
  return next;
}

export function removeRoute(plan: PlanFile, route: number): PlanFile {
  const next = clone(plan);
  (next.routes ??= []).splice(route, 1);
  return next;
}

/** Sets one field of one step; `null` removes an optional field. */
export function setStep<K extends keyof StepSpec>(
  plan: PlanFile,
  route: number,
  index: number,
  field: K,
  value: StepSpec[K],
): PlanFile {
  const next = clone(plan);
  const step = (next.routes ??= [])[route]?.steps[index];
  if (step) step[field] = value;
  return next;
}

/** The field path the engine uses in its messages, e.g. `routes[0].steps[1].timeout_ms`. */
export function stepPath(route: number, index: number, field: keyof StepSpec): string {
  return `routes[${route}].steps[${index}].${field}`;
}

/** The offerings a step may use: the plan's own and the catalog's, sorted, once each. */
export function offeringChoices(plan: PlanFile, catalogIds: string[]): string[] {
  return [...new Set([...(plan.offerings ?? []).map((o) => o.id), ...catalogIds])].sort();
}

/** The offering figures the Plan page lets a user change for a what-if. */
export const OFFERING_FIGURES = [
  { field: "availability", label: "Availability", unit: "0–1" },
  { field: "mttr_minutes", label: "Mean time to repair", unit: "min" },
  { field: "error_rate", label: "Error rate", unit: "0–1" },
  { field: "ttft_p50_ms", label: "TTFT p50", unit: "ms" },
  { field: "ttft_p95_ms", label: "TTFT p95", unit: "ms" },
  { field: "tokens_per_s", label: "Speed", unit: "tokens/s" },
  { field: "input_per_mtok", label: "Input price", unit: "$/Mtok" },
  { field: "output_per_mtok", label: "Output price", unit: "$/Mtok" },
  // The provider's rate limits (MODEL.md §12): empty means no limit.
  { field: "rpm_limit", label: "Request limit", unit: "requests/min" },
  { field: "input_tpm_limit", label: "Input token limit", unit: "tokens/min" },
  { field: "output_tpm_limit", label: "Output token limit", unit: "tokens/min" },
] as const satisfies readonly { field: keyof OfferingSpec; label: string; unit: string }[];

export type OfferingFigure = (typeof OFFERING_FIGURES)[number]["field"];

/** The offerings the routes use, in order of first use, once each. */
export function usedOfferings(plan: PlanFile): string[] {
  return [...new Set((plan.routes ?? []).flatMap((r) => r.steps.map((s) => s.offering)))];
}

/** The plan's own value of `field` for offering `id`, if it sets one. */
export function offeringValue(plan: PlanFile, id: string, field: OfferingFigure): number | null {
  return plan.offerings?.find((o) => o.id === id)?.[field] ?? null;
}

/** Sets one figure of offering `id` in the plan. An offering the plan does not
 * define gets an inline entry holding just that figure, which the engine lays
 * over the catalog's (an override for this plan only, the catalog untouched).
 * `null` removes the plan's value, so the catalog's applies again; an entry
 * left with nothing but its id is removed. */
export function setOfferingFigure(plan: PlanFile, id: string, field: OfferingFigure, value: number | null): PlanFile {
  const next = clone(plan);
  const offerings = (next.offerings ??= []);
  let entry = offerings.find((o) => o.id === id);
  if (!entry) {
    if (value === null) return next;
    entry = { id };
    offerings.push(entry);
  }
  if (value === null) delete entry[field];
  else entry[field] = value;
  const meaningful = Object.entries(entry).some(([k, v]) => k !== "id" && v !== null && v !== undefined);
  if (!meaningful) next.offerings = offerings.filter((o) => o !== entry);
  return next;
}

/** The engine's path of an offering figure, e.g. `offerings[1].availability`,
 * or null when the plan does not define the offering. */
export function offeringPath(plan: PlanFile, id: string, field: OfferingFigure): string | null {
  const index = (plan.offerings ?? []).findIndex((o) => o.id === id);
  return index < 0 ? null : `offerings[${index}].${field}`;
}

/** The engine's path of the workload's traffic shape. */
export const SHAPE_PATH = "workload.hourly_shape";

/** The traffic shape as the box shows it: the weights, comma-separated. */
export function shapeText(shape: number[] | null | undefined): string {
  return shape ? shape.join(", ") : "";
}

/** The weights typed in the shape box, separated by commas or spaces; an
 * empty box is no shape (a flat day). Only what is not a number is refused
 * here: how many weights there must be and their range are the engine's to
 * check, and its words name the field. */
export function parseShape(text: string): { shape: number[] | null } | { problem: string } {
  const parts = text.split(/[\s,;]+/).filter((p) => p !== "");
  if (parts.length === 0) return { shape: null };
  const shape: number[] = [];
  for (const part of parts) {
    const n = Number(part.replace(/_/g, ""));
    if (!Number.isFinite(n)) return { problem: `"${part}" is not a number` };
    shape.push(n);
  }
  return { shape };
}

/** The engine's complaint about the traffic shape: about the whole list, or
 * about one hour's weight (`workload.hourly_shape[3]`), named by its hour. */
export function shapeProblem(problems: Map<string, string>): string | undefined {
  const whole = problems.get(SHAPE_PATH);
  if (whole) return whole;
  for (const [field, reason] of problems) {
    const hour = field.match(/^workload\.hourly_shape\[(\d+)\]$/);
    if (hour) return `${hour[1].padStart(2, "0")}:00 UTC: ${reason}`;
  }
  return undefined;
}

/** Sets the traffic shape; `null` removes it (a flat day). */
export function setShape(plan: PlanFile, shape: number[] | null): PlanFile {
  const next = clone(plan);
  if (shape === null) delete next.workload.hourly_shape;
  else next.workload.hourly_shape = shape;
  return next;
}

/** The plan with the workload measured from a usage log (its volume, tokens,
 * cached share and day's shape); what a log cannot tell (the latency budget,
 * fixed costs, the peak-minute factor) stays as the plan had it. */
export function applyMeasured(plan: PlanFile, measured: WorkloadSpec): PlanFile {
  const next = clone(plan);
  next.workload = {
    ...measured,
    latency_budget_ms: plan.workload.latency_budget_ms,
    fixed_monthly_usd: plan.workload.fixed_monthly_usd,
    peak_minute_factor: plan.workload.peak_minute_factor,
  };
  return next;
}
