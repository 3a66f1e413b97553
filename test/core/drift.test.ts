import fc from "fast-check";
import { describe, expect, it } from "vitest";
import smokeBaseline from "../../baselines/smoke.json";
import type { Baseline } from "../../src/core/baseline.ts";
import { DEFAULT_OPTIONS } from "../../src/core/changepoints/analysis.ts";
import {
  analyzeHistory,
  changesAt,
  DRIFT_FINGERPRINT,
  driftFindings,
  driftSubject,
  evidenceAt,
  latestChanges,
} from "../../src/core/drift.ts";
import type { HistoryEntry } from "../../src/core/history.ts";
import { noise as nightlyNoise } from "../support/nights.ts";
import { nightEntry } from "../support/entries.ts";

const baseline = smokeBaseline as Baseline;
const NOW = "2026-12-01T00:00:00.000Z";

/** Night `i` at `slowdown` times the fixture's durations: throughput down, p95 and duration up. */
function entry(i: number, slowdown: number, extra: Partial<HistoryEntry> = {}): HistoryEntry {
  return nightEntry({
    id: `${9_000_000_000 + i}-1`,
    at: new Date(Date.UTC(2026, 6, 1) + i * 86_400_000).toISOString(),
    sha: i.toString(16).padStart(40, "0"),
    throughput_ops_per_sec: 10_233.32 / slowdown,
    total_duration_ms: 48.86 * slowdown,
    per_batch_p95_ms: 10.9 * slowdown,
    ...extra,
  });
}

/** A benchmark machine's noise: ±2%, the same every test run (mulberry32). */
function noise(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return 1 + ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * 0.02;
  };
}
/** Oldest first in, newest first out, as the history is kept. */
const newestFirst = (entries: HistoryEntry[]) => [...entries].reverse();
function steps(before: number, after: number, slowdown: number, seed = 7): HistoryEntry[] {
  const jitter = noise(seed);
  return Array.from({ length: before + after }, (_, i) => entry(i, (i < before ? 1 : slowdown) * jitter()));
}

describe("change points over the run history", () => {
  it("finds a 12% step in all three metrics at the first slower run, and says which way each went", () => {
    const runs = steps(30, 10, 1.136);
    const report = analyzeHistory(newestFirst(runs), DEFAULT_OPTIONS, NOW, baseline, 3);
    expect(report).toMatchObject({ computed_at: NOW, latest_run_id: runs[39].id, runs: 40, options: DEFAULT_OPTIONS });
    // Short noisy segments may hold further, smaller change points; the step is the first.
    expect(
      report.changes
        .filter((c) => c.index <= 30)
        .map((c) => [c.metric, c.index, c.run_id, c.before_run_id, c.direction]),
    ).toEqual([
      ["throughput_ops_per_sec", 30, runs[30].id, runs[29].id, "worse"],
      ["per_batch_p95_ms", 30, runs[30].id, runs[29].id, "worse"],
      ["total_duration_ms", 30, runs[30].id, runs[29].id, "worse"],
    ]);
    const throughput = report.changes[0];
    expect(throughput.mean_after / throughput.mean_before).toBeCloseTo(1 / 1.136, 1);
    expect(throughput.pvalue).toBeLessThan(1e-6);
    expect(throughput).toMatchObject({
      sha: runs[30].sha,
      before_sha: runs[29].sha,
      at: runs[30].at,
      before_at: runs[29].at,
    });
    expect(changesAt(report, runs[30].id).map((c) => c.metric)).toEqual([
      "throughput_ops_per_sec",
      "per_batch_p95_ms",
      "total_duration_ms",
    ]);
    expect(changesAt(report, runs[29].id)).toEqual([]);
    expect(changesAt(null, runs[30].id)).toEqual([]);
  });

  it("calls a faster step better", () => {
    const report = analyzeHistory(newestFirst(steps(30, 10, 0.85)), DEFAULT_OPTIONS, NOW, baseline, 3);
    expect(report.changes.filter((c) => c.index === 30).map((c) => c.direction)).toEqual([
      "better",
      "better",
      "better",
    ]);
  });

  it("reads only mainline runs with a result", () => {
    const runs = steps(30, 10, 1.136);
    const noise = [
      entry(100, 3, { mainline: false, at: runs[10].at, id: "9100000000-1" }),
      entry(101, 1, {
        state: "crashed",
        throughput_ops_per_sec: null,
        total_duration_ms: null,
        per_batch_p95_ms: null,
        at: runs[35].at,
        id: "9100000001-1",
      }),
    ];
    const mixed = newestFirst(
      [...runs, ...noise].sort((a, b) => (a.at === b.at ? (a.id < b.id ? -1 : 1) : a.at < b.at ? -1 : 1)),
    );
    expect(analyzeHistory(mixed, DEFAULT_OPTIONS, NOW, baseline, 3)).toEqual(
      analyzeHistory(newestFirst(runs), DEFAULT_OPTIONS, NOW, baseline, 3),
    );
  });

  it("finds nothing in a steady history", () => {
    expect(analyzeHistory(newestFirst(steps(40, 0, 1)), DEFAULT_OPTIONS, NOW, baseline, 3).changes).toEqual([]);
    expect(analyzeHistory([], DEFAULT_OPTIONS, NOW, baseline, 3)).toMatchObject({
      latest_run_id: null,
      runs: 0,
      changes: [],
    });
  });

  it("gives a history the same answer whatever order its runs arrived in", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 55 }),
        fc.double({ min: 0.7, max: 1.4, noNaN: true }),
        fc.integer(),
        (at, slowdown, seed) => {
          const runs = steps(at, 60 - at, slowdown, seed);
          const shuffled = [...runs].sort((x, y) => (x.sha! < y.sha! ? 1 : -1)).sort((x, y) => (x.at < y.at ? 1 : -1));
          expect(analyzeHistory(shuffled, DEFAULT_OPTIONS, NOW, baseline, 3)).toEqual(
            analyzeHistory(newestFirst(runs), DEFAULT_OPTIONS, NOW, baseline, 3),
          );
        },
      ),
      { numRuns: 25 },
    );
  });

  it("takes the options it is given", () => {
    const runs = newestFirst(steps(30, 10, 1.136));
    expect(analyzeHistory(runs, { ...DEFAULT_OPTIONS, magnitude: 0.5 }, NOW, baseline, 3).changes).toEqual([]);
    expect(analyzeHistory(runs, { ...DEFAULT_OPTIONS, magnitude: 0.05 }, NOW, baseline, 3).changes).toHaveLength(3);
  });
});

