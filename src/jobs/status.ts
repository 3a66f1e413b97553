/** The status query: the precomputed document, judged against the clock. */
import { SMOKE_METRICS, sourceName, type Baseline, type BaselineSource } from "../core/baseline.ts";
import type { Config } from "../core/config.ts";
import {
  badgeOf,
  seriesSuiteSignal,
  signalOf,
  suiteBadge,
  type Badge,
  type Signal,
  type StatusDocument,
} from "../core/status.ts";
import { groupSeries, type SuiteSeries } from "../core/suite-alert.ts";
import { suiteResults } from "../core/suite-results.ts";
import { latestBands, type BandVerdict } from "../core/suite-bands.ts";
import type { Suite } from "../core/suites.ts";
import { changeOptions } from "./changes.ts";
import type { LoopDeps } from "./deps.ts";
import type { Alert } from "../core/alert.ts";
import type { DashboardCheck } from "../core/dashboards.ts";
import type { ChangeReport } from "../core/drift.ts";
import { isNight, type HistoryEntry } from "../core/history.ts";
import type { Series } from "../core/series.ts";
import type { AlertStore, ChangeStore, DashboardStore, RunStore, SeriesStore } from "../store/ports.ts";

export interface StatusDeps {
  runs: RunStore;
  alerts: AlertStore;
  dashboards: DashboardStore;
  changes: ChangeStore;
  config: Config;
  now: () => Date;
}

export interface CurrentStatus {
  doc: StatusDocument | null;
  signal: Signal;
  alerts: readonly Alert[];
  /** Alerts whose last episode a maintainer accepted. */
  accepted: readonly Alert[];
  dashboards: DashboardCheck | null;
  changes: ChangeReport | null;
}

/** The signal alone, for the badge: one read. */
export async function currentBadge(deps: Pick<StatusDeps, "runs" | "config" | "now">): Promise<Badge> {
  const doc = await deps.runs.status();
  return badgeOf(signalOf(doc, deps.now(), deps.config.STALE_AFTER_HOURS), doc);
}

export async function currentStatus(deps: StatusDeps): Promise<CurrentStatus> {
  const [doc, { open: alerts, accepted }, dashboards, changes] = await Promise.all([
    deps.runs.status(),
    deps.alerts.standing(),
    deps.dashboards.latest(),
    deps.changes.latest(),
  ]);
  const signal = signalOf(doc, deps.now(), deps.config.STALE_AFTER_HOURS);
  return { doc, signal, alerts, accepted, dashboards, changes };
}

export interface Overview extends CurrentStatus {
  /** The latest `charted` nights of the tracked branch (no confirming runs: one point a night), oldest first. */
  charted: HistoryEntry[];
  /** The latest `listed` runs of any branch, newest first. */
  recent: HistoryEntry[];
  /** Every suite's series, the moved ones first. */
  suites: SuiteSeries[];
}

/** What the status page shows: the status, the recent history, and the imported series. */
export async function currentOverview(
  deps: StatusDeps & { series: SeriesStore },
  counts: { charted: number; listed: number },
): Promise<Overview> {
  // Pull requests' runs are few beside the nightly ones: a few pages hold the charted runs.
  const [status, page, series] = await Promise.all([
    currentStatus(deps),
    deps.runs.history(counts.charted * 3, null),
    deps.series.all(),
  ]);
  return {
    ...status,
    charted: page.runs.filter(isNight).slice(0, counts.charted).reverse(),
    recent: page.runs.slice(0, counts.listed),
    suites: groupSeries(
      series,
      deps.config.CHIMNEY_SUITES.map((s) => s.name),
      changeOptions(deps.config),
      deps.config.CHANGE_MIN_RUNS,
    ),
  };
}

/** A suite's state, and for a suite judged by a baseline file (pruning), what its latest points' bands say. */
export interface SuiteSignal {
  name: string;
  signal: Signal;
  bands?: BandVerdict | null;
}

/** Each suite's state; the series are read only when a suite is watched through them. */
export async function currentSuiteSignals(
  deps: { config: Config; series: SeriesStore },
  smoke: Signal,
  alerts: readonly Alert[],
): Promise<SuiteSignal[]> {
  const suites = deps.config.CHIMNEY_SUITES;
  const series = suites.some((s) => s.format !== "smoke") ? await deps.series.heads() : [];
  return suiteSignals(suites, smoke, series, alerts);
}

/** Each suite's state: smoke's is the nightly signal, the others' come from their series and alerts. */
function suiteSignals(
  suites: readonly Suite[],
  smoke: Signal,
  series: readonly Series[],
  alerts: readonly Alert[],
): SuiteSignal[] {
  return suites.map((s) => ({
    name: s.name,
    signal: s.format === "smoke" ? smoke : seriesSuiteSignal(s.name, series, alerts),
    ...(s.format === "pruning" && s.baseline ? { bands: latestBands(s.name, series) } : {}),
  }));
}

/** The badge of a suite watched through its series: two reads. */
export async function currentSuiteBadge(
  deps: { series: SeriesStore; alerts: AlertStore },
  suite: Suite,
): Promise<Badge> {
  const [series, alerts] = await Promise.all([deps.series.heads(), deps.alerts.open()]);
  return suiteBadge(suite.name, seriesSuiteSignal(suite.name, series, alerts));
}

/** A suite's results, newest first, from its series: `before` is the `next` of the page before. */
export async function currentSuiteResults(
  deps: { series: SeriesStore },
  suite: Suite,
  limit: number,
  before: string | null,
) {
  const { results, next } = suiteResults(await deps.series.all(), suite.name, limit, before);
  return { suite: suite.name, results, next };
}

/**
 * The baseline that judged the last settled night, and which file at which commit that was (or
 * the fallback, and why); before any night has a result, the configured baseline.
 */
export async function judgedBaseline(
  deps: Pick<LoopDeps, "runs" | "baseline" | "baselineSource">,
): Promise<Baseline & { source: string; judged_by: BaselineSource; run: string | null; reason?: string }> {
  const doc = await deps.runs.status();
  const night = doc?.night ? await deps.runs.run(doc.night.id) : null;
  const report = night?.report;
  if (!night || !report) {
    return {
      source: sourceName(deps.baselineSource),
      judged_by: deps.baselineSource,
      run: null,
      reason: night
        ? `the last settled night, run ${night.id}, has no result: this is the configured baseline`
        : "no night has settled yet: this is the configured baseline",
      ...deps.baseline,
    };
  }
  const bands = Object.fromEntries(
    SMOKE_METRICS.map(({ key }) => [key, { lower: report[key].lower, upper: report[key].upper }]),
  ) as Baseline;
  return { source: sourceName(report.source), judged_by: report.source, run: night.id, ...bands };
}
