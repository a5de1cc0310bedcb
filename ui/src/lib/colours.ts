// The colour of each compared portfolio, the same as the engine draws it in
// the comparison charts, so a column head and its chart series match.
//
// This list mirrors SERIES in crates/switchyard/src/chart/style.rs (Okabe–Ito,
// safe for colour-blind readers): its first six, one for each portfolio a
// comparison can hold. Keep the two in the same order.
export const SERIES = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"] as const;

/** The colour of portfolio `i` (0-based), cycling as the engine does. */
export function seriesColour(i: number): string {
  return SERIES[((i % SERIES.length) + SERIES.length) % SERIES.length];
}
