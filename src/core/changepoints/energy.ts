/**
 * The energy statistic Q of E-divisive means, as Otava computes it: from the same prefix sums of the
 * pairwise distances, summed in the same order, so that ties between candidates break alike. A window
 * of w points costs O(w²), not O(w³).
 */

/** The points [start, stop) of a series between two change points. */
export interface Interval {
  start: number;
  stop: number;
}

/**
 * Otava's PairDistanceCalculator over one window: the pairwise distances and their vertical
 * (V) and horizontal (H) running sums, from which every Q of an interval follows in O(L²).
 */
export class EnergyCalculator {
  private readonly n: number;
  private readonly d: Float64Array;
  private readonly v: Float64Array;
  private readonly h: Float64Array;

  constructor(series: Float64Array) {
    const n = series.length;
    this.n = n;
    this.d = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) this.d[i * n + j] = Math.abs(series[i] - series[j]);
    const m = Math.max(0, n - 1);
    // V[c] = Σ_{r ≤ c} D[r][c+1], summed down the column; H[r][c] = Σ_{r ≤ c' ≤ c} D[r][c'+1], along the row.
    this.v = new Float64Array(m);
    this.h = new Float64Array(m * m);
    for (let c = 0; c < m; c++) {
      let sum = 0;
      for (let r = 0; r <= c; r++) sum += this.d[r * n + c + 1];
      this.v[c] = sum;
    }
    for (let r = 0; r < m; r++) {
      let sum = 0;
      for (let c = 0; c < m; c++) {
        if (c >= r) sum += this.d[r * n + c + 1];
        this.h[r * m + c] = sum;
      }
    }
  }

  /** The best split of series[start:end]: the τ of the largest Q(τ, κ), first in (τ, κ) order. */
  candidate(start: number, end: number): { index: number; qhat: number } {
    const n = this.n;
    const m = n - 1;
    const size = end - 1 - start;
    const vLocal = new Float64Array(size);
    for (let k = 0; k < size; k++) {
      let before = 0;
      for (let r = 0; r < start; r++) before += this.d[r * n + start + 1 + k];
      vLocal[k] = this.v[start + k] - before;
    }
    const cv = new Float64Array(size);
    for (let k = 0; k < size; k++) cv[k] = k === 0 ? vLocal[0] : cv[k - 1] + vLocal[k];
    const hLocal = (a: number, b: number) => this.h[(start + a) * m + start + b];
    // Column sums of H from the top (for A) and from the bottom, rows 1.. (for C).
    const fromTop = new Float64Array(size * size);
    for (let b = 0; b < size; b++) {
      let sum = 0;
      for (let a = 0; a < size; a++) {
        sum = a === 0 ? hLocal(0, b) : sum + hLocal(a, b);
        fromTop[a * size + b] = sum;
      }
    }
    const fromBottom = new Float64Array(Math.max(0, size - 1) * Math.max(0, size - 1));
    const inner = size - 1;
    for (let q = 0; q < inner; q++) {
      let sum = 0;
      for (let p = inner - 1; p >= 0; p--) {
        sum = p === inner - 1 ? hLocal(p + 1, q + 1) : sum + hLocal(p + 1, q + 1);
        fromBottom[p * inner + q] = sum;
      }
    }
    let best = { a: 0, q: -Infinity };
    for (let a = 0; a < size; a++) {
      for (let b = a; b < size; b++) {
        const A = (2 / (b + 2)) * (fromTop[a * size + b] - (a >= 1 ? cv[a - 1] : 0));
        const B = a >= 1 && b >= 1 ? ((2 * (b - a + 1)) / ((b + 2) * a)) * cv[a - 1] : 0;
        const C =
          a <= size - 2 && b >= 1 && b > a
            ? ((2 * (a + 1)) / ((b + 2) * (b - a))) * fromBottom[a * inner + (b - 1)]
            : 0;
        const q = A - B - C;
        if (q > best.q) best = { a, q };
      }
    }
    return { index: best.a + 1 + start, qhat: best.q };
  }

  nextCandidate(intervals: Interval[]): { index: number; qhat: number } | null {
    let best: { index: number; qhat: number } | null = null;
    for (const interval of intervals) {
      if (interval.stop - interval.start <= 1) continue;
      const candidate = this.candidate(interval.start, interval.stop);
      if (!best || candidate.qhat > best.qhat) best = candidate;
    }
    return best;
  }
}
