// User preferences (theme, last plan, recent files, the plans pinned for
// comparison) in tauri-plugin-store's prefs.json in the app-data dir. Not in
// SQLite: they are the app's, not the catalog's. The shell opens the same
// store first (with the same auto-save) and keeps the window's geometry in it
// under "window". Outside Tauri (the browser test) the store is absent and
// preferences live only in memory.

import { load, type Store } from "@tauri-apps/plugin-store";
import { EMPTY_SET, parsePinnedSet, type PinnedSet } from "./pinned";

export type Theme = "light" | "dark";

export interface Prefs {
  theme: Theme;
  lastPlan: string | null;
  recent: string[];
  /** Kept so the app reopens with the same comparison. */
  pinned: PinnedSet;
}

const DEFAULTS: Prefs = { theme: "light", lastPlan: null, recent: [], pinned: EMPTY_SET };
const MAX_RECENT = 8;

let store: Store | null = null;

/** The preferences of a first start, before any are stored. */
export function defaultPrefs(): Prefs {
  return { ...DEFAULTS };
}

export async function loadPrefs(): Promise<Prefs> {
  try {
    store = await load("prefs.json", { autoSave: 200, defaults: {} });
    const theme = (await store.get<Theme>("theme")) ?? DEFAULTS.theme;
    const lastPlan = (await store.get<string | null>("lastPlan")) ?? null;
    const recent = (await store.get<string[]>("recent")) ?? [];
    const pinned = parsePinnedSet(await store.get<unknown>("pinned"));
    return { theme: theme === "dark" ? "dark" : "light", lastPlan, recent: recent.slice(0, MAX_RECENT), pinned };
  } catch {
    store = null;
    return defaultPrefs();
  }
}

export async function savePref<K extends keyof Prefs>(key: K, value: Prefs[K]): Promise<void> {
  if (!store) return;
  try {
    await store.set(key, value);
  } catch {
    // A preference that cannot be written is not worth interrupting the user for.
  }
}

/** `recent` with `path` first, once, at most MAX_RECENT long. */
export function withRecent(recent: string[], path: string): string[] {
  return [path, ...recent.filter((p) => p !== path)].slice(0, MAX_RECENT);
}
