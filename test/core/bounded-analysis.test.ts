/**
 * The bounded analysis a settlement makes says to the alerts what the whole history's analysis
 * would: replayed night by night over Otava's golden series, Firewood's history and noisy
 * histories with steps, ramps, recoveries and lone outliers, the drift alert opens and closes on
 * the same nights with the same subjects, and the evidence at each newest night is the same.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { transition, type Alert } from "../../src/core/alert.ts";
import type { Baseline } from "../../src/core/baseline.ts";
import { DEFAULT_OPTIONS, type ChangePointOptions } from "../../src/core/changepoints/analysis.ts";
import { forgetWindows, windowsComputed } from "../../src/core/changepoints/window-memo.ts";
import {
  analysisSpan,
  analyzeHistory,
  boundedAnalysis,
  DRIFT_FINGERPRINT,
  driftRuns,
  driftSubject,
  evidenceAt,
  REACH_WINDOWS,
  RECENT_WINDOWS,
  type ChangeReport,
} from "../../src/core/drift.ts";
import { upsertEntry, type HistoryEntry } from "../../src/core/history.ts";
import golden from "../fixtures/golden/otava-change-points.json";
import firewood from "../fixtures/firewood-bench-history.json";
import { nightEntry } from "../support/entries.ts";

/** No band: every standing change for the worse is a drift, so the alert has the most to say. */
const OPEN: Baseline = {
  throughput_ops_per_sec: { lower: null, upper: null },
  per_batch_p95_ms: { lower: null, upper: null },
  total_duration_ms: { lower: null, upper: null },
};
const MIN_RUNS = 3;

/** Night `i` with its three metrics. */
function night(i: number, throughput: number, p95: number, total: number): HistoryEntry {
  return nightEntry({
    id: `${9_000_000_000 + i}-1`,
    at: new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString(),
    sha: i.toString(16).padStart(40, "0"),
    throughput_ops_per_sec: throughput,
    total_duration_ms: total,
    per_batch_p95_ms: p95,
  });
}

/** Nights at `slowdown` times Firewood's smoke numbers: throughput down, the durations up. */
const slowed = (slowdowns: readonly (readonly [number, number, number])[]) =>
  slowdowns.map(([t, p, d], i) => night(i, 10_233.32 / t, 10.9 * p, 48.86 * d));

type Analyse = (newestFirst: HistoryEntry[], drift: string[], at: string) => ChangeReport;

/**
 * What the drift alert hears, night by night, from one way of analysing: each alert event (the
 * issue opened or commented with a subject, closed) and the evidence at each newest night.
 */
function replay(oldestFirst: readonly HistoryEntry[], analyse: Analyse) {
  let alert: Alert | null = null;
  const events: string[] = [];
  const evidence: string[] = [];
  let history: HistoryEntry[] = [];
  for (const entry of oldestFirst) {
    history = [entry, ...history];
    const report = analyse(history, driftRuns(alert), entry.at);
    evidence.push(
      evidenceAt(report, entry.id)
        .map((c) => `${c.metric}:${c.before_run_id}>${c.run_id}:${c.direction}`)
        .join(" "),
    );
    const subject = driftSubject(report, false);
    const verdict = subject?.verdicts.find((v) => v.fingerprint === DRIFT_FINGERPRINT);
    if (!subject || !verdict) continue;
    const next = transition(alert, verdict, subject);
    alert = next.alert;
    if (next.action) events.push(`${entry.id} ${next.action} ${subject.id}`);
  }
  return { events, evidence };
}

/** The whole history's answers and the bounded analysis's, night by night. */
function both(oldestFirst: readonly HistoryEntry[], options: ChangePointOptions, baseline = OPEN) {
  const full = replay(oldestFirst, (h, _drift, at) => analyzeHistory(h, options, at, baseline, MIN_RUNS));
  const bounded = replay(oldestFirst, (h, drift, at) =>
    boundedAnalysis({ runs: h, complete: true }, drift, options, at, baseline, MIN_RUNS),
  );
  return { full, bounded };
}

