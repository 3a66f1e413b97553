/**
 * The alerting rules of other tools, written from their documentation, over the same nights:
 * each says, night by night, whether it would alert. chimney's own policy is not here: it runs
 * through chimney's code (chimney.ts).
 */
import { outOfRange, SMOKE_METRICS, evaluate, type Baseline, type MetricKey } from "../../src/core/baseline.ts";
import { DEFAULT_OPTIONS } from "../../src/core/changepoints/analysis.ts";
import { studentTwoSided } from "../../src/core/changepoints/significance.ts";
import { analyzeHistory } from "../../src/core/drift.ts";
import { historyEntry } from "../../src/core/history.ts";
import type { Measurements } from "../../src/core/metrics.ts";
import { newRun, stateOfReport } from "../../src/core/run.ts";

/** A rule fed one night at a time; it answers whether it alerts on that night. */
export interface Rule {
  name: string;
  night(m: Measurements): boolean;
}

/** Worse is up: durations as they are, throughput turned around. */
const worseUp = (key: MetricKey, m: Measurements) =>
  SMOKE_METRICS.find((s) => s.key === key)?.better === "higher" ? -m[key] : m[key];

/** A rule that fails every night outside the band alerts once per stretch of failing nights. */
function risingEdge(name: string, fails: (m: Measurements) => boolean): Rule {
  let failing = false;
  return {
    name,
    night(m) {
      const now = fails(m);
      const alert = now && !failing;
      failing = now;
      return alert;
    },
  };
}

/** Firewood's workflow today: every night outside the ±15% band fails (the seed's rule). */
export function seedRule(baseline: Baseline): Rule {
  return risingEdge(
    "the seed's band rule (±15%)",
    (m) => outOfRange(evaluate(m, baseline, { type: "Embedded" })).length > 0,
  );
}

/** github-action-benchmark: the ratio to the previous night above `alert-threshold` (150%, as Firewood uses it). */
export function githubActionBenchmark(threshold = 1.5): Rule {
  let previous: Measurements | null = null;
  return {
    name: "github-action-benchmark (150% of the previous night)",
    night(m) {
      const before = previous;
      previous = m;
      if (!before) return false;
      return SMOKE_METRICS.some(({ key, better }) =>
        better === "higher" ? before[key] / m[key] > threshold : m[key] / before[key] > threshold,
      );
    },
  };
}

/** The one-sided Student t quantile: the t with P(T > t) = 1 − `p` at `df` degrees of freedom. */
export function tQuantile(p: number, df: number): number {
  let lo = 0;
  let hi = 100;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (studentTwoSided(mid, df) / 2 > 1 - p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

const meanSd = (xs: readonly number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
  return { mean, sd };
};

/**
 * A rule that judges each night's metrics against the last `window` nights of the same metric
 * (worse turned up), once it has `minSample` of them.
 */
function againstHistory(
  name: string,
  window: number,
  minSample: number,
  worse: (x: number, mean: number, sd: number, n: number) => boolean,
): Rule {
  const seen = new Map<MetricKey, number[]>();
  return risingEdge(name, (m) => {
    let alert = false;
    for (const { key } of SMOKE_METRICS) {
      const values = seen.get(key) ?? [];
      const x = worseUp(key, m);
      if (values.length >= minSample) {
        const { mean, sd } = meanSd(values);
        if (worse(x, mean, sd, values.length)) alert = true;
      }
      seen.set(key, [...values, x].slice(-window));
    }
    return alert;
  });
}

/**
 * Bencher's t-test threshold: the limit is the sample mean plus the Student t quantile of the
 * boundary (0.99) times the sample standard deviation, over the last `maxSample` nights (64).
 */
export function bencher(boundary = 0.99, maxSample = 64, minSample = 2): Rule {
  return againstHistory(
    "Bencher (t-test, upper boundary 0.99, last 64)",
    maxSample,
    minSample,
    (x, mean, sd, n) => x > mean + tQuantile(boundary, n - 1) * sd,
  );
}

/** Conbench's lookback z-score: more than `threshold` standard deviations worse than the history (last 100). */
export function conbench(threshold = 5, lookback = 100, minSample = 2): Rule {
  return againstHistory(
    "Conbench (z-score above 5)",
    lookback,
    minSample,
    (x, mean, sd) => sd > 0 && (x - mean) / sd > threshold,
  );
}

/**
 * Apache Otava alone: after every night, E-divisive over the history (chimney's exact port of
 * it); an alert for each change point for the worse that was not there before.
 */
export function otava(baseline: Baseline): Rule {
  const entries: ReturnType<typeof historyEntry>[] = [];
  const flagged = new Set<string>();
  return {
    name: "Apache Otava alone (a new change point for the worse)",
    night(m) {
      const i = entries.length;
      const report = evaluate(m, baseline, { type: "Embedded" });
      const at = new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString();
      entries.unshift(
        historyEntry(
          newRun({ id: `${i + 1}-1`, state: stateOfReport(report), at, mainline: true, measurements: m, report }),
        ),
      );
      const found = analyzeHistory(entries, DEFAULT_OPTIONS, at, baseline, 1).changes.filter(
        (c) => c.direction === "worse" && !flagged.has(`${c.metric}@${c.run_id}`),
      );
      for (const c of found) flagged.add(`${c.metric}@${c.run_id}`);
      return found.length > 0;
    },
  };
}
