/**
 * Change-point detection as Apache Otava (formerly Hunter) does it: E-divisive means over
 * sliding windows with a pooled Student t-test, then the merge of weak change points
 * (Otava's `analysis.py`; Fleming et al., "Hunter", ICPE 2023; Matteson and James, "A
 * Nonparametric Approach for Multiple Change Point Analysis", JASA 2014). This module is Otava's analysis: the
 * windowed split, the merge and the incremental mode; the energy statistic and the significance
 * test live beside it, as in Otava, and so does the memo of each window's change points
 * (window-memo.ts), which changes when an answer is computed, never what it is.
 *
 * It is written to give Otava's answers for the same series and parameters, so it also
 * reproduces Otava's arithmetic (see energy.ts and significance.ts). No maintained JavaScript
 * library implements this algorithm.
 */
import { EnergyCalculator, type Interval } from "./energy.ts";
import type { ChangePoint } from "./change-point.ts";
import { magnitudeOf, tTest } from "./significance.ts";
import { rememberedWindow } from "./window-memo.ts";

export interface ChangePointOptions {
  /** Points per sliding window (Otava's default: 50). */
  window: number;
  /** Significance threshold α (default 0.001). */
  pvalue: number;
  /** Minimum relative change μ a change point must exceed to survive the merge (default 0). */
  magnitude: number;
}

export const DEFAULT_OPTIONS: ChangePointOptions = { window: 50, pvalue: 0.001, magnitude: 0 };

export type { ChangePoint } from "./change-point.ts";

/** What callers see of a change point. */
export interface DetectedChange {
  index: number;
  pvalue: number;
  magnitude: number;
  mean_before: number;
  mean_after: number;
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

/** E-divisive means on a window of the series, as Otava's ChangePointDetector. */
function detectInWindow(window: Float64Array, maxPvalue: number): ChangePoint[] {
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
  return points;
}

/**
 * The change points of series[start:end], remembered by the window's values (window-memo.ts):
 * the same window found again, in a longer series or the next night's, is not computed again.
 */
function detectInSlice(series: Float64Array, start: number, end: number, maxPvalue: number): ChangePoint[] {
  const window = series.subarray(start, end);
  return rememberedWindow(window, maxPvalue, () => detectInWindow(window, maxPvalue)).map((p) => ({
    ...p,
    index: p.index + start,
  }));
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
    const found = detectInSlice(series, start, end, maxPvalue);
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

/**
 * Missing values filled forward, then leading ones backward (Otava's fill_missing): the leading
 * ones take the first value, all of them NaN when there is none.
 */
export function fillMissing(values: readonly (number | null)[]): Float64Array {
  const filled = new Float64Array(values.length);
  let previous = values.find((x) => x !== null) ?? Number.NaN;
  for (let i = 0; i < values.length; i++) {
    previous = values[i] ?? previous;
    filled[i] = previous;
  }
  return filled;
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

/**
 * The change points between levels: stretches of at least `minSize` points. Otava has no minimum
 * segment size, E-divisive as Matteson and James define it has (`min.size` in their ecp package:
 * "minimum number of observations between change points"). Without one, Otava may cut ordinary
 * noise two points and three, and the t-test of two against three pass (p = 7.7e-4 on ±3%
 * noise); but two points are no level to change from. So change points closer than `minSize`
 * are one change (a ramp, or a blip that came and went), from the level before them to the level
 * after; too few points at either end join the level beside them. Each change is tested afresh
 * between its two levels, and, as in Otava's merge, the weakest that is not significant or large
 * enough goes until none does.
 */
export function levels(
  values: readonly (number | null)[],
  points: readonly Pick<ChangePoint, "index" | "qhat">[],
  options: ChangePointOptions,
  minSize: number,
): ChangePoint[] {
  const series = fillMissing(values);
  let kept = [...points];
  for (;;) {
    while (kept.length > 0 && series.length - kept[kept.length - 1].index < minSize) kept.pop();
    while (kept.length > 0 && kept[0].index < minSize) kept.shift();
    // Each change: the first and the last of change points with no level between them.
    const changes: { first: Pick<ChangePoint, "index" | "qhat">; last: Pick<ChangePoint, "index" | "qhat"> }[] = [];
    for (const p of kept) {
      const open = changes.at(-1);
      if (open && p.index - open.last.index < minSize) open.last = p;
      else changes.push({ first: p, last: p });
    }
    const tested = changes.map(({ first, last }, i) => {
      const start = i === 0 ? 0 : changes[i - 1].last.index;
      const stop = i + 1 < changes.length ? changes[i + 1].first.index : series.length;
      const stats = tTest(series.subarray(start, first.index), series.subarray(last.index, stop));
      return { index: first.index, qhat: first.qhat, stats, through: last.index };
    });
    let weakest: (typeof tested)[number] | null = null;
    for (const c of tested) {
      const strong = c.stats.pvalue < options.pvalue && magnitudeOf(c.stats) > options.magnitude;
      if (!strong && (!weakest || c.stats.pvalue > weakest.stats.pvalue)) weakest = c;
    }
    if (!weakest) return tested.map(({ index, qhat, stats }) => ({ index, qhat, stats }));
    const gone = weakest;
    kept = kept.filter((p) => p.index < gone.index || p.index > gone.through);
  }
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
