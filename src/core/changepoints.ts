/**
 * Change-point detection as Apache Otava (formerly Hunter) does it: E-divisive means over
 * sliding windows with a pooled Student t-test, then the merge of weak change points
 * (FORMATS.md §9; Fleming et al., "Hunter", ICPE 2023).
 *
 * It is written to give Otava's answers for the same series and parameters, so it also
 * reproduces Otava's arithmetic: the energy statistic Q comes from the same prefix sums, summed
 * in the same order, and means and deviations use numpy's pairwise summation. No maintained
 * JavaScript library implements this algorithm. A window of w points costs O(w²), not O(w³).
 */

export interface ChangePointOptions {
  /** Points per sliding window (Otava's default: 50). */
  window: number;
  /** Significance threshold α (default 0.001). */
  pvalue: number;
  /** Minimum relative change μ a change point must exceed to survive the merge (default 0). */
  magnitude: number;
}

export const DEFAULT_OPTIONS: ChangePointOptions = { window: 50, pvalue: 0.001, magnitude: 0 };

export interface TTest {
  mean_1: number;
  mean_2: number;
  std_1: number;
  std_2: number;
  pvalue: number;
}

/** A change point: the series changes at `index` (the first point after the change). */
export interface ChangePoint {
  index: number;
  qhat: number;
  stats: TTest;
}

/** What callers see of a change point. */
export interface DetectedChange {
  index: number;
  pvalue: number;
  magnitude: number;
  mean_before: number;
  mean_after: number;
}

interface Interval {
  start: number;
  stop: number;
}

/** numpy's pairwise summation (`np.sum` of a contiguous float64 array), bit for bit. */
export function pairwiseSum(a: ArrayLike<number>, from = 0, n = a.length - from): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[from + i];
    return res;
  }
  if (n <= 128) {
    const r = [a[from], a[from + 1], a[from + 2], a[from + 3], a[from + 4], a[from + 5], a[from + 6], a[from + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[from + i + j];
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[from + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, from, n2) + pairwiseSum(a, from + n2, n - n2);
}

function mean(values: ArrayLike<number>): number {
  return pairwiseSum(values) / values.length;
}

/** numpy's `std` with ddof 0. */
function std(values: ArrayLike<number>): number {
  const m = mean(values);
  const squares = Float64Array.from(values, (x) => (x - m) * (x - m));
  return Math.sqrt(pairwiseSum(squares) / values.length);
}

// --- Student's t distribution: the two-sided p-value is the regularized incomplete beta
//     I_x(df/2, 1/2) at x = df / (df + t²).

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to about 1e-15 for x > 0.
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = c[0];
  for (let i = 1; i < 9; i++) sum += c[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return h;
}

export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(a, b, x)) / a;
  return 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** Two-sided p-value of Student's t with `df` degrees of freedom (scipy's `2 * t.sf(|t|, df)`). */
export function studentTwoSided(t: number, df: number): number {
  if (Number.isNaN(t)) return Number.NaN;
  if (!Number.isFinite(t)) return 0;
  return Math.min(1, regularizedBeta(df / (df + t * t), df / 2, 0.5));
}

/** Otava's TTestSignificanceTester.compare: pooled variance from population deviations. */
export function tTest(left: ArrayLike<number>, right: ArrayLike<number>): TTest {
  const n1 = left.length;
  const n2 = right.length;
  const mean_1 = mean(left);
  const mean_2 = mean(right);
  const std_1 = n1 >= 2 ? std(left) : 0;
  const std_2 = n2 >= 2 ? std(right) : 0;
  let pvalue = 1;
  if (n1 + n2 > 2) {
    // scipy.stats.ttest_ind_from_stats with equal_var=True.
    const df = n1 + n2 - 2;
    const svar = ((n1 - 1) * std_1 ** 2 + (n2 - 1) * std_2 ** 2) / df;
    const denom = Math.sqrt(svar * (1 / n1 + 1 / n2));
    pvalue = studentTwoSided((mean_1 - mean_2) / denom, df);
  }
  return { mean_1, mean_2, std_1, std_2, pvalue };
}

/** max(|m2/m1 − 1|, |m1/m2 − 1|), each 0 when its divisor is 0 (Otava's change_magnitude). */
export function magnitudeOf(s: Pick<TTest, "mean_1" | "mean_2">): number {
  const forward = s.mean_1 === 0 ? 0 : s.mean_2 / s.mean_1 - 1;
  const backward = s.mean_2 === 0 ? 0 : s.mean_1 / s.mean_2 - 1;
  const a = Math.abs(forward);
  const b = Math.abs(backward);
  // biome-ignore lint/complexity/useMathMinMax: Otava's comparison, whose NaN handling Math.max would change
  return b > a ? b : a;
}

/** The intervals between change points (sorted by index) over a series of `length` points. */
function intervalsOf(points: readonly ChangePoint[], length: number): Interval[] {
  const intervals: Interval[] = [];
  for (let i = 0; i <= points.length; i++) {
    const start = i === 0 ? 0 : points[i - 1].index;
    const stop = i === points.length ? length : points[i].index;
    if (start !== stop) intervals.push({ start, stop });
  }
  return intervals;
}

/**
 * The statistics of a change point: a new one splits the interval it falls in; an existing
 * one (at the end of an interval) compares the two intervals around it.
 */
function withStats(index: number, qhat: number, series: Float64Array, intervals: Interval[]): ChangePoint {
  for (let i = 0; i < intervals.length; i++) {
    const interval = intervals[i];
    let left: Interval;
    let right: Interval;
    if (interval.stop === index) {
      left = interval;
      right = intervals[i + 1];
    } else if (interval.start < index && index < interval.stop) {
      left = { start: interval.start, stop: index };
      right = { start: index, stop: interval.stop };
    } else {
      continue;
    }
    return {
      index,
      qhat,
      stats: tTest(series.subarray(left.start, left.stop), series.subarray(right.start, right.stop)),
    };
  }
  throw new Error(`change point ${index} is in none of the intervals`);
}