function expectSameAlerts(oldestFirst: readonly HistoryEntry[], options: ChangePointOptions, baseline = OPEN) {
  const { full, bounded } = both(oldestFirst, options, baseline);
  expect(bounded.events).toEqual(full.events);
  expect(bounded.evidence).toEqual(full.evidence);
  return full.events;
}

/** mulberry32: a repeatable draw in [0, 1). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 700 noisy nights (±3%, 3% lone outliers 20% slow): a 10% step and its recovery, a 5% step,
 * a ramp of 8% over 20 nights, a 20% step, and the batch p95 alone 8% slower for a while.
 * Throughput is the operations over the total duration: the two move together. A longer
 * history repeats them, each 700 nights beginning with a recovery of all of them.
 */
function noisyHistory(seed: number, nights = 700): HistoryEntry[] {
  const draw = random(seed);
  const jitter = () => 1 + (draw() * 2 - 1) * 0.03;
  const outlier = () => (draw() < 0.03 ? 1.2 : 1);
  return slowed(
    Array.from({ length: nights }, (_, n) => {
      const i = n % 700;
      let level = 1;
      if (i >= 150 && i < 320) level *= 1.1;
      if (i >= 420) level *= 1.05;
      if (i >= 500) level *= 1 + 0.08 * Math.min(1, (i - 500) / 20);
      if (i >= 600) level *= 1.2;
      const p95 = i >= 250 && i < 380 ? 1.08 : 1;
      const o = outlier();
      const total = level * jitter() * o;
      return [total, level * p95 * jitter() * o, total] as const;
    }),
  );
}

const SLOW_MS = 300_000;

describe("the bounded analysis says to the alerts what the whole history's does", () => {
  type Case = { name: string; series: number[]; window: number; pvalue: number; magnitude: number };
  const cases = (golden as { cases: Case[] }).cases;
  const options = (c: Case) => ({ window: c.window, pvalue: c.pvalue, magnitude: c.magnitude });
  // Throughput is better higher, the durations lower: the same series is a step each way.
  const nightsOf = (c: Case) => c.series.map((v, i) => night(i, v, v, v));
  it(
    "over Otava's golden series, every night of them",
    () => {
      let opened = 0;
      // Every one, "random 15" too: a 5% step 10 points before the end of 400, in windows of 30,
      // which a span that slid one run a night placed a night early (388, not 390).
      for (const c of cases) {
        opened += expectSameAlerts(nightsOf(c), options(c)).filter((e) => e.includes("report_bad")).length;
      }
      expect(opened).toBeGreaterThan(10);
    },
    SLOW_MS,
  );

  it(
    "over Firewood's history, with windows short enough for the span to be a part of it",
    () => {
      const byBench = new Map<string, number[]>();
      for (const entry of Object.values(firewood.entries).flat())
        for (const b of entry.benches) byBench.set(b.name, [...(byBench.get(b.name) ?? []), b.value]);
      let events = 0;
      for (const values of byBench.values()) {
        const slowdowns = values.map((v) => values[0] / v);
        for (const window of [10, 20, 50]) {
          const nights = slowed(slowdowns.map((s) => [s, s, s] as const));
          events += expectSameAlerts(nights, { ...DEFAULT_OPTIONS, window }).length;
        }
      }
      expect(events).toBeGreaterThan(0);
    },
    SLOW_MS,
  );

  it.each([1, 2, 3, 4, 5, 6])(
    "over 700 noisy nights with steps, a ramp and recoveries (seed %i)",
    (seed) => {
      const events = expectSameAlerts(noisyHistory(seed), DEFAULT_OPTIONS);
      expect(events.some((e) => e.includes("report_bad"))).toBe(true);
    },
    SLOW_MS,
  );
});

