/**
 * Imported series: the history other tools kept before chimney, in github-action-benchmark's
 * format (its `data.js`: `window.BENCHMARK_DATA = {entries: {suite: [{commit, date, benches}]}}`; Firewood's `bench/data.js` on its `benchmark-data` branch). Each bench
 * of each suite is one series of points, charted and searched for change points like the
 * smoke metrics. Importing the same file twice changes nothing; a point never changes once kept.
 */
import * as v from "valibot";
import { describe, detectChangePoints, type ChangePoint, type ChangePointOptions } from "./changepoints/analysis.ts";
import type { Bench } from "./formats/bench.ts";
import type { BaselineSource } from "./baseline.ts";
import { invalid, jsonObject, ok, parseWith, type FieldIssue, type Parsed } from "./validation.ts";

/**
 * How a point stood against its band: `within_range` true or false, or null when the file has
 * no profile for its variant (unjudged: no band, so no breach).
 */
export interface PointBand {
  lower: number | null;
  upper: number | null;
  within_range: boolean | null;
  source: BaselineSource;
}

export interface SeriesPoint {
  at: string;
  sha: string | null;
  value: number;
  commit_url: string | null;
  /** The commit message's first line. */
  message: string | null;
  /** How the value stood against its suite's baseline file, for a suite judged by one (pruning). */
  band?: PointBand;
}

export interface SeriesChange {
  index: number;
  at: string;
  sha: string | null;
  before_at: string;
  before_sha: string | null;
  pvalue: number;
  magnitude: number;
  mean_before: number;
  mean_after: number;
  direction: "better" | "worse";
}

export interface Series {
  /** URL-safe, from the suite and the bench name. */
  key: string;
  suite: string;
  name: string;
  unit: string;
  bigger_is_better: boolean;
  repo_url: string | null;
  /** Oldest first. */
  points: SeriesPoint[];
  changes: SeriesChange[];
}

/**
 * A series as it stands: its newest point alone, with its change points. What a suite's state
 * and badge read, so they cost the number of series, not their length.
 */
export function headOf(series: Series): Series {
  return { ...series, points: series.points.slice(-1) };
}

/** Points per series and series per import at most: Firewood's file has 10 series of 201 points. */
const SERIES_LIMITS = { points: 20_000, series: 500 };

const text = (max: number) =>
  v.pipe(v.string("must be a string"), v.maxLength(max, `must be at most ${max} characters`));

const BenchSchema = jsonObject(
  {
    name: v.pipe(text(300), v.minLength(1, "must not be empty")),
    value: v.pipe(v.number("must be a number"), v.finite("must be a finite number")),
    unit: text(100),
  },
  "must be an object with name, value and unit",
);

const EntrySchema = jsonObject(
  {
    commit: jsonObject(
      {
        id: v.pipe(text(100), v.minLength(1, "must not be empty")),
        message: v.optional(v.string("must be a string")),
        url: v.optional(v.nullable(text(2000))),
      },
      "must be an object with the commit's id",
    ),
    date: v.pipe(
      v.number("must be a number (milliseconds since 1970)"),
      v.integer("must be a whole number of milliseconds"),
      v.minValue(0, "must not be negative"),
      v.maxValue(8.64e15, "is not a date"),
    ),
    tool: text(100),
    benches: v.pipe(
      v.array(BenchSchema, "must be an array"),
      v.maxLength(SERIES_LIMITS.series, `must hold at most ${SERIES_LIMITS.series} benches`),
    ),
  },
  "must be an object with commit, date, tool and benches",
);

const BenchmarkDataSchema = jsonObject(
  {
    lastUpdate: v.optional(v.number("must be a number")),
    repoUrl: v.optional(v.nullable(text(2000))),
    entries: v.pipe(
      v.record(
        v.pipe(text(200), v.minLength(1, "a suite name must not be empty")),
        v.pipe(
          v.array(EntrySchema, "must be an array"),
          v.maxLength(SERIES_LIMITS.points, `must hold at most ${SERIES_LIMITS.points} entries`),
        ),
        "must be an object of suites",
      ),
      v.check((entries) => Object.keys(entries).length > 0, "must hold at least one suite"),
    ),
  },
  "must be github-action-benchmark data: an object with entries",
);