/**
 * Otava's PairDistanceCalculator over one window: the pairwise distances and their vertical
 * (V) and horizontal (H) running sums, from which every Q of an interval follows in O(L²).
 */
class EnergyCalculator {
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

/** E-divisive means on series[start:end], as Otava's ChangePointDetector. */
function detectInWindow(series: Float64Array, start: number, end: number, maxPvalue: number): ChangePoint[] {
  const window = series.slice(start, end);
  const calculator = new EnergyCalculator(window);
  const points: ChangePoint[] = [];
  for (;;) {
    const intervals = intervalsOf(points, window.length);
    const candidate = calculator.nextCandidate(intervals);
    if (!candidate) break;
    const point = withStats(candidate.index, candidate.qhat, window, intervals);
    if (!(point.stats.pvalue <= maxPvalue)) break;
    points.push(point);
    points.sort((x, y) => x.index - y.index);
  }
  return points.map((p) => ({ ...p, index: p.index + start }));
}

/** Otava's split step: weak change points from sliding windows, re-tested between their neighbours. */
function split(
  series: Float64Array,
  windowLength: number,
  maxPvalue: number,
  newPoints: number | null,
  old: ChangePoint[] | null,
): ChangePoint[] {
  if (windowLength < 2) throw new Error("the window must hold at least 2 points");
  let start = 0;
  const step = Math.floor(windowLength / 2);
  let points: ChangePoint[] = [];
  if (newPoints !== null && old !== null) {
    points = [...old];
    const stepsNeeded = newPoints / windowLength + 4;
    const maxStart = series.length - stepsNeeded * windowLength;
    for (const c of old) if (c.index < maxStart) start = c.index;
    for (let s = 0; s < series.length; s += step) if (s < maxStart && start < s) start = s;
  }
  while (start < series.length) {
    const end = Math.min(start + windowLength, series.length);
    const found = detectInWindow(series, start, end, maxPvalue);
    const last = found.length > 0 ? found[found.length - 1].index : 0;
    start = Math.max(last, start + step);
    for (const point of found) if (!points.some((p) => p.index === point.index)) points.push(point);
  }
  points.sort((x, y) => x.index - y.index);
  const intervals = intervalsOf(points, series.length);
  return points.map((p) => withStats(p.index, p.qhat, series, intervals));
}

/** Otava's merge step: drop the weakest point until all are significant and large enough. */
function merge(points: ChangePoint[], series: Float64Array, maxPvalue: number, minMagnitude: number): ChangePoint[] {
  while (points.length > 0) {
    let weakest = points[0];
    for (const p of points) if (p.stats.pvalue > weakest.stats.pvalue) weakest = p;
    if (weakest.stats.pvalue < maxPvalue) {
      weakest = points[0];
      for (const p of points) if (magnitudeOf(p.stats) < magnitudeOf(weakest.stats)) weakest = p;
      if (magnitudeOf(weakest.stats) > minMagnitude) return points;
    }
    const at = points.findIndex((p) => p.index === weakest.index);
    points.splice(at, 1);
    const intervals = intervalsOf(points, series.length);
    for (const i of [at, at + 1]) {
      if (i >= 0 && i < points.length) points[i] = withStats(points[i].index, points[i].qhat, series, intervals);
    }
  }
  return points;
}

/** Missing values filled forward, then leading ones backward (Otava's fill_missing). */
export function fillMissing(values: readonly (number | null)[]): Float64Array {
  const filled = [...values];
  let previous: number | null = null;
  for (let i = 0; i < filled.length; i++) {
    if (filled[i] === null && previous !== null) filled[i] = previous;
    previous = filled[i];
  }
  previous = null;
  for (let i = filled.length - 1; i >= 0; i--) {
    if (filled[i] === null && previous !== null) filled[i] = previous;
    previous = filled[i];
  }
  return Float64Array.from(filled, (x) => x ?? Number.NaN);
}

export interface Detection {
  points: ChangePoint[];
  /**
   * What the incremental mode starts from when points are appended. Otava's merge works on the
   * split's list in place, so this is the merged list, as Otava hands it back.
   */
  weak: ChangePoint[];
}

/**
 * The change points of a series (Otava's compute_change_points). With `previous`, the series
 * is that detection's series with points appended, and only the tail is examined again.
 */
export function detectChangePoints(
  values: readonly (number | null)[],
  options: ChangePointOptions = DEFAULT_OPTIONS,
  previous?: { weak: ChangePoint[]; length: number },
): Detection {
  const series = fillMissing(values);
  const alpha = options.pvalue;
  const firstPass = alpha < 0.05 ? alpha * 10 : alpha < 0.5 ? alpha * 2 : alpha;
  const newPoints = previous ? series.length - previous.length : null;
  const weak = split(series, options.window, firstPass, newPoints, previous ? previous.weak : null);
  const points = merge(weak, series, alpha, options.magnitude);
  return { points, weak: points };
}

/** A p-value as people read it: `p = 3.2e-7`; one too small for a double, `p < 1e-300`. */
export function pvalueText(p: number): string {
  return p < 1e-300 ? "p < 1e-300" : `p = ${p.toExponential(1)}`;
}

export function describe(points: ChangePoint[]): DetectedChange[] {
  return points.map((p) => ({
    index: p.index,
    pvalue: p.stats.pvalue,
    magnitude: magnitudeOf(p.stats),
    mean_before: p.stats.mean_1,
    mean_after: p.stats.mean_2,
  }));
}
