/**
 * Drift: change points in the history of the three smoke metrics, tied to the runs where they
 * begin. A change point that goes the bad way while the nights stay inside the static band is
 * a regression the band cannot see.
 */
import type { AlertSubject } from "./alert.ts";
import { SMOKE_METRICS, withinRange, type Baseline, type MetricKey } from "./baseline.ts";
import { detectChangePoints, levels, type ChangePoint, type ChangePointOptions } from "./changepoints/analysis.ts";
import { isNight, type HistoryEntry } from "./history.ts";
import { placeChanges, type SeriesChange } from "./series.ts";

export const DRIFT_FINGERPRINT = "regression:smoke-drift";

/** A change point of a smoke metric, and the runs on either side of it. */
export interface RunChange extends SeriesChange {
  metric: MetricKey;
  /** The first run after the change, and the last one before it. */
  run_id: string;
  before_run_id: string;
}

export interface ChangeReport {
  computed_at: string;
  /** The newest run analysed, and how many runs were. */
  latest_run_id: string | null;
  runs: number;
  options: ChangePointOptions;
  changes: RunChange[];
  /** The change points that are evidence (`levels`), each tested against the levels beside it. */
  evidence: RunChange[];
  /** The drifts to report (`driftFindings`), found once with the analysis and read by every reader. */
  drifts: RunChange[];
  /** Runs each level beside a change point must hold for it to be evidence (CHANGE_MIN_RUNS). */
  min_runs: number;
}

/**
 * The runs change points are looked for in, oldest first: one point per night of the tracked
 * branch with a result. A confirming run is a second sample of its night, not a night of its
 * own. A night its rerun refuted was noise: its point is the rerun's measurement, so the
 * outlier can never become a change point, and a real step that began that night still shows.
 */
function analysedRuns(newestFirst: readonly HistoryEntry[]): HistoryEntry[] {
  const reruns = new Map(newestFirst.filter((e) => e.dispatch_kind === "confirm").map((e) => [e.id, e]));
  return newestFirst
    .flatMap((e): HistoryEntry[] => {
      if (!isNight(e) || e.throughput_ops_per_sec === null) return [];
      if (e.confirmation !== "refuted") return [e];
      const rerun = e.rerun ? reruns.get(e.rerun) : undefined;
      return rerun?.throughput_ops_per_sec == null ? [] : [{ ...rerun, id: e.id, at: e.at, sha: e.sha }];
    })
    .reverse();
}

/**
 * The change points of each metric over the whole history. Not Otava's incremental mode: it
 * keeps points an earlier, shorter history suggested (3 of 200 noisy series appended one run at
 * a time ended with extra change points), and a history must get the same answer whatever
 * order its runs arrived in. A whole analysis of 1 000 runs takes milliseconds (npm run bench).
 */
export function analyzeHistory(
  newestFirst: readonly HistoryEntry[],
  options: ChangePointOptions,
  computedAt: string,
  baseline: Baseline,
  minRuns: number,
): ChangeReport {
  const runs = analysedRuns(newestFirst);
  const metrics = SMOKE_METRICS.map((metric) => {
    const values = runs.map((r) => r[metric.key]);
    const found = detectChangePoints(values, options).points;
    const placed = (points: ChangePoint[]) =>
      placeChanges(runs, points, metric.better === "higher").map(
        (c): RunChange => ({ metric: metric.key, ...c, run_id: runs[c.index].id, before_run_id: runs[c.index - 1].id }),
      );
    return { changes: placed(found), evidence: placed(levels(values, found, options, minRuns)) };
  });
  const report = {
    computed_at: computedAt,
    latest_run_id: runs.at(-1)?.id ?? null,
    runs: runs.length,
    options,
    changes: metrics.flatMap((m) => m.changes),
    evidence: metrics.flatMap((m) => m.evidence),
    min_runs: minRuns,
  };
  return { ...report, drifts: driftFindings(report, baseline) };
}

/** Each metric's latest change point, where it has one. */
export function latestChanges(report: Pick<ChangeReport, "changes">): RunChange[] {
  return SMOKE_METRICS.flatMap((m) => report.changes.filter((c) => c.metric === m.key).slice(-1));
}

/** The change points that begin at a run. */
export function changesAt(report: ChangeReport | null, runId: string): RunChange[] {
  return report ? report.changes.filter((c) => c.run_id === runId) : [];
}

/** Runs that stand from a change point on, its first included. */
function held(report: Pick<ChangeReport, "runs">, c: RunChange): number {
  return report.runs - c.index;
}

/**
 * The change points that begin at a run and are evidence: those with `min_runs` runs on either
 * side up to the change points beside them (`levels`). E-divisive reports a change point at the
 * newest night whenever that one night stands out (p ≈ 1e-7 for a single slow night after ten
 * ordinary ones), so a change point younger than that says no more than the one night does: it
 * is neither a reason to skip confirming the night, nor a drift. The same holds at the oldest
 * end, where one odd first night is a change point of its own, and between two change points.
 */
export function evidenceAt(report: ChangeReport | null, runId: string): RunChange[] {
  return report ? report.evidence.filter((c) => c.run_id === runId) : [];
}

/**
 * The drifts to report: a metric's latest change point that is evidence went the bad way and
 * began within the last window of runs, to a level still inside the baseline's band. A level
 * outside the band is the static regression alert's to report, and an older change has been
 * reported already.
 */
export function driftFindings(report: Omit<ChangeReport, "drifts">, baseline: Baseline): RunChange[] {
  return standingWorse(report).filter((c) => withinRange(c.mean_after, baseline[c.metric]));
}

/**
 * The metrics whose latest evidenced change went the bad way within the last window of runs:
 * the level is still worse than before it, whether or not the nights are inside the band.
 */
export function standingWorse(report: Omit<ChangeReport, "drifts">): RunChange[] {
  return latestChanges({ changes: report.evidence }).filter(
    (c) => c.direction === "worse" && held(report, c) <= report.options.window,
  );
}

/**
 * What an analysis says to the drift alert: bad while there are drifts (a new set of drifts
 * is news, the same set again is not), good once every metric's latest change went the good
 * way, and nothing while a bad change is old news, or while a regression of it is reported.
 */
export function driftSubject(report: ChangeReport, regressionReported: boolean): AlertSubject | null {
  if (!report.latest_run_id) return null;
  const findings = report.drifts;
  const verdict = (bad: boolean) => [
    { fingerprint: DRIFT_FINGERPRINT, kind: "regression" as const, suite: "smoke-drift", bad },
  ];
  if (findings.length > 0) {
    // One slowdown, one issue: while its regression is reported, a drift is the same news.
    if (regressionReported) return null;
    return {
      id: `drift@${findings.map((c) => `${c.metric}:${c.run_id}`).join(",")}`,
      at: report.computed_at,
      verdicts: verdict(true),
      pr_number: null,
    };
  }
  if (latestChanges({ changes: report.evidence }).every((c) => c.direction === "better")) {
    return { id: `changes@${report.latest_run_id}`, at: report.computed_at, verdicts: verdict(false), pr_number: null };
  }
  return null;
}
