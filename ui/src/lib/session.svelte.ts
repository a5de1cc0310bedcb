// The open plan and what the engine says about it, shared by every page.
// Svelte 5 runes keep the state explicit: each field below is reactive, and
// nothing else is.
//
// An edit asks for the exact figures at once (about a millisecond through IPC)
// and schedules the simulation a moment later; while it runs the figures it
// will replace show as "refining". A newer edit cancels an older simulation.

import type { ExactView } from "../bindings/ExactView";
import type { PlanDocument } from "../bindings/PlanDocument";
import type { PlanFile } from "../bindings/PlanFile";
import type { Report } from "../bindings/Report";
import { api, DEFAULT_SIM, errorMessage, fieldProblems, isCancelled } from "./api";

/** Wait after the last edit before simulating, so typing does not queue runs. */
const SIMULATE_AFTER_MS = 250;
const SIM_JOB = "evaluate";

export class Session {
  doc = $state<PlanDocument | null>(null);
  /** Bumped on every edit; lets slower consumers (charts) know they are stale. */
  revision = $state(0);
  dirty = $state(false);
  exact = $state<ExactView | null>(null);
  /** The last plan error, as the engine worded it. */
  error = $state<string | null>(null);
  problems = $state<Map<string, string>>(new Map());
  report = $state<Report | null>(null);
  refining = $state(false);
  /** Milliseconds from the last edit to its exact figures, for the status bar. */
  exactMs = $state<number | null>(null);

  #timer: ReturnType<typeof setTimeout> | null = null;
  #exactSeq = 0;
  #simSeq = 0;

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
    const seq = ++this.#exactSeq;
    const started = performance.now();
    try {
      const exact = await api.exactFigures(plan);
      if (seq !== this.#exactSeq) return;
      this.exact = exact;
      this.error = null;
      this.problems = new Map();
      // Measured to the next frame, after Svelte has updated the figures.
      requestAnimationFrame(() => {
        if (seq === this.#exactSeq) this.exactMs = performance.now() - started;
      });
      this.#scheduleSimulation();
    } catch (e) {
      if (seq !== this.#exactSeq) return;
      this.error = errorMessage(e);
      this.problems = fieldProblems(e);
      this.refining = false;
      if (this.#timer) clearTimeout(this.#timer);
      void api.cancelJob(SIM_JOB).catch(() => {});
    }
  }

  #scheduleSimulation(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.refining = true;
    this.#timer = setTimeout(() => void this.#simulate(), SIMULATE_AFTER_MS);
  }

  async #simulate(): Promise<void> {
    const plan = this.plan;
    if (!plan) return;
    const seq = ++this.#simSeq;
    try {
      const report = await api.evaluatePlan(plan, DEFAULT_SIM, SIM_JOB);
      if (seq !== this.#simSeq) return;
      this.report = report;
      this.refining = false;
    } catch (e) {
      if (seq !== this.#simSeq || isCancelled(e)) return;
      this.error = errorMessage(e);
      this.refining = false;
    }
  }
}

export const session = new Session();