export type BenchmarkData = v.InferOutput<typeof BenchmarkDataSchema>;

/** What `data.js` wraps the JSON in. */
const DATA_JS = /^\s*window\.BENCHMARK_DATA\s*=\s*([\s\S]*?);?\s*$/;

/** The JSON of github-action-benchmark's `data.js` (or the JSON itself). */
export function benchmarkDataJson(source: string): string {
  return DATA_JS.exec(source)?.[1] ?? source;
}

/** Whether a document looks like github-action-benchmark data rather than an array of results. */
export function isBenchmarkData(source: string): boolean {
  return /^\s*\{/.test(benchmarkDataJson(source));
}

/**
 * The data of one of the file's suites (`entry`, or its only one) as the history of a watched
 * suite, so that the imported series and the ones its runs add are the same series.
 */
export function intoSuite(data: BenchmarkData, suite: string, entry: string | null): Parsed<BenchmarkData> {
  const names = Object.keys(data.entries);
  const chosen = entry ?? (names.length === 1 ? names[0] : null);
  if (chosen === null || !Object.hasOwn(data.entries, chosen))
    return invalid({
      field: "entry",
      message: `must name one of the file's suites (${names.map((n) => JSON.stringify(n)).join(", ")})`,
    });
  return ok({ ...data, entries: { [suite]: data.entries[chosen] } });
}

export function parseBenchmarkData(json: unknown): Parsed<BenchmarkData> {
  return parseWith(BenchmarkDataSchema, json);
}

/** Which way is better: the unit says so when it is a time or a rate, else the tool does. */
export function biggerIsBetter(tool: string, unit: string): boolean {
  if (/(^|[_\s])(ns|us|µs|ms|s|sec|seconds?)(\/|$)/i.test(unit) || /\/(iter|op)$/i.test(unit)) return false;
  if (/\/(s|sec|second)$/i.test(unit) || /ops/i.test(unit)) return true;
  return (
    tool !== "customSmallerIsBetter" &&
    !["cargo", "go", "pytest", "googlecpp", "catch2", "julia", "benchmarkdotnet", "jmh"].includes(tool)
  );
}

export function seriesKey(suite: string, name: string): string {
  const slug = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "");
  return `${slug(suite)}--${slug(name)}`.slice(0, 240);
}

/** The series a file holds, each oldest first, before any merge. */
export function seriesOf(data: BenchmarkData): Series[] {
  const bySeries = new Map<string, Series>();
  for (const [suite, entries] of Object.entries(data.entries)) {
    for (const entry of entries) {
      for (const bench of entry.benches) {
        const key = seriesKey(suite, bench.name);
        let series = bySeries.get(key);
        if (!series) {
          series = {
            key,
            suite,
            name: bench.name,
            unit: bench.unit,
            bigger_is_better: biggerIsBetter(entry.tool, bench.unit),
            repo_url: data.repoUrl ?? null,
            points: [],
            changes: [],
          };
          bySeries.set(key, series);
        }
        series.points.push({
          at: new Date(entry.date).toISOString(),
          sha: entry.commit.id,
          value: bench.value,
          commit_url: entry.commit.url ?? null,
          message: entry.commit.message?.split("\n")[0].slice(0, 200) ?? null,
        });
      }
    }
  }
  return [...bySeries.values()].map((s) => ({ ...s, points: sortPoints(s.points) }));
}

function pointKey(p: SeriesPoint): string {
  return `${p.at}|${p.sha ?? ""}`;
}

function sortPoints(points: SeriesPoint[]): SeriesPoint[] {
  return points.sort((a, b) =>
    a.at !== b.at ? (a.at < b.at ? -1 : 1) : (a.sha ?? "") < (b.sha ?? "") ? -1 : (a.sha ?? "") > (b.sha ?? "") ? 1 : 0,
  );
}

export interface SeriesImport {
  key: string;
  name: string;
  unit: string;
  points: number;
  added: number;
  /** Points the file has with another value than the one kept: the kept one stays. */
  conflicts: number;
  change_points: number;
}

