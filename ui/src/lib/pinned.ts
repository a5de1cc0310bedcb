// The pinned set: the plans (portfolios) the Compare page puts side by side,
// and which of them the differences are taken from. Pure functions on plain
// data; the reactive store that keeps it is pinned.svelte.ts.

import type { FrontierPoint } from "../bindings/FrontierPoint";
import type { Pinned } from "../bindings/Pinned";
import type { PlanDocument } from "../bindings/PlanDocument";
import type { SearchPoint } from "../bindings/SearchPoint";
import type { SearchView } from "../bindings/SearchView";

/** The most portfolios a comparison holds: the engine's MAX_PORTFOLIOS
 * (crates/switchyard/src/compare/mod.rs), one per colour-blind-safe colour. */
export const MAX_PINNED = 6;
/** The fewest the side-by-side table is for; one plan still makes a report. */
export const MIN_COMPARED = 2;

export interface PinnedSet {
  items: Pinned[];
  /** The portfolio the differences are taken from, 0-based. */
  baseline: number;
}

export const EMPTY_SET: PinnedSet = { items: [], baseline: 0 };

/** Why `set` takes no more plans, or null when it has room. */
export function pinRefusal(set: PinnedSet): string | null {
  if (set.items.length < MAX_PINNED) return null;
  return `${MAX_PINNED} plans are pinned, the most a comparison holds: remove one on the Compare page before pinning another.`;
}

/** `wanted`, or `wanted (2)`, `wanted (3)`… if another portfolio goes by it,
 * so every column head and chart legend names one portfolio. */
export function uniqueLabel(taken: string[], wanted: string): string {
  if (!taken.includes(wanted)) return wanted;
  let n = 2;
  while (taken.includes(`${wanted} (${n})`)) n += 1;
  return `${wanted} (${n})`;
}

/** `set` with `item` last; unchanged when full (see pinRefusal). */
export function pin(set: PinnedSet, item: Pinned): PinnedSet {
  if (pinRefusal(set)) return set;
  const label = uniqueLabel(labels(set.items), item.label);
  return { items: [...set.items, { ...item, label }], baseline: set.baseline };
}

/** `set` without portfolio `index`. The baseline stays the same plan when
 * another is removed; when it is the one removed, the first becomes it. */
export function unpin(set: PinnedSet, index: number): PinnedSet {
  if (!inRange(set, index)) return set;
  const items = set.items.filter((_, i) => i !== index);
  let baseline = set.baseline;
  if (index < baseline) baseline -= 1;
  else if (index === baseline) baseline = 0;
  return { items, baseline };
}

/** `set` with portfolio `index` named `label` (trimmed, made unique); a blank
 * name is no name, so it leaves the old one. */
export function rename(set: PinnedSet, index: number, label: string): PinnedSet {
  const wanted = label.trim();
  if (!inRange(set, index) || wanted === "") return set;
  const others = labels(set.items.filter((_, i) => i !== index));
  const unique = uniqueLabel(others, wanted);
  if (unique === set.items[index].label) return set;
  const items = set.items.map((p, i) => (i === index ? { ...p, label: unique } : p));
  return { items, baseline: set.baseline };
}

export function withBaseline(set: PinnedSet, index: number): PinnedSet {
  return inRange(set, index) ? { items: set.items, baseline: index } : set;
}

function inRange(set: PinnedSet, index: number): boolean {
  return Number.isInteger(index) && index >= 0 && index < set.items.length;
}

function labels(items: Pinned[]): string[] {
  return items.map((p) => p.label);
}

/** The report's file name to offer: the plan's own for one plan. */
export function reportName(set: PinnedSet): string {
  return set.items.length === 1 ? `${set.items[0].label}.html` : "comparison.html";
}

/** `/plans/claude-then-deepseek.toml` → `claude-then-deepseek`. */
export function fileStem(path: string): string {
  const name = path.split(/[\\/]/).pop() ?? path;
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot) : name;
}

/** `what-if N`, with the first N no pinned plan goes by. */
export function whatIfLabel(set: PinnedSet): string {
  const taken = labels(set.items);
  let n = 1;
  while (taken.includes(`what-if ${n}`)) n += 1;
  return `what-if ${n}`;
}

/** The open plan as a portfolio. As opened, it goes by its file's stem (or
 * the name it was opened under: the example, a search point) and names its
 * file; once edited it is a what-if that lives only in the app, so it names
 * no file. `doc.plan` is the snapshot to pin. */
export function documentPin(doc: PlanDocument, edited: boolean, set: PinnedSet): Pinned {
  if (edited) return { label: whatIfLabel(set), file: null, plan: doc.plan };
  return { label: fileStem(doc.path ?? doc.name), file: doc.path, plan: doc.plan };
}

/** A search point as a portfolio, named by its rank and route. */
export function searchPin(point: SearchPoint): Pinned {
  return { label: `#${point.rank} ${point.label}`, file: null, plan: point.plan };
}

/** A search point as the comparison's cost-against-availability chart draws
 * it behind the portfolios. Every point of a search view is on the frontier. */
export function frontierPoint(point: SearchPoint): FrontierPoint {
  return {
    label: point.label,
    monthly_usd: point.monthly_usd,
    availability: point.availability,
    p95_ms: point.p95_ms,
    on_frontier: true,
    chosen: point.chosen,
  };
}

export function frontierPoints(view: SearchView | null): FrontierPoint[] {
  return view ? view.points.map(frontierPoint) : [];
}

/** The pinned set as stored in the preferences, or the empty set when the
 * stored value is not one (an older app's, or hand-edited): plans that are
 * not plans are dropped, and a baseline out of range becomes the first. */
export function parsePinnedSet(raw: unknown): PinnedSet {
  if (!isRecord(raw) || !Array.isArray(raw.items)) return EMPTY_SET;
  // Pinned again one by one, so the stored set obeys the same rules as one
  // pinned in the app: at most MAX_PINNED, every label its own.
  const set = raw.items.filter(isPinned).reduce(pin, EMPTY_SET);
  return withBaseline(set, typeof raw.baseline === "number" ? raw.baseline : 0);
}

function isPinned(x: unknown): x is Pinned {
  return (
    isRecord(x) &&
    typeof x.label === "string" &&
    x.label.trim() !== "" &&
    (x.file === null || typeof x.file === "string") &&
    isRecord(x.plan) &&
    isRecord(x.plan.workload)
  );
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}
