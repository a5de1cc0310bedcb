// How figures read on screen. The engine computes every number; these only
// choose how many digits a person needs to see, the way the CLI report does.

/** A probability as a percent with two significant digits of its failure
 * part, so the nines show: 0.999995 -> "99.99950%", 0.95 -> "95.00%". Under 1
 * it never reads "100…%" (cut, not rounded up). The engine's rule
 * (`switchyard::format::percent`); both are checked against format.cases.json. */
export function percent(a: number | null | undefined): string {
  if (a === null || a === undefined) return "—";
  if (!Number.isFinite(a)) return "n/a";
  const unavailability = 1 - a;
  let decimals = 2;
  if (unavailability > 0) {
    // `- 1e-9`: 1 - 0.999 is a hair over 0.001; it counts as three nines.
    decimals = Math.min(10, Math.max(2, Math.ceil(-Math.log10(unavailability) - 1e-9) - 1));
  }
  const text = (a * 100).toFixed(decimals);
  if (a < 1 && text.startsWith("100")) {
    const scale = 10 ** decimals;
    return `${(Math.floor(a * 100 * scale) / scale).toFixed(decimals)}%`;
  }
  return `${text}%`;
}

/** A target as people write it: 0.9999 -> "99.99%". */
export function target(a: number | null | undefined): string {
  if (a === null || a === undefined || !Number.isFinite(a)) return "—";
  return `${Number((a * 100).toPrecision(10))}%`;
}

/** A list price per million tokens: "$0.10", "$0.075", "$15.00". */
export function price(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "—";
  const fixed = x.toFixed(4).replace(/0{1,2}$/, "");
  return `$${fixed}`;
}

const compactFormat = new Intl.NumberFormat("en-US", { notation: "compact", maximumSignificantDigits: 3 });

/** Large counts, short: 148,572,255 -> "149M". */
export function compact(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  return compactFormat.format(n);
}

/** Nines as words: "4.51 nines"; `null` (a certain success) is "certain". */
export function nines(n: number | null | undefined): string {
  if (n === null || n === undefined) return "certain";
  if (!Number.isFinite(n)) return "n/a";
  return `${(n + 0).toFixed(2)} nines`;
}

const grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const cents = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

/** Rounds half away from zero (as Rust's `f64::round`), never to -0. */
function roundWhole(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x)) + 0;
}

/** USD: four significant digits below a dollar, to the cent (grouped) above;
 * the sign before the dollar sign. */
export function usd(x: number | null | undefined): string {
  if (x === null || x === undefined) return "—";
  if (!Number.isFinite(x)) return "n/a";
  const sign = x < 0 ? "-" : "";
  const v = Math.abs(x);
  if (v === 0) return "$0";
  if (v < 1) {
    const digits = Math.min(12, Math.ceil(-Math.log10(v)) + 3);
    return `${sign}$${v.toFixed(digits)}`;
  }
  return `${sign}$${cents.format(v)}`;
}

/** A duration in ms: "600 ms", and from a second (after rounding) "5.60 s". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (!Number.isFinite(ms)) return "n/a";
  const whole = roundWhole(ms);
  if (Math.abs(whole) < 1000) return `${whole} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** A whole number with thousands separators: "3,000,000". */
export function count(n: number | null | undefined): string {
  if (n === null || n === undefined) return "—";
  if (!Number.isFinite(n)) return "n/a";
  return grouped.format(roundWhole(n));
}

/** Parses a number typed by a person: "3_000_000", "3,000,000", " 12.5 ". */
export function parseNumber(text: string): number | null {
  const cleaned = text.trim().replace(/[_,\s]/g, "");
  if (cleaned === "") return null;
  const n = Number(cleaned);
  return Number.isFinite(n) ? n : null;
}

const U32_MAX = 4294967295;

/** Why `n` cannot be a count of the plan (a u32, such as horizon_months), or
 * null if it can. The plan's own limits are the engine's to check; this only
 * keeps out what could not reach the engine at all. */
export function wholeProblem(n: number): string | null {
  if (!Number.isInteger(n) || n < 0) return "not a whole number ≥ 0";
  if (n > U32_MAX) return "too large";
  return null;
}