/**
 * Merges imported series into the stored ones: new points are added, known ones kept as they
 * are, and the change points of every series that grew are found again.
 */
export function mergeSeries(
  stored: readonly Series[],
  incoming: readonly Series[],
  options: ChangePointOptions,
): { series: Series[]; imports: SeriesImport[]; issues: FieldIssue[] } {
  const byKey = new Map(stored.map((s) => [s.key, s]));
  const imports: SeriesImport[] = [];
  const issues: FieldIssue[] = [];
  for (const series of incoming) {
    const kept = byKey.get(series.key);
    const points = new Map((kept?.points ?? []).map((p) => [pointKey(p), p]));
    let added = 0;
    let conflicts = 0;
    for (const point of series.points) {
      const known = points.get(pointKey(point));
      if (!known) {
        points.set(pointKey(point), point);
        added++;
      } else if (known.value !== point.value) {
        conflicts++;
      }
    }
    if (points.size > SERIES_LIMITS.points) {
      issues.push({
        field: series.name,
        message: `would hold ${points.size} points, more than the ${SERIES_LIMITS.points} a series may`,
      });
      continue;
    }
    const merged: Series =
      kept && added === 0
        ? kept
        : analyzeSeries({ ...(kept ?? series), points: sortPoints([...points.values()]) }, options);
    byKey.set(series.key, merged);
    imports.push({
      key: series.key,
      name: series.name,
      unit: series.unit,
      points: merged.points.length,
      added,
      conflicts,
      change_points: merged.changes.length,
    });
  }
  if (byKey.size > SERIES_LIMITS.series)
    issues.push({
      field: "entries",
      message: `would make ${byKey.size} series, more than the ${SERIES_LIMITS.series} chimney keeps`,
    });
  return { series: [...byKey.values()], imports, issues };
}

/** A series with its change points. */
function analyzeSeries(series: Series, options: ChangePointOptions): Series {
  return { ...series, changes: locateChanges(series.points, series.bigger_is_better, options) };
}

/** The change points of values measured at points in time (oldest first), placed at their commits. */
export function locateChanges(
  points: readonly { at: string; sha: string | null; value: number | null }[],
  biggerIsBetter: boolean,
  options: ChangePointOptions,
): SeriesChange[] {
  return placeChanges(
    points,
    detectChangePoints(
      points.map((p) => p.value),
      options,
    ).points,
    biggerIsBetter,
  );
}

/** Change points of those points placed at their commits, with the way each went. */
export function placeChanges(
  points: readonly { at: string; sha: string | null }[],
  found: ChangePoint[],
  biggerIsBetter: boolean,
): SeriesChange[] {
  return describe(found).map((c) => {
    const after = points[c.index];
    const before = points[c.index - 1];
    return {
      index: c.index,
      at: after.at,
      sha: after.sha,
      before_at: before.at,
      before_sha: before.sha,
      pvalue: c.pvalue,
      magnitude: c.magnitude,
      mean_before: c.mean_before,
      mean_after: c.mean_after,
      direction: c.mean_after > c.mean_before === biggerIsBetter ? "better" : "worse",
    };
  });
}

/** Where one result of a suite was measured: its time and commit. */
export interface ResultPoint {
  at: string;
  sha: string | null;
  commit_url: string | null;
  message: string | null;
}

/**
 * The series one result of a suite makes: one per bench, of one point each, ready to merge; each
 * point with its band when the suite's baseline file judged it (`bands`, by bench name).
 */
export function seriesOfResult(
  suite: string,
  benches: readonly Bench[],
  point: ResultPoint,
  repoUrl: string | null,
  bands: ReadonlyMap<string, PointBand> = new Map(),
): Series[] {
  return benches.map((bench) => ({
    key: seriesKey(suite, bench.name),
    suite,
    name: bench.name,
    unit: bench.unit,
    bigger_is_better: bench.bigger_is_better,
    repo_url: repoUrl,
    points: [{ ...point, value: bench.value, ...(bands.has(bench.name) ? { band: bands.get(bench.name) } : {}) }],
    changes: [],
  }));
}
