// Typed calls of the app's commands. The argument and result types are
// generated from the Rust types (src/bindings, by ts-rs), so a change on one
// side that the other does not follow fails to compile.

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { AppError } from "../bindings/AppError";
import type { CatalogRow } from "../bindings/CatalogRow";
import type { ChartOptions } from "../bindings/ChartOptions";
import type { ChartView } from "../bindings/ChartView";
import type { CompareOptions } from "../bindings/CompareOptions";
import type { ComparisonView } from "../bindings/ComparisonView";
import type { Defaults } from "../bindings/Defaults";
import type { ExportView } from "../bindings/ExportView";
import type { Gateway } from "../bindings/Gateway";
import type { FigureSource } from "../bindings/FigureSource";
import type { FrontierPoint } from "../bindings/FrontierPoint";
import type { GroupHistory } from "../bindings/GroupHistory";
import type { HistoryImportOptions } from "../bindings/HistoryImportOptions";
import type { HistoryImportReport } from "../bindings/HistoryImportReport";
import type { ImportOptions } from "../bindings/ImportOptions";
import type { ImportReport } from "../bindings/ImportReport";
import type { JobProgress } from "../bindings/JobProgress";
import type { Pinned } from "../bindings/Pinned";
import type { PlanChart } from "../bindings/PlanChart";
import type { PlanDocument } from "../bindings/PlanDocument";
import type { PlanReport } from "../bindings/PlanReport";
import type { PlanView } from "../bindings/PlanView";
import type { ProbeRunOptions } from "../bindings/ProbeRunOptions";
import type { ProbeEvent } from "../bindings/ProbeEvent";
import type { ProbeRun } from "../bindings/ProbeRun";
import type { PlanFile } from "../bindings/PlanFile";
import type { RefreshCheck } from "../bindings/RefreshCheck";
import type { RefreshOptions } from "../bindings/RefreshOptions";
import type { SearchOptions } from "../bindings/SearchOptions";
import type { SearchView } from "../bindings/SearchView";
import type { SimOptions } from "../bindings/SimOptions";
import type { TcoView } from "../bindings/TcoView";
import type { TextFormat } from "../bindings/TextFormat";
import type { UsageImportReport } from "../bindings/UsageImportReport";
import type { UsageImportRequest } from "../bindings/UsageImportRequest";
import type { PostgresImportRequest } from "../bindings/PostgresImportRequest";
import type { UsageCostRequest } from "../bindings/UsageCostRequest";
import type { CostReport } from "../bindings/CostReport";
import type { UsageWorkload } from "../bindings/UsageWorkload";
import type { WorkloadRequest } from "../bindings/WorkloadRequest";

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
  appDefaults: () => invoke<Defaults>("app_defaults"),
  /** One edit: the exact view now; the simulated report follows as a
   * `plan-report` event numbered `edit` (see onPlanReport). */
  planEdit: (plan: PlanFile, options: SimOptions, job: string, edit: number) =>
    invoke<PlanView>("plan_edit", { plan, options, job, edit }),
  planChart: (plan: PlanFile, kind: PlanChart, options: ChartOptions, job: string) =>
    invoke<ChartView>("plan_chart", { plan, kind, options, job }),
  cancelJob: (job: string) => invoke<boolean>("cancel_job", { job }),
  tcoOfPlan: (plan: PlanFile) => invoke<TcoView>("tco_of_plan", { plan }),
  catalogList: () => invoke<CatalogRow[]>("catalog_list"),
  catalogOffering: (id: string) => invoke<FigureSource[]>("catalog_offering", { id }),
  catalogSet: (id: string, field: string, value: string) => invoke<null>("catalog_set", { id, field, value }),
  catalogReset: (id: string, field: string | null) => invoke<null>("catalog_reset", { id, field }),
  catalogImport: (path: string, options: ImportOptions, job: string) =>
    invoke<ImportReport>("catalog_import", { path, options, job }),
  /** Downloads a price list (`url`, or the format's default when null) and
   * shows what it would change; writes nothing. */
  catalogRefreshCheck: (url: string | null, options: RefreshOptions, job: string) =>
    invoke<RefreshCheck>("catalog_refresh_check", { url, options, job }),
  /** Writes exactly the check of `token` (never a new download). */
  catalogRefreshWrite: (token: string, job: string) => invoke<ImportReport>("catalog_refresh_write", { token, job }),
  catalogRefreshDiscard: (token: string) => invoke<boolean>("catalog_refresh_discard", { token }),
  historyList: () => invoke<GroupHistory[]>("history_list"),
  historyImport: (path: string, options: HistoryImportOptions, job: string) =>
    invoke<HistoryImportReport>("history_import", { path, options, job }),
  /** Reads a usage log into the catalog as a job (progress, cancel). */
  usageImport: (path: string, options: UsageImportRequest, job: string) =>
    invoke<UsageImportReport>("usage_import", { path, options, job }),
  /** Reads LiteLLM's spend logs from the proxy's PostgreSQL as a job; the
   * request names the environment variable with the connection string. */
  usageImportPostgres: (request: PostgresImportRequest, job: string) =>
    invoke<UsageImportReport>("usage_import_postgres", { request, job }),
  /** The workload the stored usage measures, and the [workload] made of it. */
  usageWorkload: (request: WorkloadRequest) => invoke<UsageWorkload>("usage_workload", { request }),
  /** What the stored traffic would have cost on `plan`, or at each model's
   * own catalog prices when `plan` is null (`usage cost --stored`). */
  usageCost: (plan: PlanFile | null, request: UsageCostRequest) => invoke<CostReport>("usage_cost", { plan, request }),
  probeStart: (offerings: string[], caps: ProbeRunOptions, job: string) =>
    invoke<ProbeRun>("probe_start", { offerings, caps, job }),
  probeChart: (offerings: string[]) => invoke<ChartView>("probe_chart", { offerings }),
  searchPlan: (plan: PlanFile, options: SearchOptions, job: string) =>
    invoke<SearchView>("search_plan", { plan, options, job }),
  exportPreview: (plan: PlanFile, gateway: Gateway) => invoke<ExportView>("export_preview", { plan, gateway }),
  exportSave: (plan: PlanFile, gateway: Gateway, path: string, force: boolean) =>
    invoke<null>("export_save", { plan, gateway, path, force }),
  /** The pinned plans side by side and their four charts; `search` is the
   * last search's frontier, drawn behind the cost-against-availability chart. */
  comparePlans: (pinned: Pinned[], options: CompareOptions, search: FrontierPoint[], job: string) =>
    invoke<ComparisonView>("compare_plans", { pinned, options, search, job }),
  /** Writes the self-contained HTML report of the pinned plans (one or more) to `path`. */
  exportReport: (pinned: Pinned[], options: CompareOptions, search: FrontierPoint[], path: string, job: string) =>
    invoke<null>("export_report", { pinned, options, search, path, job }),
  uiReady: () => invoke<null>("ui_ready"),
};

export function onProgress(handler: (p: JobProgress) => void): Promise<UnlistenFn> {
  return listen<JobProgress>("job-progress", (event) => handler(event.payload));
}

export function onProbeResult(handler: (p: ProbeEvent) => void): Promise<UnlistenFn> {
  return listen<ProbeEvent>("probe-result", (event) => handler(event.payload));
}

export function onPlanReport(handler: (r: PlanReport) => void): Promise<UnlistenFn> {
  return listen<PlanReport>("plan-report", (event) => handler(event.payload));
}

let defaultsOnce: Promise<Defaults> | null = null;

/** Every job's defaults, as the engine defines them (asked once). */
export function defaults(): Promise<Defaults> {
  defaultsOnce ??= api.appDefaults().catch((e) => {
    defaultsOnce = null;
    throw e;
  });
  return defaultsOnce;
}
