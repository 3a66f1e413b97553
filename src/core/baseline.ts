/**
 * The smoke baseline (`baselines/smoke.json`) and the evaluation of a run against it,
 * with the semantics of Firewood's `benchmark/src/baseline.rs`.
 */
import * as v from "valibot";
import { pyJsonDumps, PyFloat } from "./pyformat.ts";
import { median } from "./stats.ts";
import { jsonObject, parseWith, type Parsed } from "./validation.ts";

/** The metrics the smoke baseline bounds, in the order Firewood's summarizer lists them. */
export const SMOKE_METRICS = [
  { key: "throughput_ops_per_sec", label: "Throughput (ops/sec)", better: "higher" },
  { key: "per_batch_p95_ms", label: "Batch P95 latency (ms)", better: "lower" },
  { key: "total_duration_ms", label: "Total duration (ms)", better: "lower" },
] as const;

export type MetricKey = (typeof SMOKE_METRICS)[number]["key"];

export interface Range {
  lower: number | null;
  upper: number | null;
}

export type Baseline = Record<MetricKey, Range>;

/**
 * Where the bounds came from, serialized as serde's `#[serde(tag = "type", content = "path")]`
 * for the runner's two (`Embedded`, `File`). chimney's own reports add `Repository`: the file of
 * the watched repository at the run's commit, with its blob sha; and a `File` chimney fell back
 * to says why in `fallback`.
 */
export type BaselineSource =
  | { type: "Embedded" }
  | { type: "File"; path: string; fallback?: string }
  | { type: "Repository"; repository: string; path: string; commit: string; blob_sha: string };

/** How a report names where its baseline came from. */
export function sourceName(source: BaselineSource): string {
  if (source.type === "Repository") return `${source.repository}@${source.commit.slice(0, 12)}:${source.path}`;
  if (source.type === "File")
    return source.fallback ? `${source.path} (the fallback: ${source.fallback})` : source.path;
  return "the runner's embedded baseline";
}

export interface Comparison {
  actual: number;
  lower: number | null;
  upper: number | null;
  within_range: boolean;
}

/** The seed-shaped report: the `baseline` object of `smoke-metrics.json`. */
export interface BaselineReport {
  source: BaselineSource;
  throughput_ops_per_sec: Comparison;
  total_duration_ms: Comparison;
  per_batch_p95_ms: Comparison;
}

const bound = v.optional(
  v.nullable(v.pipe(v.number("must be a number or null"), v.finite("must be a finite number or null"))),
  null,
);

export const RangeSchema = v.pipe(
  jsonObject({ lower: bound, upper: bound }, "must be an object with optional `lower` and `upper`"),
  v.forward(
    v.check((r) => r.lower === null || r.upper === null || r.lower <= r.upper, "must not exceed `upper`"),
    ["lower"],
  ),
);

export const BaselineSchema = jsonObject(
  {
    throughput_ops_per_sec: RangeSchema,
    total_duration_ms: RangeSchema,
    per_batch_p95_ms: RangeSchema,
  },
  "must be a JSON object",
);

export function parseBaseline(input: unknown): Parsed<Baseline> {
  return parseWith(BaselineSchema, input);
}

export const ComparisonSchema = jsonObject(
  {
    actual: v.pipe(v.number("must be a number"), v.finite("must be a finite number")),
    lower: bound,
    upper: bound,
    within_range: v.boolean("must be true or false"),
  },
  "must be an object with actual, lower, upper and within_range",
);

export const BaselineSourceSchema = v.variant(
  "type",
  [
    v.object({ type: v.literal("Embedded") }),
    v.object({
      type: v.literal("File"),
      path: v.pipe(v.string("must be a string"), v.maxLength(4096)),
      fallback: v.optional(v.pipe(v.string("must be a string"), v.maxLength(4096))),
    }),
    v.object({
      type: v.literal("Repository"),
      repository: v.pipe(v.string("must be a string"), v.maxLength(200)),
      path: v.pipe(v.string("must be a string"), v.maxLength(4096)),
      commit: v.pipe(v.string("must be a string"), v.regex(/^[0-9a-f]{40}$/, "must be 40 hex digits")),
      blob_sha: v.pipe(v.string("must be a string"), v.regex(/^[0-9a-f]{40}$/, "must be 40 hex digits")),
    }),
  ],
  'must be {"type": "Embedded"}, {"type": "File", "path": …} or {"type": "Repository", …}',
);

