/**
 * Whether a split is significant, as Otava's TTestSignificanceTester decides it: a pooled Student
 * t-test, and the relative size of the change.
 *
 * Otava computes these with numpy and scipy, so this does the same arithmetic: numpy's pairwise
 * summation for means and deviations, and scipy's p-value from the regularized incomplete beta.
 */

export interface TTest {
  mean_1: number;
  mean_2: number;
  std_1: number;
  std_2: number;
  pvalue: number;
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

/** numpy's `std` with ddof 0, given the values' `mean` (computed once for both). */
function std(values: ArrayLike<number>, m: number): number {
  // A loop, not Float64Array.from with a mapping: the same squares, without an iterator's cost.
  const squares = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) squares[i] = (values[i] - m) * (values[i] - m);
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
  const std_1 = n1 >= 2 ? std(left, mean_1) : 0;
  const std_2 = n2 >= 2 ? std(right, mean_2) : 0;
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

/** A p-value as people read it: `p = 3.2e-7`; one too small for a double, `p < 1e-300`. */
export function pvalueText(p: number): string {
  return p < 1e-300 ? "p < 1e-300" : `p = ${p.toExponential(1)}`;
}
