import { describe, expect, it } from "vitest";
import { nearest } from "./hover";

describe("nearest", () => {
  const points = [
    { x: 10, y: 10 },
    { x: 50, y: 50 },
    { x: 52, y: 48 },
  ];
  it("picks the closest point within the radius", () => {
    expect(nearest(points, 12, 11, 10)).toBe(0);
    expect(nearest(points, 53, 47, 10)).toBe(2);
  });
  it("picks none when every point is too far", () => {
    expect(nearest(points, 200, 200, 10)).toBeNull();
    expect(nearest([], 0, 0, 10)).toBeNull();
  });
});
