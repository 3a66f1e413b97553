import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_OPTIONS,
  describe as describeChanges,
  detectChangePoints,
  fillMissing,
  levels,
} from "../../src/core/changepoints/analysis.ts";
import {
  magnitudeOf,
  pairwiseSum,
  regularizedBeta,
  studentTwoSided,
  tTest,
} from "../../src/core/changepoints/significance.ts";
import golden from "../fixtures/golden/otava-change-points.json";
import { noise } from "../support/nights.ts";

interface Case {
  name: string;
  series: (number | null)[];
  window: number;
  pvalue: number;
  magnitude: number;
  expected: { index: number; pvalue: number; magnitude: number; mean_before: number; mean_after: number }[];
  incremental?: { index: number; pvalue: number }[];
}

const cases = (golden as { cases: Case[] }).cases;
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) + 1e-300;

describe("E-divisive means, against Apache Otava", () => {
  it.each(cases.map((c) => [c.name, c] as const))("finds Otava's change points in %s", (_name, c) => {
    const found = describeChanges(
      detectChangePoints(c.series, { window: c.window, pvalue: c.pvalue, magnitude: c.magnitude }).points,
    );
    expect(found.map((p) => p.index)).toEqual(c.expected.map((p) => p.index));
    found.forEach((p, i) => {
      const e = c.expected[i];
      expect(close(p.mean_before, e.mean_before) && close(p.mean_after, e.mean_after), `${p.index}: means`).toBe(true);
      expect(close(p.magnitude, e.magnitude), `${p.index}: magnitude ${p.magnitude} vs ${e.magnitude}`).toBe(true);
      expect(
        close(p.pvalue, e.pvalue) || Math.abs(p.pvalue - e.pvalue) < 1e-15,
        `${p.index}: p ${p.pvalue} vs ${e.pvalue}`,
      ).toBe(true);
    });
  });

  it.each(cases.filter((c) => c.incremental).map((c) => [c.name, c] as const))(
    "re-examines only the tail when one point is appended, as Otava does: %s",
    (_name, c) => {
      const options = { window: c.window, pvalue: c.pvalue, magnitude: c.magnitude };
      const before = detectChangePoints(c.series.slice(0, -1), options);
      const after = detectChangePoints(c.series, options, { weak: before.weak, length: c.series.length - 1 });
      expect(after.points.map((p) => p.index)).toEqual(c.incremental!.map((p) => p.index));
    },
  );

  it("is deterministic", () => {
    const c = cases.find((x) => x.name.startsWith("random 3"))!;
    const options = { window: c.window, pvalue: c.pvalue, magnitude: c.magnitude };
    expect(detectChangePoints(c.series, options)).toEqual(detectChangePoints(c.series, options));
  });
});

describe("levels: change points with at least a minimum of points on either side", () => {
  const levelsOf = (series: number[], minSize = 3) =>
    describeChanges(levels(series, detectChangePoints(series).points, DEFAULT_OPTIONS, minSize));

  it("makes two change points two points apart one change, from the level before them to the level after", () => {
    // Twelve nights, eight 30% slower, five back: Otava splits the five two and three.
    const draws = [1, 2, 4, 2, 4, 1, 2, 4, 1, 0, 2, 0, 1, 2, 0, 3, 4, 3, 1, 1, 3, 3, 0, 4, 3];
    const series = draws.map((d, i) => 100 * (i >= 12 && i < 20 ? 1.3 : 1) * noise(i * 7 + d));
    expect(describeChanges(detectChangePoints(series).points).map((c) => c.index)).toEqual([12, 20, 22]);
    const found = levelsOf(series);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(found.map((c) => c.index)).toEqual([12, 20]);
    expect(found[1].mean_before).toBeCloseTo(mean(series.slice(12, 20)), 9);
    expect(found[1].mean_after).toBeCloseTo(mean(series.slice(22)), 9);
  });

  it("takes a blip that came and went for no change", () => {
    const series = Array.from({ length: 40 }, (_, i) => 100 * (i === 20 || i === 21 ? 1.1 : 1) * noise(3700 + i));
    expect(describeChanges(detectChangePoints(series).points).map((c) => c.index)).toEqual([20, 22]);
    expect(levelsOf(series)).toEqual([]);
  });

  it("leaves out a change point at the newest night until enough points follow it", () => {
    const series = Array.from({ length: 30 }, (_, i) => 100 * (i === 29 ? 1.2 : 1) * (1 + (noise(i) - 1) / 3));
    expect(detectChangePoints(series).points.map((p) => p.index)).toEqual([29]);
    expect(levelsOf(series)).toEqual([]);
  });

  it("keeps a step with enough points on either side as Otava found it", () => {
    const series = Array.from({ length: 30 }, (_, i) => 100 * (i >= 20 ? 1.1 : 1) * noise(i));
    expect(levelsOf(series)).toEqual(describeChanges(detectChangePoints(series).points));
    expect(levelsOf(series, 11)).toEqual([]);
  });
});