describe("the span of the bounded analysis", () => {
  const window = DEFAULT_OPTIONS.window;
  const step = Math.floor(window / 2);
  const steady = (n: number) => slowed(Array.from({ length: n }, () => [1, 1, 1] as const)).reverse();
  /** The newest `windows` windows of runs, and fewer than half a window more. */
  const windowsAndSome = (windows: number) => ({
    asymmetricMatch: (runs: number) => runs >= windows * window && runs < windows * window + step,
  });

  it("is the newest windows and a few runs more, and the whole history while it is shorter", () => {
    const history = steady(1000);
    expect(analysisSpan({ runs: history.slice(0, 100), complete: false }, window, [])).toBeNull();
    // Where it begins is chosen among the runs up to half a window older: they must be read.
    expect(analysisSpan({ runs: history.slice(0, RECENT_WINDOWS * window), complete: false }, window, [])).toBeNull();
    expect(analysisSpan({ runs: history, complete: false }, window, [])).toEqual({
      runs: windowsAndSome(RECENT_WINDOWS),
      complete: false,
      settles_drift: false,
    });
    expect(analysisSpan({ runs: history.slice(0, 100), complete: true }, window, [])).toEqual({
      runs: 100,
      complete: true,
      settles_drift: true,
    });
  });

  it("reaches REACH_WINDOWS back while a drift is open, and settles it when its runs are a window inside", () => {
    const history = steady(2000);
    const named = (back: number) => [history[back - 1].id];
    const reach = REACH_WINDOWS * window;
    expect(analysisSpan({ runs: history, complete: false }, window, named(500))).toEqual({
      runs: windowsAndSome(REACH_WINDOWS),
      complete: false,
      settles_drift: true,
    });
    expect(analysisSpan({ runs: history.slice(0, reach - 1), complete: false }, window, named(500))).toBeNull();
    for (const back of [reach - window + 1, 1500])
      expect(analysisSpan({ runs: history, complete: false }, window, named(back))).toEqual({
        runs: windowsAndSome(REACH_WINDOWS),
        complete: false,
        settles_drift: false,
      });
    expect(analysisSpan({ runs: history, complete: false }, window, ["gone-1"])?.settles_drift).toBe(false);
  });

  it("keeps its oldest run while newer runs are appended, and moves it seldom", () => {
    const history = steady(2000);
    const oldest = Array.from({ length: 1000 }, (_, older) => {
      const runs = history.slice(older);
      return runs[analysisSpan({ runs, complete: false }, window, [])!.runs - 1].id;
    });
    const moves = oldest.filter((id, i) => i > 0 && id !== oldest[i - 1]).length;
    expect(moves).toBeGreaterThan(0);
    expect(moves).toBeLessThan(oldest.length / 8);
  });

  it("is the same whatever order the history's runs were recorded in", () => {
    const history = noisyHistory(8, 1200);
    const spans = (newestFirst: HistoryEntry[]) =>
      [[], [newestFirst[Math.min(300, newestFirst.length - 1)].id]].map((drift) =>
        analysisSpan({ runs: newestFirst, complete: true }, window, drift),
      );
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: history.length })
          .chain((n) => fc.tuple(fc.constant(n), fc.shuffledSubarray(history.slice(0, n), { minLength: n }))),
        ([n, order]) => {
          const recorded = order.reduce<HistoryEntry[]>((h, e) => upsertEntry(h, e), []);
          expect(spans(recorded)).toEqual(spans(history.slice(0, n).reverse()));
        },
      ),
      { numRuns: 20 },
    );
  });

  it("names the runs of an open drift alert's subjects, and none of a resolved one", () => {
    const alert: Alert = {
      fingerprint: DRIFT_FINGERPRINT,
      kind: "regression",
      suite: "smoke-drift",
      state: "open",
      issue_number: 1,
      issue_url: null,
      opened_by: "drift@throughput_ops_per_sec:100-1,per_batch_p95_ms:101-1",
      opened_at: "2026-01-01T00:00:00.000Z",
      last_run_id: "drift@total_duration_ms:102-1",
      last_run_at: "2026-01-02T00:00:00.000Z",
    };
    expect(driftRuns(alert)).toEqual(["100-1", "101-1", "102-1"]);
    expect(driftRuns({ ...alert, state: "resolved" })).toEqual([]);
    expect(driftRuns(null)).toEqual([]);
  });

  it("never calls a slowdown older than its reach recovered: it says nothing", () => {
    // A 10% slowdown 1 200 nights ago, reported as a drift, and steady since.
    const history = slowed(
      Array.from({ length: 1300 }, (_, i): [number, number, number] => (i < 100 ? [1, 1, 1] : [1.1, 1.1, 1.1])),
    );
    const drift = [history[100].id];
    const newestFirst = [...history].reverse();
    const report = boundedAnalysis({ runs: newestFirst, complete: true }, drift, DEFAULT_OPTIONS, "x", OPEN, 3);
    expect(report).toMatchObject({ runs: windowsAndSome(REACH_WINDOWS), complete: false, settles_drift: false });
    expect(report.evidence).toEqual([]);
    expect(driftSubject(report, false)).toBeNull();
    expect(driftSubject(analyzeHistory(newestFirst, DEFAULT_OPTIONS, "x", OPEN, 3), false)).toBeNull();
  });

  it("gives a history the same report whatever order its runs were recorded in", () => {
    const history = noisyHistory(7).slice(0, 400);
    const expected = boundedAnalysis(
      { runs: [...history].reverse(), complete: true },
      [],
      DEFAULT_OPTIONS,
      "x",
      OPEN,
      3,
    );
    fc.assert(
      fc.property(fc.shuffledSubarray(history, { minLength: history.length }), (order) => {
        const recorded = order.reduce<HistoryEntry[]>((h, e) => upsertEntry(h, e), []);
        expect(boundedAnalysis({ runs: recorded, complete: true }, [], DEFAULT_OPTIONS, "x", OPEN, 3)).toEqual(
          expected,
        );
      }),
      { numRuns: 5 },
    );
  });
});

