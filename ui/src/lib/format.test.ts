import { describe, expect, it } from "vitest";
import cases from "./format.cases.json";
import { compact, count, duration, nines, parseNumber, percent, price, target, usd, wholeProblem } from "./format";

// format.cases.json is written by the engine's test of the same rules
// (`switchyard::format`): the app shows every figure as the CLI prints it.
describe("the engine's rules", () => {
  it("every case reads as the engine reads it", () => {
    expect(cases.length).toBeGreaterThan(20);
    for (const c of cases) {
      const unavailability = 1 - c.x;
      const n = unavailability > 0 ? -Math.log10(unavailability) : null;
      expect({ x: c.x, percent: percent(c.x), nines: nines(n), usd: usd(c.x), duration: duration(c.x), count: count(c.x) }).toEqual(c);
    }
  });
  it("0.95 reads as in the CLI", () => {
    expect(percent(0.95)).toBe("95.00%");
  });
  it("a missing value is a dash", () => {
    for (const f of [percent, usd, duration, count]) expect(f(null)).toBe("—");
    expect(nines(null)).toBe("certain");
  });
});

describe("parseNumber", () => {
  it("accepts the separators people type", () => {
    expect(parseNumber("3_000_000")).toBe(3000000);
    expect(parseNumber(" 3,000,000 ")).toBe(3000000);
    expect(parseNumber("12.5")).toBe(12.5);
  });
  it("refuses what is not a number", () => {
    expect(parseNumber("")).toBeNull();
    expect(parseNumber("12a")).toBeNull();
  });
});

describe("wholeProblem", () => {
  it("accepts the counts a plan can hold", () => {
    expect(wholeProblem(0)).toBeNull();
    expect(wholeProblem(24)).toBeNull();
    expect(wholeProblem(4294967295)).toBeNull();
  });
  it("refuses fractions, negatives and counts past a u32", () => {
    expect(wholeProblem(1.5)).toBe("not a whole number ≥ 0");
    expect(wholeProblem(-3)).toBe("not a whole number ≥ 0");
    expect(wholeProblem(4294967296)).toBe("too large");
  });
});

describe("short forms", () => {
  it("writes targets as people do", () => {
    expect(target(0.9999)).toBe("99.99%");
    expect(target(0.999)).toBe("99.9%");
  });
  it("writes list prices with two to four decimals", () => {
    expect(price(0.1)).toBe("$0.10");
    expect(price(0.075)).toBe("$0.075");
    expect(price(15)).toBe("$15.00");
    expect(price(0.0375)).toBe("$0.0375");
  });
  it("shortens large counts", () => {
    expect(compact(148572255)).toBe("149M");
  });
  it("never rounds a probability under one up to 100%", () => {
    expect(percent(0.9999999999)).toBe("99.999999990%");
    expect(percent(1 - 1e-15)).toBe("99.9999999999%");
  });
});