describe("drifts", () => {
  const analysed = (before: number, after: number, slowdown: number) =>
    analyzeHistory(newestFirst(steps(before, after, slowdown)), DEFAULT_OPTIONS, NOW, baseline, 3);

  it("are worse changes inside the band that have held for three runs", () => {
    expect(driftFindings(analysed(30, 2, 1.136), baseline)).toEqual([]);
    const held = analysed(30, 3, 1.136);
    expect(driftFindings(held, baseline).map((c) => c.metric)).toEqual([
      "throughput_ops_per_sec",
      "per_batch_p95_ms",
      "total_duration_ms",
    ]);
    expect(driftSubject(held, false)).toEqual({
      id: `drift@throughput_ops_per_sec:${held.changes[0].run_id},per_batch_p95_ms:${held.changes[0].run_id},total_duration_ms:${held.changes[0].run_id}`,
      at: NOW,
      verdicts: [{ fingerprint: DRIFT_FINGERPRINT, kind: "regression", suite: "smoke-drift", bad: true }],
      pr_number: null,
    });
    // While the regression it belongs to is reported, the drift is the same news.
    expect(driftSubject(held, true)).toBeNull();
  });

  it("leave a level outside the band to the static alert, and say nothing of it", () => {
    const out = analysed(30, 5, 1.4);
    expect(latestChanges(out).map((c) => c.direction)).toEqual(["worse", "worse", "worse"]);
    expect(driftFindings(out, baseline)).toEqual([]);
    expect(driftSubject(out, false)).toBeNull();
  });

  it("are old news once the change is a window of runs old", () => {
    const old = analyzeHistory(newestFirst(steps(20, 60, 1.136)), DEFAULT_OPTIONS, NOW, baseline, 3);
    expect(latestChanges(old).map((c) => c.direction)).toEqual(["worse", "worse", "worse"]);
    expect(driftFindings(old, baseline)).toEqual([]);
    expect(driftSubject(old, false)).toBeNull();
  });

  it("are over when every metric's latest change went the good way, or there is none", () => {
    const jitter = noise(11);
    const runs = [...steps(30, 10, 1.136), ...Array.from({ length: 10 }, (_, i) => entry(40 + i, jitter()))];
    const back = analyzeHistory(newestFirst(runs), DEFAULT_OPTIONS, NOW, baseline, 3);
    expect(latestChanges(back).map((c) => c.direction)).toEqual(["better", "better", "better"]);
    expect(driftSubject(back, false)).toMatchObject({ id: `changes@${runs[49].id}`, verdicts: [{ bad: false }] });
    expect(driftSubject(analysed(30, 0, 1), false)).toMatchObject({ verdicts: [{ bad: false }] });
    expect(driftSubject(analyzeHistory([], DEFAULT_OPTIONS, NOW, baseline, 3), false)).toBeNull();
  });
});

