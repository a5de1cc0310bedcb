// Edits of a plan's `[tco]` section as the TCO page makes them. Each returns
// a new plan and leaves the old one untouched, as planEdit's do.

import type { EngineeringSpec } from "../bindings/EngineeringSpec";
import type { PlanFile } from "../bindings/PlanFile";
import type { SelfHostedSpec } from "../bindings/SelfHostedSpec";
import type { TcoSpec } from "../bindings/TcoSpec";
import { clone } from "./planEdit";

/** A number of `[tco]` by its path under `tco`, as the engine names it in
 * its problems: `horizon_months`, `api.integration_hours`, `self_hosted.pue`. */
export type TcoKey =
  | Exclude<keyof TcoSpec, "api" | "self_hosted">
  | `api.${keyof EngineeringSpec}`
  | `self_hosted.${keyof SelfHostedSpec}`;

/** One input of the TCO form. */
export interface TcoField {
  key: TcoKey;
  label: string;
  unit: string;
  /** The plan file cannot leave it out (not an Option in TcoSpec). */
  required?: boolean;
  /** The engine's value when the plan gives none (TcoSpec's doc comments,
   * PLAN_FORMAT.md). Neither this nor `required`: the engine asks for it
   * depending on other fields (the GPU's price). */
  fallback?: number;
  /** A count (u32 in the plan). */
  whole?: boolean;
}

export const HORIZON_FIELDS: readonly TcoField[] = [
  { key: "horizon_months", label: "Horizon", unit: "months", required: true, whole: true },
  { key: "monthly_growth", label: "Monthly growth", unit: "0.05 = 5%", fallback: 0 },
  { key: "peak_to_mean", label: "Peak to mean", unit: "ratio", fallback: 2 },
];

export const LABOUR_FIELDS: readonly TcoField[] = [
  { key: "engineering_usd_per_hour", label: "Engineering rate", unit: "$/h", required: true },
];

export const API_FIELDS: readonly TcoField[] = [
  { key: "gateway_usd_per_month", label: "Gateway hosting", unit: "$/month", fallback: 0 },
  { key: "api.integration_hours", label: "API integration", unit: "h", fallback: 0 },
  { key: "api.upkeep_hours_per_month", label: "API upkeep", unit: "h/month", fallback: 0 },
];

export const GPU_FIELDS: readonly TcoField[] = [
  { key: "self_hosted.tokens_per_s_per_gpu", label: "Output per GPU", unit: "tokens/s", required: true },
  { key: "self_hosted.utilisation_target", label: "Utilisation target", unit: "0–1", fallback: 0.6 },
];

/** The fields of rented GPUs only. */
export const RENT_FIELDS: readonly TcoField[] = [
  { key: "self_hosted.gpu_usd_per_hour", label: "GPU rent", unit: "$/h per GPU" },
];

/** The fields of owned GPUs only. */
export const OWN_FIELDS: readonly TcoField[] = [
  { key: "self_hosted.gpu_purchase_usd", label: "Purchase price", unit: "$ per GPU" },
  { key: "self_hosted.amortisation_months", label: "Amortisation", unit: "months" },
  { key: "self_hosted.power_kw", label: "Power", unit: "kW per GPU", fallback: 0 },
  { key: "self_hosted.pue", label: "PUE", unit: "ratio", fallback: 1.4 },
  { key: "self_hosted.usd_per_kwh", label: "Electricity", unit: "$/kWh", fallback: 0 },
];

export const REPLICA_FIELDS: readonly TcoField[] = [
  { key: "self_hosted.spare_replicas", label: "Spare replicas", unit: "GPUs", fallback: 1, whole: true },
  { key: "self_hosted.replica_availability", label: "Replica availability", unit: "0–1", fallback: 0.99 },
];

export const RUNNING_FIELDS: readonly TcoField[] = [
  { key: "self_hosted.operations_usd_per_month", label: "Operations", unit: "$/month", fallback: 0 },
  { key: "self_hosted.integration_hours", label: "Self-hosted integration", unit: "h", fallback: 0 },
  { key: "self_hosted.upkeep_hours_per_month", label: "Self-hosted upkeep", unit: "h/month", fallback: 0 },
];

/** The engine's path of a field in its problems, e.g. `tco.self_hosted.pue`. */
export function tcoPath(key: TcoKey): string {
  return `tco.${key}`;
}

type Numbers = Record<string, number | null | undefined>;

/** The object that holds `key`'s number, and the number's name in it. */
function holder(tco: TcoSpec, key: TcoKey): [Numbers | null | undefined, string] {
  const [first, name] = key.split(".");
  if (name === undefined) return [tco as unknown as Numbers, first];
  return [(first === "api" ? tco.api : tco.self_hosted) as Numbers | null | undefined, name];
}

/** The plan's own value of `key`, or null when it sets none. */
export function tcoValue(plan: PlanFile, key: TcoKey): number | null {
  if (!plan.tco) return null;
  const [numbers, name] = holder(plan.tco, key);
  return numbers?.[name] ?? null;
}

/** Sets one number of `[tco]`; `null` removes it, so the engine's default
 * applies again (only optional fields are ever emptied). A `[tco.api]` left
 * with nothing in it is removed. A plan without `[tco]` is returned as is. */
export function setTcoField(plan: PlanFile, key: TcoKey, value: number | null): PlanFile {
  const next = clone(plan);
  const tco = next.tco;
  if (!tco) return next;
  if (key.startsWith("api.")) tco.api ??= {};
  const [numbers, name] = holder(tco, key);
  if (!numbers) return next;
  if (value === null) delete numbers[name];
  else numbers[name] = value;
  if (tco.api && Object.values(tco.api).every((v) => v === null || v === undefined)) delete tco.api;
  return next;
}

export type GpuPayment = "rent" | "own";

const isSet = (plan: PlanFile, fields: readonly TcoField[]) => fields.some((f) => tcoValue(plan, f.key) !== null);

/** How the plan pays for its GPUs, or null when it cannot tell: no price
 * yet (just switched), or both kinds (a hand-edited file the engine refuses). */
export function gpuPayment(plan: PlanFile): GpuPayment | null {
  const rent = isSet(plan, RENT_FIELDS);
  const own = isSet(plan, OWN_FIELDS);
  if (rent === own) return null;
  return rent ? "rent" : "own";
}

/** Switches between rented and owned GPUs: the other kind's fields are
 * cleared, since the engine takes one kind only. The new kind's prices are
 * left for the user to type; until then the engine says what is missing. */
export function setGpuPayment(plan: PlanFile, payment: GpuPayment): PlanFile {
  const other = payment === "rent" ? OWN_FIELDS : RENT_FIELDS;
  return other.reduce((next, f) => setTcoField(next, f.key, null), plan);
}

/** The section "Add a TCO section" starts from, the minimal one of
 * PLAN_FORMAT.md: a 24-month horizon, engineering at $150/h, and a GPU
 * serving 2,400 output tokens/s rented at $2.50/h. These are placeholders
 * for the user to replace with their own figures, not results or advice;
 * every other field takes the engine's default. */
export function startingTco(): TcoSpec {
  return {
    horizon_months: 24,
    engineering_usd_per_hour: 150,
    self_hosted: { tokens_per_s_per_gpu: 2400, gpu_usd_per_hour: 2.5 },
  };
}

/** Adds the starting `[tco]` section; a plan that has one keeps it. */
export function addTco(plan: PlanFile): PlanFile {
  const next = clone(plan);
  next.tco ??= startingTco();
  return next;
}
