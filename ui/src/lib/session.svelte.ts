// The open plan and what the engine says about it, shared by every page.
// Svelte 5 runes keep the state explicit: each field below is reactive, and
// nothing else is.
//
// An edit is one call, `plan_edit`: the engine resolves the plan once,
// answers with its exact figures at once (about a millisecond through IPC),
// and simulates the same resolved plan as a job that follows a moment later,
// sending its report as a `plan-report` event. While it runs, the figures it
// will replace show as "refining"; a newer edit cancels an older simulation.

import type { PlanDocument } from "../bindings/PlanDocument";
import type { PlanFile } from "../bindings/PlanFile";
import type { PlanReport } from "../bindings/PlanReport";
import type { PlanView } from "../bindings/PlanView";
import type { Report } from "../bindings/Report";
import { api, defaults, errorMessage, fieldProblems, onPlanReport } from "./api";

const SIM_JOB = "evaluate";

export class Session {
  doc = $state<PlanDocument | null>(null);
  /** Bumped on every edit; lets slower consumers (charts) know they are stale. */
  revision = $state(0);
  dirty = $state(false);
  /** The exact figures and the offerings of the last plan that resolved. */
  exact = $state<PlanView | null>(null);
  /** The last plan error, as the engine worded it. */
  error = $state<string | null>(null);
  problems = $state<Map<string, string>>(new Map());
  report = $state<Report | null>(null);
  refining = $state(false);
  /** Milliseconds from the last edit to its exact figures, for the status bar. */
  exactMs = $state<number | null>(null);

  /** The number of the latest edit; only its answers are shown. */
  #edit = 0;
  #listening: Promise<unknown> | null = null;

  get plan(): PlanFile | null {
    return this.doc?.plan ?? null;
  }

  /** Opens a document and computes everything for it. */
  async open(doc: PlanDocument): Promise<void> {
    this.doc = doc;
    this.dirty = false;
    this.report = null;
    await this.#changed();
  }

  /** Replaces the plan with an edited one. */
  async edit(plan: PlanFile): Promise<void> {
    if (!this.doc) return;
    this.doc = { ...this.doc, plan };
    this.dirty = true;
    await this.#changed();
  }

  markSaved(doc: PlanDocument): void {
    this.doc = doc;
    this.dirty = false;
  }

  async #changed(): Promise<void> {
    this.revision += 1;
    const plan = this.plan;
    if (!plan) return;
    this.#listening ??= onPlanReport((r) => this.#reported(r));
    const edit = ++this.#edit;
    const started = performance.now();
    this.refining = true;
    try {
      const [options] = await Promise.all([defaults(), this.#listening]);
      const view = await api.planEdit(plan, options.sim, SIM_JOB, edit);
      if (edit !== this.#edit) return;
      this.exact = view;
      this.error = null;
      this.problems = new Map();
      // Measured to the next frame, after Svelte has updated the figures.
      requestAnimationFrame(() => {
        if (edit === this.#edit) this.exactMs = performance.now() - started;
      });
    } catch (e) {
      if (edit !== this.#edit) return;
      // The engine has stopped refining the older plan's figures.
      this.error = errorMessage(e);
      this.problems = fieldProblems(e);
      this.refining = false;
    }
  }

  /** The simulated report of an edit, if it is still the latest. */
  #reported(r: PlanReport): void {
    if (r.job !== SIM_JOB || r.edit !== this.#edit) return;
    if (r.report) {
      this.report = r.report;
    } else if (r.error) {
      this.error = errorMessage(r.error);
    }
    this.refining = false;
  }
}

export const session = new Session();
