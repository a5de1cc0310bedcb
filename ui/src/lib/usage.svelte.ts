// A usage log taken into the plan: chosen (dialog, drop, or File → Import
// usage), imported as a job the footer shows with its Cancel, then measured
// by the engine for the preview, and applied to the plan's workload. One
// instance, shared by the header's button and the Plan page's panel.

import { open } from "@tauri-apps/plugin-dialog";
import { api, errorMessage, isCancelled } from "./api";
import type { UsageFormat } from "../bindings/UsageFormat";
import { guessFormat } from "./usageFormats";
import type { UsageImportReport } from "../bindings/UsageImportReport";
import type { UsageWorkload } from "../bindings/UsageWorkload";
import type { CostReport } from "../bindings/CostReport";
import type { PlanFile } from "../bindings/PlanFile";
import type { Pinned } from "../bindings/Pinned";
import type { UsageCostRequest } from "../bindings/UsageCostRequest";

export const USAGE_JOB = "usage-import";

class UsageImport {
  /** The log chosen and not yet imported. */
  path = $state<string | null>(null);
  format = $state<UsageFormat>("litellm-spend");
  skipBad = $state(false);
  importing = $state(false);
  report = $state<UsageImportReport | null>(null);
  /** The workload measured from what is stored, for the preview. */
  preview = $state<UsageWorkload | null>(null);
  measuring = $state(false);
  error = $state<string | null>(null);
  since = $state("");
  until = $state("");
  /** Asks the Plan page to show the panel (File → Import usage). */
  shown = $state(false);
  /** What the stored traffic of the window would have cost, as the engine
   * priced it: on the open plan, or at the catalog's prices. */
  cost = $state<CostReport | null>(null);
  pricing = $state(false);
  /** LiteLLM's PostgreSQL: the variable holding the connection string (the
   * string itself never passes through the UI) and the range to read. */
  databaseEnv = $state("DATABASE_URL");
  databaseSince = $state("");
  databaseUntil = $state("");

  take(path: string) {
    this.path = path;
    this.format = guessFormat(path);
    this.error = null;
    this.shown = true;
  }

  async choose() {
    this.shown = true;
    const chosen = await open({
      multiple: false,
      directory: false,
      filters: [{ name: "Usage logs", extensions: ["csv", "jsonl", "ndjson", "json"] }],
    });
    if (typeof chosen === "string") this.take(chosen);
  }

  async run() {
    if (!this.path) return;
    this.importing = true;
    this.error = null;
    try {
      this.report = await api.usageImport(this.path, { format: this.format, skip_bad: this.skipBad, replace: false }, USAGE_JOB);
      this.path = null;
      await this.measure();
    } catch (e) {
      this.error = isCancelled(e) ? "import cancelled; nothing was written" : errorMessage(e);
    } finally {
      this.importing = false;
    }
  }

  /** Imports LiteLLM's spend logs straight from the proxy's database, as
   * a job like a file's import. */
  async runDatabase() {
    this.importing = true;
    this.error = null;
    try {
      this.report = await api.usageImportPostgres(
        {
          url_env: this.databaseEnv.trim(),
          since: this.databaseSince.trim() || null,
          until: this.databaseUntil.trim() || null,
          skip_bad: this.skipBad,
          replace: false,
        },
        USAGE_JOB,
      );
      await this.measure();
    } catch (e) {
      this.error = isCancelled(e) ? "import cancelled; nothing was written" : errorMessage(e);
    } finally {
      this.importing = false;
    }
  }

  cancel() {
    void api.cancelJob(USAGE_JOB);
  }

  async measure() {
    this.measuring = true;
    try {
      this.preview = await api.usageWorkload({
        since: this.since.trim() || null,
        until: this.until.trim() || null,
        models: [],
        months_ahead: 0,
        means_only: false,
      });
      this.error = null;
    } catch (e) {
      this.preview = null;
      this.error = errorMessage(e);
    } finally {
      this.measuring = false;
    }
  }

  /** Prices the stored traffic of the window on `plan` (null: at each
   * model's own catalog prices, a check of the logged spend). */
  /** The same traffic on each plan pinned for comparison, in the pins'
   * order (`usage cost --plan A --plan B …`). */
  pinnedCosts = $state<{ label: string; report: CostReport }[] | null>(null);

  /** The preview's window, as typed. */
  private window(): UsageCostRequest {
    return { since: this.since.trim() || null, until: this.until.trim() || null, models: [] };
  }

  async price(plan: PlanFile | null) {
    this.pricing = true;
    try {
      this.cost = await api.usageCost(plan, this.window());
      this.error = null;
    } catch (e) {
      this.cost = null;
      this.error = errorMessage(e);
    } finally {
      this.pricing = false;
    }
  }

  async priceEach(pinned: Pinned[]) {
    this.pricing = true;
    try {
      const request = this.window();
      const costs = [];
      for (const p of pinned) costs.push({ label: p.label, report: await api.usageCost(p.plan, request) });
      this.pinnedCosts = costs;
      this.error = null;
    } catch (e) {
      this.pinnedCosts = null;
      this.error = errorMessage(e);
    } finally {
      this.pricing = false;
    }
  }

  discard() {
    this.preview = null;
    this.report = null;
    this.cost = null;
    this.pinnedCosts = null;
  }
}

export const usage = new UsageImport();