describe("the pieces", () => {
  it("sums as numpy does (pairwise, 8-way unrolled)", () => {
    const values = Array.from({ length: 300 }, (_, i) => 0.1 * i + 1e-7 * (i % 7));
    let naive = 0;
    for (const v of values) naive += v;
    // numpy 2.4's np.sum of this array.
    expect(pairwiseSum(values)).toBe(4485.000089699999);
    expect(pairwiseSum(values)).not.toBe(naive);
  });

  it("computes the pooled t-test p-value as scipy does", () => {
    // scipy 1.17: ttest_ind_from_stats(np.mean(left), np.std(left), 10, np.mean(right), np.std(right), 12).pvalue
    const left = [0.9, 1.1, 0.9, 1.1, 0.9, 1.1, 0.9, 1.1, 0.9, 1.1];
    const right = [1.0, 1.2, 1.0, 1.2, 1.0, 1.2, 1.0, 1.2, 1.0, 1.2, 1.0, 1.2];
    const t = tTest(left, right);
    expect(t.std_1).toBeCloseTo(0.1, 12);
    expect(t.pvalue).toBeCloseTo(0.03004664741828931, 15);
    expect(tTest([1], [2]).pvalue).toBe(1);
  });

  it("computes Student's two-sided tail and the incomplete beta", () => {
    expect(studentTwoSided(0, 10)).toBe(1);
    expect(studentTwoSided(2.228138851986274, 10)).toBeCloseTo(0.05, 12);
    expect(studentTwoSided(Infinity, 3)).toBe(0);
    expect(regularizedBeta(0.5, 2, 2)).toBeCloseTo(0.5, 14);
  });

  it("measures a change in both directions", () => {
    expect(magnitudeOf({ mean_1: 100, mean_2: 50 })).toBe(1);
    expect(magnitudeOf({ mean_1: 0, mean_2: 5 })).toBe(1);
  });

  it("fills missing values forward, then leading ones backward", () => {
    expect([...fillMissing([null, null, 1, null, 1.2, null])]).toEqual([1, 1, 1, 1, 1.2, 1.2]);
    // A NaN is a value, carried like any other; with no value at all, every point is NaN.
    expect([...fillMissing([null, Number.NaN, null, 2])]).toEqual([Number.NaN, Number.NaN, Number.NaN, 2]);
    expect([...fillMissing([null, null])]).toEqual([Number.NaN, Number.NaN]);
  });
});

describe("properties", () => {
  it("finds a large step far from both ends at its index", () => {
    fc.assert(
      // Noise from a seed, not shrunk towards zero: a series of exact constants with one or two
      // tiny bumps has no variance to speak of, and every bump is "significant" there.
      fc.property(
        fc.integer({ min: 10, max: 90 }),
        fc.double({ min: 0.3, max: 3, noNaN: true }),
        fc.integer(),
        (at, jump, seed) => {
          const noise = seededNoise(seed, 0.01);
          const series = Array.from({ length: 100 }, (_, i) => (i < at ? 100 : 100 * (1 + jump)) * (1 + noise()));
          expect(detectChangePoints(series).points.map((p) => p.index)).toContain(at);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("finds the boundary between two segments whatever the order of values within them", () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([...Array(30).keys()], { minLength: 30, maxLength: 30 }), (order) => {
        const segment = Array.from({ length: 30 }, (_, i) => 100 + ((i * 37) % 11) * 0.1);
        const shuffled = order.map((i) => segment[i]);
        const base = [...segment, ...segment.map((x) => x * 1.5)];
        const permuted = [...shuffled, ...segment.map((x) => x * 1.5)];
        // Q of the split at the boundary depends only on the two segments' values, not their order.
        expect(detectChangePoints(base).points.map((p) => p.index)).toEqual([30]);
        expect(detectChangePoints(permuted).points.map((p) => p.index)).toContain(30);
      }),
      { numRuns: 25 },
    );
  });

  it("finds nothing in a constant series", () => {
    expect(detectChangePoints(Array(200).fill(42)).points).toEqual([]);
  });
});

/** Uniform noise in ±amplitude from a seed (mulberry32). */
function seededNoise(seed: number, amplitude: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * amplitude;
  };
}
