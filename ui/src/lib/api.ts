// Typed calls of the app's commands. The argument and result types are
// generated from the Rust types (src/bindings, by ts-rs), so a change on one
// side that the other does not follow fails to compile.

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { AppError } from "../bindings/AppError";
import type { CatalogRow } from "../bindings/CatalogRow";
import type { ChartKind } from "../bindings/ChartKind";
import type { ChartView } from "../bindings/ChartView";
import type { ExactView } from "../bindings/ExactView";
import type { ExportView } from "../bindings/ExportView";
import type { Gateway } from "../bindings/Gateway";
import type { FigureSource } from "../bindings/FigureSource";
import type { ImportFormat } from "../bindings/ImportFormat";
import type { ImportReport } from "../bindings/ImportReport";
import type { JobProgress } from "../bindings/JobProgress";
import type { PlanDocument } from "../bindings/PlanDocument";
import type { ProbeCaps } from "../bindings/ProbeCaps";
import type { ProbeEvent } from "../bindings/ProbeEvent";
import type { ProbeRun } from "../bindings/ProbeRun";
import type { PlanFile } from "../bindings/PlanFile";
import type { Report } from "../bindings/Report";
import type { SearchOptions } from "../bindings/SearchOptions";
import type { SearchView } from "../bindings/SearchView";
import type { SimOptions } from "../bindings/SimOptions";
import type { TcoView } from "../bindings/TcoView";
import type { TextFormat } from "../bindings/TextFormat";

/** What the UI shows for any failure: the engine's message, never raw JSON. */
export function errorMessage(e: unknown): string {
  if (typeof e === "string") return e;
  if (e && typeof e === "object" && "message" in e && typeof (e as AppError).message === "string") {
    return (e as AppError).message;
  }
  if (e instanceof Error) return e.message;
  return "Something went wrong, and the app could not say what.";
}

export function isCancelled(e: unknown): boolean {
  return !!e && typeof e === "object" && (e as AppError).code === "cancelled";
}

export function fieldProblems(e: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (e && typeof e === "object" && Array.isArray((e as AppError).problems)) {
    for (const p of (e as AppError).problems) out.set(p.field, p.reason);
  }
  return out;
}

export const api = {
  examplePlan: () => invoke<PlanDocument>("example_plan"),
  openPlan: (path: string) => invoke<PlanDocument>("open_plan", { path }),
  savePlan: (path: string, plan: PlanFile) => invoke<PlanDocument>("save_plan", { path, plan }),
  planText: (plan: PlanFile, format: TextFormat) => invoke<string>("plan_text", { plan, format }),
  exactFigures: (plan: PlanFile) => invoke<ExactView>("exact_figures", { plan }),
  evaluatePlan: (plan: PlanFile, options: SimOptions, job: string) =>
    invoke<Report>("evaluate_plan", { plan, options, job }),
  planChart: (plan: PlanFile, kind: ChartKind, options: SimOptions, job: string) =>
    invoke<ChartView>("plan_chart", { plan, kind, options, job }),
  cancelJob: (job: string) => invoke<boolean>("cancel_job", { job }),
  tcoOfPlan: (plan: PlanFile) => invoke<TcoView>("tco_of_plan", { plan }),
  catalogList: () => invoke<CatalogRow[]>("catalog_list"),
  catalogOffering: (id: string) => invoke<FigureSource[]>("catalog_offering", { id }),
  catalogSet: (id: string, field: string, value: string) => invoke<null>("catalog_set", { id, field, value }),
  catalogReset: (id: string, field: string | null) => invoke<null>("catalog_reset", { id, field }),
  catalogImport: (path: string, format: ImportFormat, job: string) =>
    invoke<ImportReport>("catalog_import", { path, format, job }),
  probeStart: (offerings: string[], caps: ProbeCaps, job: string) =>
    invoke<ProbeRun>("probe_start", { offerings, caps, job }),
  probeChart: (offerings: string[]) => invoke<ChartView>("probe_chart", { offerings }),
  searchPlan: (plan: PlanFile, options: SearchOptions, job: string) =>
    invoke<SearchView>("search_plan", { plan, options, job }),
  exportPreview: (plan: PlanFile, gateway: Gateway) => invoke<ExportView>("export_preview", { plan, gateway }),
  exportSave: (plan: PlanFile, gateway: Gateway, path: string, force: boolean) =>
    invoke<null>("export_save", { plan, gateway, path, force }),
  uiReady: () => invoke<null>("ui_ready"),
};

export function onProgress(handler: (p: JobProgress) => void): Promise<UnlistenFn> {
  return listen<JobProgress>("job-progress", (event) => handler(event.payload));
}

export function onProbeResult(handler: (p: ProbeEvent) => void): Promise<UnlistenFn> {
  return listen<ProbeEvent>("probe-result", (event) => handler(event.payload));
}

/** The CLI's defaults, so the app and `switchyard evaluate` agree. */
export const DEFAULT_SIM: SimOptions = { samples: 1_000_000, seed: 1, months: 10_000, period: "month" };
/** Charts need fewer samples to look the same (the CLI's chart default). */
export const DEFAULT_CAPS: ProbeCaps = {
  count: 5,
  concurrency: 8,
  per_provider: 2,
  max_spend_usd: 0.1,
  max_tokens: null,
  output_tokens: 16,
  timeout_s: 30,
};
export const CHART_SIM: SimOptions = { samples: 200_000, seed: 1, months: 10_000, period: "month" };
