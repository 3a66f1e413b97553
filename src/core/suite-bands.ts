/**
 * A suite's bands from its baseline file: each point of a pruning series says how it stood
 * against the band of its variant's profile in the file that judged it (at the run's commit, or
 * the fallback). The alert and the pages read the bands from the points, so a verdict never
 * changes once kept, as a point never does.
 */
import { compareTo, sourceName, type BaselineSource } from "./baseline.ts";
import type { Bench } from "./formats/bench.ts";
import { pruningBenchOf } from "./formats/pruning.ts";
import type { PruningBaseline } from "./pruning.ts";
import type { PointBand, Series, SeriesPoint } from "./series.ts";

/** The band of each bench of a pruning result (by bench name) in `baseline`, judged as FORMATS §2 says. */
export function pruningBands(
  benches: readonly Bench[],
  baseline: PruningBaseline,
  source: BaselineSource,
): Map<string, PointBand> {
  const bands = new Map<string, PointBand>();
  for (const bench of benches) {
    const of = pruningBenchOf(bench.name);
    if (!of) continue;
    const profile = Object.hasOwn(baseline, of.variant) ? baseline[of.variant] : null;
    if (!profile) {
      bands.set(bench.name, { lower: null, upper: null, within_range: null, source });
      continue;
    }
    const { lower, upper, within_range } = compareTo(bench.value, profile[of.key]);
    bands.set(bench.name, { lower, upper, within_range, source });
  }
  return bands;
}

/** A series whose latest point is out of its band. */
export interface BandBreach {
  series: Series;
  point: SeriesPoint & { band: PointBand };
  /** The first point of the run of out-of-band points that ends with the latest. */
  since: SeriesPoint;
  /** The point before `since`: the good end of the bisect range. */
  good: SeriesPoint | null;
}

/** Each series of the suite whose latest point is out of its band, in the order of the series. */
export function bandBreaches(suite: string, all: readonly Series[]): BandBreach[] {
  const breaches: BandBreach[] = [];
  for (const series of all.filter((s) => s.suite === suite)) {
    const point = series.points.at(-1);
    if (point?.band?.within_range !== false) continue;
    let first = series.points.length - 1;
    while (first > 0 && series.points[first - 1].band?.within_range === false) first--;
    breaches.push({
      series,
      point: point as BandBreach["point"],
      since: series.points[first],
      good: first > 0 ? series.points[first - 1] : null,
    });
  }
  return breaches;
}

/** What the bands of some points say together: the latest of each series, or one result's. */
export interface BandVerdict {
  state: "in_band" | "out_of_band" | "unjudged";
  /** The series out of their band, by name. */
  out_of_band: string[];
  /** The series whose variant has no profile in the file. */
  unjudged: string[];
  /** The files that judged them, each once: which file, at which commit (or the fallback and why). */
  judged_by: BaselineSource[];
}

/** The verdict of named points' bands; null when none of them was judged by a baseline file. */
export function bandVerdict(points: readonly { name: string; band?: PointBand }[]): BandVerdict | null {
  const banded = points.filter((p): p is { name: string; band: PointBand } => p.band !== undefined);
  if (banded.length === 0) return null;
  const out = banded.filter((p) => p.band.within_range === false).map((p) => p.name);
  const unjudged = banded.filter((p) => p.band.within_range === null).map((p) => p.name);
  const judged = banded.length - unjudged.length;
  return {
    state: out.length > 0 ? "out_of_band" : judged > 0 ? "in_band" : "unjudged",
    out_of_band: out.sort(),
    unjudged: unjudged.sort(),
    judged_by: [...new Map(banded.map((p) => [sourceName(p.band.source), p.band.source])).values()],
  };
}

/** What the latest point of each of the suite's series says of its band. */
export function latestBands(suite: string, all: readonly Series[]): BandVerdict | null {
  return bandVerdict(
    all
      .filter((s) => s.suite === suite && s.points.length > 0)
      .map((s) => ({ name: s.name, band: s.points.at(-1)?.band })),
  );
}

/** A band as the issue and pages write it: `12–25`, `≤ 8000`, `≥ 12`, or `unbounded`. */
export function bandText(band: Pick<PointBand, "lower" | "upper">): string {
  if (band.lower !== null && band.upper !== null) return `${band.lower}–${band.upper}`;
  if (band.upper !== null) return `≤ ${band.upper}`;
  if (band.lower !== null) return `≥ ${band.lower}`;
  return "unbounded";
}
