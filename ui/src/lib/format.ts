// How figures read on screen. The engine computes every number; these only
// choose how many digits a person needs to see, the way the CLI report does.

/** A probability as a percent with enough decimals to show its nines:
 * 0.999969 -> "99.9969%", 0.95 -> "95.0%". */
export function percent(a: number | null | undefined): string {
  if (a === null || a === undefined || !Number.isFinite(a)) return "—";
  if (a >= 1) return "100%";
  if (a <= 0) return "0%";
  const nines = -Math.log10(1 - a);
  const decimals = Math.min(6, Math.max(1, Math.floor(nines)));
  const text = (a * 100).toFixed(decimals);
  // Never round a probability under 1 up to "100.000000%".
  if (text.startsWith("100")) {
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

export function nines(n: number | null | undefined): string {
  if (n === null || n === undefined) return "certain";
  if (!Number.isFinite(n)) return "—";
  return `${n.toFixed(2)} nines`;
}

const grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const cents = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

/** USD: small amounts with four significant digits, large ones to the cent. */
export function usd(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "—";
  const sign = x < 0 ? "-" : "";
  const v = Math.abs(x);
  if (v === 0) return "$0";
  if (v < 1) {
    const digits = Math.min(10, Math.max(2, 3 - Math.floor(Math.log10(v))));
    return `${sign}$${v.toFixed(digits)}`;
  }
  return `${sign}$${cents.format(v)}`;
}

/** A duration in ms: "600 ms", "5.60 s". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function count(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  return grouped.format(n);
}

/** Parses a number typed by a person: "3_000_000", "3,000,000", " 12.5 ". */
export function parseNumber(text: string): number | null {
  const cleaned = text.trim().replace(/[_,\s]/g, "");
  if (cleaned === "") return null;
  const n = Number(cleaned);
  return Number.isFinite(n) ? n : null;
}