describe("a slowdown that recovered", () => {
  // The chaos run's seed 2: ±3% noise, twelve nights, eight 30% slower, then back where they were.
  const draws = [1, 2, 4, 2, 4, 1, 2, 4, 1, 0, 2, 0, 1, 2, 0, 3, 4, 3, 1, 1, 3, 3, 0, 4, 3, 3, 3, 3, 0, 0];
  const nights = draws.map((d, i) => entry(i, (i >= 12 && i < 20 ? 1.3 : 1) * nightlyNoise(i * 7 + d)));

  it("leaves no drift behind once the recovery is evidence: the level is back where it was", () => {
    const seen = (n: number) => analyzeHistory(newestFirst(nights.slice(0, n)), DEFAULT_OPTIONS, NOW, baseline, 3);
    // Five nights after the recovery, Otava splits them two and three, 4.6% apart (p = 7.7e-4).
    expect(
      seen(25)
        .changes.filter((c) => c.metric === "throughput_ops_per_sec")
        .map((c) => c.index),
    ).toEqual([12, 20, 22]);
    for (let n = 23; n <= nights.length; n++) {
      expect({ n, drifts: seen(n).drifts.map((c) => `${c.metric}@${c.index}`) }).toEqual({ n, drifts: [] });
    }
  });
});

describe("CHANGE_MIN_RUNS", () => {
  it("decides when a change point is evidence: a step held four runs is a drift at 3 and 4, not at 5", () => {
    const runs = newestFirst(steps(30, 4, 1.136));
    const drifts = (minRuns: number) => analyzeHistory(runs, DEFAULT_OPTIONS, NOW, baseline, minRuns).drifts;
    expect(drifts(3)).toHaveLength(3);
    expect(drifts(4)).toHaveLength(3);
    expect(drifts(5)).toEqual([]);
  });

  it("gives the evidence at a run only once the runs from it on reach the minimum", () => {
    const runs = steps(30, 2, 1.136);
    const report = analyzeHistory(newestFirst(runs), DEFAULT_OPTIONS, NOW, baseline, 3);
    const first = runs[30].id;
    expect(report.changes.some((c) => c.run_id === first)).toBe(true);
    expect(evidenceAt(report, first)).toEqual([]);
    const later = analyzeHistory(newestFirst(steps(30, 3, 1.136)), DEFAULT_OPTIONS, NOW, baseline, 3);
    expect(evidenceAt(later, first).map((c) => c.direction)).toEqual(["worse", "worse", "worse"]);
  });

  it("counts a refuted night once, by its rerun's measurement; a confirming run is no night of its own", () => {
    const rerun = entry(21, 1.01, { dispatch_kind: "confirm" });
    const refuted = entry(20, 1.5, { state: "regressed", confirmation: "refuted", rerun: rerun.id });
    const report = analyzeHistory(newestFirst([...steps(20, 0, 1), refuted, rerun]), DEFAULT_OPTIONS, NOW, baseline, 3);
    expect(report.runs).toBe(21);
    expect(report.latest_run_id).toBe(refuted.id);
    expect(report.changes).toEqual([]);
    // Its outlier alone, with the night kept as it was, is a change point at the newest night.
    const kept = { ...refuted, confirmation: null, rerun: null };
    expect(
      analyzeHistory(newestFirst([...steps(20, 0, 1), kept]), DEFAULT_OPTIONS, NOW, baseline, 3).changes,
    ).not.toEqual([]);
  });

  it("leaves out a refuted night whose rerun is not in the history", () => {
    const lost = entry(20, 1.5, { state: "regressed", confirmation: "refuted", rerun: "404-1" });
    expect(analyzeHistory(newestFirst([...steps(20, 0, 1), lost]), DEFAULT_OPTIONS, NOW, baseline, 3).runs).toBe(20);
  });
});