describe("a settlement's analysis, night after night", () => {
  /** Each night's bounded analysis, and how many windows it computed rather than remembered. */
  function nightly(oldestFirst: readonly HistoryEntry[], check?: (report: ChangeReport, fresh: ChangeReport) => void) {
    const computed: number[] = [];
    replay(oldestFirst, (h, drift, at) => {
      const analyse = () => boundedAnalysis({ runs: h, complete: true }, drift, DEFAULT_OPTIONS, at, OPEN, MIN_RUNS);
      const before = windowsComputed();
      const report = analyse();
      computed.push(windowsComputed() - before);
      if (check) {
        forgetWindows();
        check(report, analyse());
      }
      return report;
    });
    return computed;
  }

  it(
    "computes again only the windows the newest runs changed",
    () => {
      // Past the first 1 100 nights the span no longer reaches the history's start, with a drift
      // open or not: it holds 20 to 40 windows of each metric, and all but a few are remembered.
      // Were it the newest runs alone, beginning a run later each night, 3 would be computed.
      const computed = nightly(noisyHistory(1, 2100)).slice(1100);
      const perMetric = computed.reduce((a, b) => a + b, 0) / computed.length / 3;
      expect(perMetric).toBeGreaterThan(0);
      expect(perMetric).toBeLessThanOrEqual(2.5);
    },
    SLOW_MS,
  );

  it(
    "gives the reports that analysing every window afresh gives",
    () => {
      let nights = 0;
      nightly(noisyHistory(2, 1000), (report, fresh) => {
        expect(report).toEqual(fresh);
        nights++;
      });
      expect(nights).toBe(1000);
    },
    SLOW_MS,
  );

  it(
    "gives a long history the same report whatever order its runs were recorded in",
    () => {
      const history = noisyHistory(3, 900);
      forgetWindows();
      const analyse = (newestFirst: HistoryEntry[]) =>
        boundedAnalysis({ runs: newestFirst, complete: true }, [], DEFAULT_OPTIONS, "x", OPEN, MIN_RUNS);
      const expected = analyse([...history].reverse());
      fc.assert(
        fc.property(fc.shuffledSubarray(history, { minLength: history.length }), (order) => {
          expect(analyse(order.reduce<HistoryEntry[]>((h, e) => upsertEntry(h, e), []))).toEqual(expected);
        }),
        { numRuns: 5 },
      );
    },
    SLOW_MS,
  );
});
