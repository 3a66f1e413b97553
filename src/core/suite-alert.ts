/**
 * What a suite's series say to its regression alert. Its evidence is the change points of each
 * series, taken as the smoke drift takes them (`levels`: CHANGE_MIN_RUNS points at the levels on
 * both sides), and, for a suite judged by a baseline file (pruning), a series whose latest point
 * is out of its band (`bandBreaches`). One alert per suite, however many of its series moved or
 * left their band: one slowdown usually moves several benches at once.
 */
import { fingerprintOf, type AlertSubject } from "./alert.ts";
import { levels, type ChangePointOptions } from "./changepoints/analysis.ts";
import { placeChanges, type Series, type SeriesChange } from "./series.ts";
import { bandBreaches } from "./suite-bands.ts";
import type { Suite } from "./suites.ts";

/** A series whose latest change, borne out, went the bad way and is recent. */
export interface MovedSeries {
  series: Series;
  change: SeriesChange;
}

/**
 * The change points of a series that are evidence: each with `minRuns` points at its levels on
 * both sides. The change points themselves were found when the series was merged (`mergeSeries`):
 * only the levels between them are tested here.
 */
export function seriesEvidence(series: Series, options: ChangePointOptions, minRuns: number): SeriesChange[] {
  const found = series.changes.map((c) => ({ index: c.index, qhat: 0 }));
  const evidence = levels(
    series.points.map((p) => p.value),
    found,
    options,
    minRuns,
  );
  return placeChanges(series.points, evidence, series.bigger_is_better);
}

/**
 * Each series of the suite whose latest evidence change went the bad way within the last
 * `options.window` points (an older one is old news, as for the smoke drift), worst first.
 */
export function movedSeries(
  suite: string,
  all: readonly Series[],
  options: ChangePointOptions,
  minRuns: number,
): { moved: MovedSeries[]; standingBetter: boolean } {
  const moved: MovedSeries[] = [];
  let standingBetter = true;
  for (const series of all.filter((s) => s.suite === suite)) {
    const latest = seriesEvidence(series, options, minRuns).at(-1);
    if (!latest || latest.direction === "better") continue;
    standingBetter = false;
    if (series.points.length - latest.index <= options.window) moved.push({ series, change: latest });
  }
  moved.sort((a, b) => relative(b.change) - relative(a.change));
  return { moved, standingBetter };
}

/** How far a change moved, as a fraction of the level before it, whichever way is worse. */
export function relative(c: SeriesChange): number {
  return c.mean_before === 0 ? 0 : Math.abs(c.mean_after / c.mean_before - 1);
}

/**
 * The suite's alert subject after its series grew: bad while series stand moved or out of their
 * band (a new set is news, the same set again is not), good once none is out of its band and no
 * series' latest change is for the worse, and nothing while a bad change is old news. A suite with
 * `alerts.change_points` false is judged by its bands alone.
 */
export function suiteSubject(
  suite: string,
  all: readonly Series[],
  options: ChangePointOptions,
  minRuns: number,
  at: string,
  alerts: Pick<Suite["alerts"], "change_points">,
): AlertSubject | null {
  // A suite that looks for no change points still hears its bands: they are a file's verdict, not a search.
  const { moved, standingBetter } = alerts.change_points
    ? movedSeries(suite, all, options, minRuns)
    : { moved: [], standingBetter: true };
  const breaches = bandBreaches(suite, all);
  const verdicts = (bad: boolean) => [
    { fingerprint: fingerprintOf("regression", suite), kind: "regression" as const, suite, bad },
  ];
  if (moved.length > 0 || breaches.length > 0) {
    const parts = [
      moved.length > 0 && `moved@${moved.map((m) => `${m.series.key}:${m.change.sha ?? m.change.at}`).sort()}`,
      // Out of band since the same point: the same news, however many nights it stays out.
      breaches.length > 0 && `band@${breaches.map((b) => `${b.series.key}:${b.since.sha ?? b.since.at}`).sort()}`,
    ];
    const id = parts.filter(Boolean).join(";");
    return { id: id.slice(0, 480), at, verdicts: verdicts(true), pr_number: null };
  }
  if (!standingBetter) return null;
  const latest = all
    .filter((s) => s.suite === suite)
    .map((s) => s.points.at(-1)?.at ?? "")
    .sort()
    .at(-1);
  return latest ? { id: `steady@${latest}`, at, verdicts: verdicts(false), pr_number: null } : null;
}

/** A suite's series as the status page shows them: the moved ones first, the rest folded. */
export interface SuiteSeries {
  suite: string;
  moved: Series[];
  steady: Series[];
}

/**
 * Every suite's series, the suites in `order` first (the declared ones), then any other suite
 * (imported history) by name; within each, the series that moved, worst first, then the rest.
 */
export function groupSeries(
  all: readonly Series[],
  order: readonly string[],
  options: ChangePointOptions,
  minRuns: number,
): SuiteSeries[] {
  const names = [...new Set(all.map((s) => s.suite))].sort(
    (a, b) => rank(order, a) - rank(order, b) || (a < b ? -1 : a > b ? 1 : 0),
  );
  return names.map((suite) => {
    const moved = movedSeries(suite, all, options, minRuns).moved.map((m) => m.series);
    const keys = new Set(moved.map((s) => s.key));
    return { suite, moved, steady: all.filter((s) => s.suite === suite && !keys.has(s.key)) };
  });
}

function rank(order: readonly string[], name: string): number {
  const i = order.indexOf(name);
  return i < 0 ? order.length : i;
}
