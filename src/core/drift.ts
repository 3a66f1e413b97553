/**
 * Drift: change points in the history of the three smoke metrics, tied to the runs where they
 * begin. A change point that goes the bad way while the nights stay inside the static band is
 * a regression the band cannot see.
 */
import { fingerprintOf, type Acceptance, type Alert, type AlertSubject } from "./alert.ts";
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
  /** The oldest run analysed: the first of the history, or of the newest runs (`boundedAnalysis`). */
  from_run_id: string | null;
  /** Whether every run of the history was analysed; the charts want it, the alerts need less. */
  complete: boolean;
  /**
   * Whether a metric with no change in the runs analysed has none that matters: they reach back
   * before the open drift's changes (`analysisSpan`), or are the whole history. Only then is
   * "no change" good news: outside the runs analysed, it is no news at all.
   */
  settles_drift: boolean;
}

/**
 * The runs change points are looked for in, oldest first: one point per night of the tracked
 * branch with a result. A confirming run is a second sample of its night, not a night of its
 * own. A night its rerun refuted was noise: its point is the rerun's measurement, so the
 * outlier can never become a change point, and a real step that began that night still shows.
 */
function analysedRuns(newestFirst: readonly HistoryEntry[]): HistoryEntry[] {
  const reruns = new Map<string, HistoryEntry>();
  for (const e of newestFirst) if (e.dispatch_kind === "confirm") reruns.set(e.id, e);
  // A loop, oldest first: a settlement reads a thousand runs or more, and sees each once.
  const runs: HistoryEntry[] = [];
  for (let i = newestFirst.length - 1; i >= 0; i--) {
    const e = newestFirst[i];
    if (!isNight(e) || e.throughput_ops_per_sec === null) continue;
    if (e.confirmation !== "refuted") runs.push(e);
    else {
      const rerun = e.rerun ? reruns.get(e.rerun) : undefined;
      if (rerun?.throughput_ops_per_sec != null) runs.push({ ...rerun, id: e.id, at: e.at, sha: e.sha });
    }
  }
  return runs;
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
  return analyzeRuns(analysedRuns(newestFirst), options, computedAt, baseline, minRuns, true, true);
}

/**
 * Windows of the newest runs a settlement analyses. The alerts ask about the latest window
 * only (`standingWorse`), but where E-divisive places a change depends on how its sliding
 * windows fall, and they fall from the first run analysed. Replayed night by night over the
 * histories of test/core/bounded-analysis.test.ts, 4 windows placed changes differently on 6
 * of 6 noisy histories (a new drift subject: a spurious comment), 6 on 4, 8 on 1, 10 on none.
 */
export const RECENT_WINDOWS = 10;
/**
 * Windows analysed while a drift is open: its recovery is "no change for the worse" in them,
 * which is news only when they reach a window before the runs it named (`settles_drift`), and
 * when no older change for the worse is left out (the whole history's analysis would still
 * see it). Beyond them a slowdown is left open: no news, never "recovered".
 */
export const REACH_WINDOWS = 20;

/** The runs an open drift alert was raised on: those its subjects (`drift@metric:run,…`) name. */
export function driftRuns(alert: Alert | null): string[] {
  if (alert?.state !== "open") return [];
  return [alert.opened_by, alert.last_run_id]
    .filter((id) => id.startsWith("drift@"))
    .flatMap((id) => id.slice("drift@".length).split(","))
    .map((change) => change.slice(change.indexOf(":") + 1));
}

/** How many of the newest analysed runs a bounded analysis looks at, and what it can say. */
export interface Span {
  runs: number;
  complete: boolean;
  settles_drift: boolean;
}

/**
 * The span of a bounded analysis, given the newest runs of the history read so far (`read`,
 * newest first, `complete` when it reaches the history's start); null while more must be read.
 * It is `RECENT_WINDOWS` of the newest analysed runs, or `REACH_WINDOWS` while a drift is open,
 * and fewer than half a window more, so that it begins where it began the night before
 * (`stickySpan`). A function of the history and the open alert alone: the same whatever order
 * runs arrived in.
 */
export function analysisSpan(
  read: { runs: readonly HistoryEntry[]; complete: boolean },
  window: number,
  drift: readonly string[],
): Span | null {
  return spanOf(analysedRuns(read.runs), read.complete, window, drift);
}

/** `analysisSpan` of the analysed runs read (oldest first), `whole` when they are all the history's. */
function spanOf(runs: readonly HistoryEntry[], whole: boolean, window: number, drift: readonly string[]): Span | null {
  const reach = REACH_WINDOWS * window;
  const positions = drift.map((id) => runs.findIndex((r) => r.id === id));
  const found = positions.every((i) => i >= 0);
  const needed = found ? runs.length - Math.min(...positions) + window : Number.POSITIVE_INFINITY;
  const target = drift.length === 0 ? RECENT_WINDOWS * window : reach;
  const more = Math.floor(window / 2);
  if (runs.length < target + more && !whole) return null;
  const span = stickySpan(runs, target, more);
  const complete = whole && span === runs.length;
  return { runs: span, complete, settles_drift: complete || (drift.length > 0 && needed <= reach) };
}

