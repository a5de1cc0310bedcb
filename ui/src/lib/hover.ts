// Which hover point of a chart is under the mouse.

export interface Point {
  x: number;
  y: number;
}

/** Index of the point nearest (x, y) within `radius` (chart pixels), or null. */
export function nearest(points: Point[], x: number, y: number, radius: number): number | null {
  let best: number | null = null;
  let bestD = radius * radius;
  points.forEach((p, i) => {
    const d = (p.x - x) ** 2 + (p.y - y) ** 2;
    if (d <= bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}
