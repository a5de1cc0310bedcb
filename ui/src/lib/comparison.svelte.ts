// The Compare page's work: the comparison of the pinned plans and the
// export of their report, each a job of the shell (progress events, cancel).
// One comparison runs at a time: a newer one cancels the older, whose
// answer, if it still comes, is ignored. Kept here rather than in the page so
// the last comparison is still there when the page is opened again.

import type { CompareOptions } from "../bindings/CompareOptions";
import type { ComparisonView } from "../bindings/ComparisonView";
import type { JobProgress } from "../bindings/JobProgress";
import { api, defaults, errorMessage, isCancelled, onProgress } from "./api";
import { pins } from "./pinned.svelte";

const REPORT_JOB = "compare-report";

export class Comparer {
  view = $state<ComparisonView | null>(null);
  error = $state<string | null>(null);
  /** The SLA target every portfolio is taken at; null: the baseline plan's own. */
  target = $state<number | null>(null);
  running = $state(false);
  exporting = $state(false);
  /** The running job's progress, while it has any. */
  progress = $state<JobProgress | null>(null);
  /** What the last export did. */
  status = $state<string | null>(null);
  /** The inputs the shown view was computed from (see `inputs`). */
  #shown = $state<string | null>(null);

  /** The inputs of the latest comparison asked for; null: none since the last clear. */
  #requested: string | null = null;
  #run = 0;
  #job: string | null = null;
  #listening: Promise<unknown> | null = null;

  /** Everything a comparison depends on, as one value that changes with any of it. */
  get inputs(): string {
    return `${pins.revision}:${this.target ?? ""}`;
  }

  /** The view shows a pinned set or target that has changed since. */
  get stale(): boolean {
    return this.view !== null && this.#shown !== this.inputs;
  }

  /** A comparison was asked for, and the pinned set or target has changed
   * since: the page compares again, so the figures follow the set. */
  get outdated(): boolean {
    return this.#requested !== null && this.#requested !== this.inputs;
  }

  async run(): Promise<void> {
    const run = ++this.#run;
    this.#cancel();
    const job = `compare-${run}`;
    this.#job = job;
    const inputs = this.inputs;
    this.#requested = inputs;
    const { set, search } = pins.snapshot();
    this.running = true;
    this.error = null;
    this.progress = null;
    try {
      await this.#listen();
      const view = await api.comparePlans(set.items, await this.#options(set.baseline), search, job);
      if (run !== this.#run) return;
      this.view = view;
      this.#shown = inputs;
    } catch (e) {
      if (run === this.#run && !isCancelled(e)) this.error = errorMessage(e);
    } finally {
      if (run === this.#run) this.#settle();
    }
  }

  /** Stops the running comparison; the last figures stay. */
  cancel(): void {
    this.#run += 1;
    this.#cancel();
    this.#settle();
  }

  /** Drops the figures (too few plans are pinned to compare). */
  clear(): void {
    this.cancel();
    this.#requested = null;
    this.view = null;
    this.error = null;
  }

  /** Writes the report of the pinned plans (one is enough) to `path`. */
  async exportReport(path: string): Promise<void> {
    const { set, search } = pins.snapshot();
    this.exporting = true;
    this.error = null;
    this.status = null;
    try {
      await this.#listen();
      await api.exportReport(set.items, await this.#options(set.baseline), search, path, REPORT_JOB);
      this.status = `Saved the report to ${path}`;
    } catch (e) {
      if (!isCancelled(e)) this.error = errorMessage(e);
    } finally {
      this.exporting = false;
      this.progress = null;
    }
  }

  cancelExport(): void {
    void api.cancelJob(REPORT_JOB).catch(() => {});
  }

  async #options(baseline: number): Promise<CompareOptions> {
    // The engine's own simulation defaults, as `switchyard compare` uses them.
    return { sim: (await defaults()).sim, baseline, target: this.target };
  }

  #cancel(): void {
    if (this.#job) void api.cancelJob(this.#job).catch(() => {});
    this.#job = null;
  }

  #settle(): void {
    this.running = false;
    this.progress = null;
    this.#job = null;
  }

  #listen(): Promise<unknown> {
    this.#listening ??= onProgress((p) => {
      if (p.job === this.#job || (p.job === REPORT_JOB && this.exporting)) this.progress = p.done >= p.total ? null : p;
    });
    return this.#listening;
  }
}

export const comparer = new Comparer();