/**
 * How many of the newest analysed runs (oldest first: all the history's, or `target + more` at
 * least) to analyse: `target`, and fewer than `more` more. The first of them is the candidate
 * whose id hashes smallest (winnowing), so newer runs do not move it: the windows that begin
 * there hold the same runs night after night (window-memo.ts remembers them), until it is too
 * old and the next smallest is first. The whole history while it is shorter than that.
 */
function stickySpan(runs: readonly HistoryEntry[], target: number, more: number): number {
  if (runs.length < target + more) return runs.length;
  let span = target;
  for (let candidate = target + 1; candidate < target + more; candidate++) {
    if (idHash(runs[runs.length - candidate].id) < idHash(runs[runs.length - span].id)) span = candidate;
  }
  return span;
}

/** A stable 32-bit hash of a run's id: FNV-1a, then murmur3's finaliser to spread ids a digit apart. */
function idHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The change points of the newest runs alone (`analysisSpan`), for a settlement: what the
 * alerts need of the history, at a cost that does not grow with it. `read` must hold enough.
 */
export function boundedAnalysis(
  read: { runs: readonly HistoryEntry[]; complete: boolean },
  drift: readonly string[],
  options: ChangePointOptions,
  computedAt: string,
  baseline: Baseline,
  minRuns: number,
): ChangeReport {
  const all = analysedRuns(read.runs);
  const span = spanOf(all, read.complete, options.window, drift);
  if (!span) throw new Error("the history read is too short for the analysis");
  const runs = all.slice(all.length - span.runs);
  return analyzeRuns(runs, options, computedAt, baseline, minRuns, span.complete, span.settles_drift);
}

function analyzeRuns(
  runs: readonly HistoryEntry[],
  options: ChangePointOptions,
  computedAt: string,
  baseline: Baseline,
  minRuns: number,
  complete: boolean,
  settlesDrift: boolean,
): ChangeReport {
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
    from_run_id: runs[0]?.id ?? null,
    complete,
    settles_drift: settlesDrift,
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
 * The metrics whose latest evidenced change went the good way within the last window of runs:
 * a speed-up that held as long as a drift must (`min_runs` on either side), so one fast night
 * is none.
 */
export function standingBetter(report: Omit<ChangeReport, "drifts">): RunChange[] {
  return latestChanges({ changes: report.evidence }).filter(
    (c) =>
      c.direction === "better" &&
      held(report, c) <= report.options.window &&
      Math.abs(c.mean_after / c.mean_before - 1) >= IMPROVEMENT_MIN,
  );
}

/**
 * The least change for the better worth telling anyone: on a quiet machine E-divisive finds
 * 1% steps, and Firewood's nights vary by a few percent; a speed-up is news from 5% on.
 */
export const IMPROVEMENT_MIN = 0.05;

/**
 * What an analysis says of good news: one verdict per standing improvement, keyed by its metric
 * and the run where it began, so a later analysis finding it again tells no one twice. Told on
 * the open regression or drift issue when there is one.
 */
export function improvementSubject(report: ChangeReport): AlertSubject | null {
  const better = standingBetter(report);
  if (better.length === 0 || !report.latest_run_id) return null;
  const on = [fingerprintOf("regression", "smoke"), DRIFT_FINGERPRINT];
  return {
    id: `improvement@${report.latest_run_id}`,
    at: report.computed_at,
    verdicts: better.map((c) => ({
      fingerprint: `${fingerprintOf("improvement", "smoke")}:${c.metric}:${c.run_id}`,
      kind: "improvement" as const,
      suite: "smoke",
      bad: false,
      improvement: {
        metric: c.metric,
        run_id: c.run_id,
        before_run_id: c.before_run_id,
        sha: c.sha,
        at: c.at,
        mean_before: c.mean_before,
        mean_after: c.mean_after,
        on,
      },
    })),
    pr_number: null,
  };
}

/**
 * What an analysis says to the drift alert: bad while there are drifts (a new set of drifts
 * is news, the same set again is not), good once every metric's latest change went the good
 * way, and nothing while a bad change is old news, or while a regression of it is reported, or
 * when the analysis does not reach back far enough to tell (`settles_drift`).
 */
export function driftSubject(
  report: ChangeReport,
  regressionReported: boolean,
  accepted: readonly Acceptance[] = [],
): AlertSubject | null {
  if (!report.latest_run_id) return null;
  // A change to a level a maintainer accepted is no news while the level stays.
  const findings = report.drifts.filter((c) => !accepted.some((a) => withinRange(c.mean_after, a.baseline[c.metric])));
  if (findings.length === 0 && report.drifts.length > 0) return null;
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
  if (report.settles_drift && latestChanges({ changes: report.evidence }).every((c) => c.direction === "better")) {
    return { id: `changes@${report.latest_run_id}`, at: report.computed_at, verdicts: verdict(false), pr_number: null };
  }
  return null;
}