export const BaselineReportSchema = jsonObject(
  {
    source: BaselineSourceSchema,
    throughput_ops_per_sec: ComparisonSchema,
    total_duration_ms: ComparisonSchema,
    per_batch_p95_ms: ComparisonSchema,
  },
  "must be a baseline report object",
);

export function withinRange(value: number, r: Range): boolean {
  return (r.lower === null || value >= r.lower) && (r.upper === null || value <= r.upper);
}

/** Nearest-rank 95th percentile: sort ascending, index `ceil(n * 0.95) - 1`; empty → 0. */
export function p95(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const index = Math.max(0, Math.ceil(sorted.length * 0.95) - 1);
  return sorted[index];
}

export type Actuals = Record<MetricKey, number>;

/** A value against its bounds, as the benchmark's `build_result` reports it. */
export function compareTo(actual: number, range: Range): Comparison {
  return { actual, lower: range.lower, upper: range.upper, within_range: withinRange(actual, range) };
}

export function evaluate(actuals: Actuals, baseline: Baseline, source: BaselineSource): BaselineReport {
  const compare = (key: MetricKey): Comparison => compareTo(actuals[key], baseline[key]);
  return {
    source,
    throughput_ops_per_sec: compare("throughput_ops_per_sec"),
    total_duration_ms: compare("total_duration_ms"),
    per_batch_p95_ms: compare("per_batch_p95_ms"),
  };
}

export function outOfRange(report: BaselineReport): MetricKey[] {
  return SMOKE_METRICS.map((m) => m.key).filter((key) => !report[key].within_range);
}

/** Where the runner's own report differs from chimney's evaluation of the same numbers. */
export interface Disagreement {
  metric: MetricKey;
  fields: ("actual" | "lower" | "upper" | "within_range")[];
  chimney: Comparison;
  runner: Comparison;
}

export function disagreements(chimney: BaselineReport, runner: BaselineReport): Disagreement[] {
  const found: Disagreement[] = [];
  for (const { key } of SMOKE_METRICS) {
    const ours = chimney[key];
    const theirs = runner[key];
    const fields = (["actual", "lower", "upper", "within_range"] as const).filter((f) => ours[f] !== theirs[f]);
    if (fields.length > 0) found.push({ metric: key, fields, chimney: ours, runner: theirs });
  }
  return found;
}

/** A proposal for new bounds: ±margin around the median of recent runs, per metric. */
export interface BaselineProposal {
  baseline: Baseline;
  medians: Actuals;
  runs: number;
}

/**
 * Firewood's procedure for the baseline — "roughly ±15% from recent nightly runs" — as a
 * computation: each metric's bounds are its median over `samples` times (1 ∓ margin),
 * rounded to two decimals as the committed file writes them.
 */
export function suggestBaseline(samples: readonly Actuals[], margin: number): BaselineProposal {
  const round = (x: number) => Math.round(x * 100) / 100;
  const bounds = (key: MetricKey): Range => {
    const m = median(samples.map((s) => s[key]));
    return { lower: round(m * (1 - margin)), upper: round(m * (1 + margin)) };
  };
  const medians = {
    throughput_ops_per_sec: median(samples.map((s) => s.throughput_ops_per_sec)),
    total_duration_ms: median(samples.map((s) => s.total_duration_ms)),
    per_batch_p95_ms: median(samples.map((s) => s.per_batch_p95_ms)),
  };
  return {
    baseline: {
      throughput_ops_per_sec: bounds("throughput_ops_per_sec"),
      total_duration_ms: bounds("total_duration_ms"),
      per_batch_p95_ms: bounds("per_batch_p95_ms"),
    },
    medians,
    runs: samples.length,
  };
}

/** A baseline file as Firewood commits it: two-space JSON, bounds as floats (`8500.0`), a final newline. */
export function baselineFileText(baseline: Baseline): string {
  const range = (r: Range) => ({
    lower: r.lower === null ? null : new PyFloat(r.lower),
    upper: r.upper === null ? null : new PyFloat(r.upper),
  });
  return `${pyJsonDumps({
    throughput_ops_per_sec: range(baseline.throughput_ops_per_sec),
    total_duration_ms: range(baseline.total_duration_ms),
    per_batch_p95_ms: range(baseline.per_batch_p95_ms),
  })}\n`;
}
