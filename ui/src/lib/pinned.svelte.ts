// The plans pinned for comparison, shared by the pages that pin (Plan,
// Search, Compare) and kept in the preferences, so the app reopens with them.
// The rules are pinned.ts's; this holds the state, saves it, and says what a
// pin did.

import type { FrontierPoint } from "../bindings/FrontierPoint";
import type { Pinned } from "../bindings/Pinned";
import type { SearchView } from "../bindings/SearchView";
import { EMPTY_SET, MAX_PINNED, frontierPoints, pin, pinRefusal, rename, unpin, withBaseline, type PinnedSet } from "./pinned";
import { savePref } from "./prefs";

export interface PinNotice {
  text: string;
  /** The pin was refused (the set is full), rather than done. */
  refused: boolean;
}

export class Pins {
  set = $state<PinnedSet>(EMPTY_SET);
  /** Bumped on every change, so the Compare page can tell its figures are stale. */
  revision = $state(0);
  /** The last search's points, drawn behind the comparison's frontier chart. */
  search = $state<FrontierPoint[]>([]);
  /** What the last pin did, for the person who pinned. */
  notice = $state<PinNotice | null>(null);

  get items(): Pinned[] {
    return this.set.items;
  }

  get baseline(): number {
    return this.set.baseline;
  }

  /** The set as stored in the preferences, at start-up (not saved again). */
  restore(set: PinnedSet): void {
    this.set = set;
    this.revision += 1;
  }

  add(item: Pinned): void {
    const refusal = pinRefusal(this.set);
    if (refusal) {
      this.notice = { text: refusal, refused: true };
      return;
    }
    this.#commit(pin(this.set, item));
    const label = this.items[this.items.length - 1].label;
    this.notice = { text: `Pinned “${label}” for comparison (${this.items.length} of ${MAX_PINNED}).`, refused: false };
  }

  remove(index: number): void {
    this.#commit(unpin(this.set, index));
  }

  rename(index: number, label: string): void {
    this.#commit(rename(this.set, index, label));
  }

  chooseBaseline(index: number): void {
    this.#commit(withBaseline(this.set, index));
  }

  rememberSearch(view: SearchView): void {
    this.search = frontierPoints(view);
  }

  /** The set and the search as plain data, to send to the engine. */
  snapshot(): { set: PinnedSet; search: FrontierPoint[] } {
    return { set: $state.snapshot(this.set), search: $state.snapshot(this.search) };
  }

  #commit(next: PinnedSet): void {
    // The rules answer an unchanged set with the set itself.
    if (next === this.set) return;
    this.set = next;
    this.revision += 1;
    void savePref("pinned", $state.snapshot(next));
  }
}

export const pins = new Pins();
