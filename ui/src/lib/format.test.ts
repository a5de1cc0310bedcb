import { describe, expect, it } from "vitest";
import { compact, count, duration, nines, parseNumber, percent, price, target, usd } from "./format";

describe("percent", () => {
  it("shows as many decimals as the figure has nines", () => {
    expect(percent(0.9999686)).toBe("99.9969%");
    expect(percent(0.95)).toBe("95.0%");
    expect(percent(0.9992)).toBe("99.920%");
  });
  it("handles the edges and missing values", () => {
    expect(percent(1)).toBe("100%");
    expect(percent(0)).toBe("0%");
    expect(percent(null)).toBe("—");
    expect(percent(Number.NaN)).toBe("—");
  });
});

describe("usd", () => {
  it("keeps four significant digits below a dollar", () => {
    expect(usd(0.008033)).toBe("$0.008033");
    expect(usd(0.5)).toBe("$0.5000");
  });
  it("groups thousands and rounds to the cent above", () => {
    expect(usd(24099.8123)).toBe("$24,099.81");
    expect(usd(-1234.5)).toBe("-$1,234.50");
    expect(usd(0)).toBe("$0");
  });
});

describe("other formats", () => {
  it("durations switch to seconds at one second", () => {
    expect(duration(600)).toBe("600 ms");
    expect(duration(5600)).toBe("5.60 s");
  });
  it("nines and counts", () => {
    expect(nines(4.5123)).toBe("4.51 nines");
    expect(nines(null)).toBe("certain");
    expect(count(3000000)).toBe("3,000,000");
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
  it("caps the decimals of a probability just under one", () => {
    expect(percent(0.9999999999)).toBe("99.999999%");
  });
});
