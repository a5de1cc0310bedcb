// Filtering and sorting of the catalog table, kept out of the component so it
// can be tested on its own.

import type { CatalogRow } from "../bindings/CatalogRow";

export type SortKey =
  | "id"
  | "input_per_mtok"
  | "output_per_mtok"
  | "availability"
  | "ttft_p50_ms"
  | "tokens_per_s"
  | "observed_ttft";

export interface Sort {
  key: SortKey;
  ascending: boolean;
}

function keyOf(row: CatalogRow, key: SortKey): string | number | null {
  if (key === "observed_ttft") return row.observed?.ttft_p50_ms ?? null;
  return row[key];
}

/** Rows whose id, provider or model contain every word of `query`. */
export function filterRows(rows: CatalogRow[], query: string): CatalogRow[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return rows;
  return rows.filter((r) => {
    const hay = `${r.id} ${r.provider} ${r.model} ${r.mode ?? ""}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** Sorted copy; unknown values go last whichever the direction. */
export function sortRows(rows: CatalogRow[], sort: Sort): CatalogRow[] {
  const dir = sort.ascending ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = keyOf(a, sort.key);
    const y = keyOf(b, sort.key);
    if (x === null && y === null) return a.id.localeCompare(b.id);
    if (x === null) return 1;
    if (y === null) return -1;
    if (typeof x === "string" || typeof y === "string") return dir * String(x).localeCompare(String(y));
    return dir * (x - y) || a.id.localeCompare(b.id);
  });
}

/** Clicking a column sorts by it; clicking it again reverses. */
export function nextSort(current: Sort, key: SortKey): Sort {
  return current.key === key ? { key, ascending: !current.ascending } : { key, ascending: true };
}
