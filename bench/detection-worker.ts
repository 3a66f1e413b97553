/**
 * The Worker `npm run bench` times change-point detection in, so the figures are workerd's
 * own. Inside workerd the clock stands still while code runs, so the bench times requests
 * from outside and subtracts an empty request's time.
 */
import { detectChangePoints, type ChangePoint, type ChangePointOptions } from "../src/core/changepoints/analysis.ts";
import { forgetWindows } from "../src/core/changepoints/window-memo.ts";

const OPTIONS: ChangePointOptions = { window: 50, pvalue: 0.001, magnitude: 0 };

/** Three metric series of n nights: noise of a few percent and a step every few hundred nights. */
function series(n: number, seed: number): number[] {
  let a = seed;
  const random = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, (_, i) => (1 + 0.1 * (Math.floor(i / 300) % 3)) * (1 + (random() * 2 - 1) * 0.03));
}

let prepared: { metrics: number[][]; previous: { weak: ChangePoint[]; length: number }[] } | null = null;

export default {
  fetch(request: Request): Response {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n") ?? 0);
    let found = 0;
    // Each request times the analysis itself: windows remembered from the last would be looked up.
    forgetWindows();
    switch (url.pathname) {
      case "/prepare": {
        const metrics = [1, 2, 3].map((seed) => series(n, seed));
        prepared = {
          metrics,
          previous: metrics.map((m) => ({
            weak: detectChangePoints(m.slice(0, -1), OPTIONS).weak,
            length: m.length - 1,
          })),
        };
        break;
      }
      case "/full":
        for (const m of prepared!.metrics) found += detectChangePoints(m, OPTIONS).points.length;
        break;
      case "/append":
        for (const [i, m] of prepared!.metrics.entries()) {
          found += detectChangePoints(m, OPTIONS, prepared!.previous[i]).points.length;
        }
        break;
    }
    return new Response(String(found));
  },
};
