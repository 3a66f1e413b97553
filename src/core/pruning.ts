/**
 * The pruning benchmark (`cargo +nightly run -p firewood-benchmark -- pruning`): its metrics
 * file, its baseline of one profile per variant (`standard-bf16`, `io-uring-bf256`, …), and its
 * evaluation, with the semantics of Firewood's `benchmark/src/pruning_baseline.rs`.
 */
import * as v from "valibot";
import {
  BaselineSourceSchema,
  ComparisonSchema,
  compareTo,
  p95,
  RangeSchema,
  type BaselineSource,
  type Comparison,
  type Range,
} from "./baseline.ts";
import { expectedThroughput, nearlyEqual } from "./metrics.ts";
import { PyFloat } from "./pyformat.ts";
import { entriesOf, type Summary } from "./summary.ts";
import {
  finiteNonNegative,
  invalid,
  jsonObject,
  ok,
  parseWith,
  positiveInteger,
  type FieldIssue,
  type Parsed,
} from "./validation.ts";

export const PRUNING_METRICS = [
  { key: "throughput_ops_per_sec", label: "Throughput (ops/sec)" },
  { key: "per_block_p95_ms", label: "Block P95 latency (ms)" },
  { key: "total_duration_ms", label: "Total duration (ms)" },
] as const;

export type PruningKey = (typeof PRUNING_METRICS)[number]["key"];

export type PruningProfile = Record<PruningKey, Range>;
export type PruningBaseline = Record<string, PruningProfile>;

export interface PruningReport {
  source: BaselineSource;
  profile: string;
  throughput_ops_per_sec: Comparison;
  total_duration_ms: Comparison;
  per_block_p95_ms: Comparison;
}

export interface PruningMetrics {
  backend: string;
  branch_factor: number;
  blocks: number;
  ops_per_block: number;
  total_operations: number;
  total_duration_ms: number;
  per_block_ms: number[];
  throughput_ops_per_sec: number;
  baseline: PruningReport | null;
}

const Profile = jsonObject(
  { throughput_ops_per_sec: RangeSchema, total_duration_ms: RangeSchema, per_block_p95_ms: RangeSchema },
  "must be an object with throughput_ops_per_sec, total_duration_ms and per_block_p95_ms",
);

const PruningBaselineSchema = v.pipe(
  v.custom<Record<string, unknown>>(
    (x) => typeof x === "object" && x !== null && !Array.isArray(x),
    "must be a JSON object of profiles",
  ),
  v.record(v.pipe(v.string(), v.regex(/^[\w-]+-bf\d+$/, "must be named <backend>-bf<branch factor>")), Profile),
);

export function parsePruningBaseline(input: unknown): Parsed<PruningBaseline> {
  return parseWith(PruningBaselineSchema, input);
}

const PruningReportSchema = jsonObject(
  {
    source: BaselineSourceSchema,
    profile: v.string("must be a string"),
    throughput_ops_per_sec: ComparisonSchema,
    total_duration_ms: ComparisonSchema,
    per_block_p95_ms: ComparisonSchema,
  },
  "must be a pruning baseline report",
);

const PruningMetricsShape = jsonObject(
  {
    backend: v.pipe(
      v.string("must be a string"),
      v.regex(/^[\w-]{1,50}$/, "must be a backend name such as standard or io-uring"),
    ),
    branch_factor: positiveInteger("the trie's branch factor"),
    blocks: positiveInteger("blocks committed"),
    ops_per_block: positiveInteger("operations per block"),
    total_operations: v.pipe(
      v.number("must be a number"),
      v.integer("must be a whole number"),
      v.minValue(0, "must not be negative"),
    ),
    total_duration_ms: finiteNonNegative("milliseconds"),
    per_block_ms: v.optional(
      v.array(
        v.pipe(v.number("must be a number"), v.finite("must be finite"), v.minValue(0, "must not be negative")),
        "must be an array",
      ),
      [],
    ),
    throughput_ops_per_sec: finiteNonNegative("operations per second"),
    baseline: v.optional(v.nullable(PruningReportSchema), null),
  },
  "must be a JSON object (pruning-metrics.json)",
);

export function parsePruningMetrics(input: unknown): Parsed<PruningMetrics> {
  const shape = parseWith(PruningMetricsShape, input);
  if (!shape.ok) return shape;
  const m = shape.value;
  const issues: FieldIssue[] = [];
  if (m.per_block_ms.length !== m.blocks) {
    issues.push({
      field: "per_block_ms",
      message: `has ${m.per_block_ms.length} timings but blocks is ${m.blocks}; expected one timing per block`,
    });
  }
  if (m.total_operations !== m.blocks * m.ops_per_block) {
    issues.push({
      field: "total_operations",
      message: `is ${m.total_operations} but blocks × ops_per_block is ${m.blocks * m.ops_per_block}`,
    });
  }
  // The pruning benchmark times the whole run, which includes more than the blocks themselves.
  const blocks = m.per_block_ms.reduce((a, b) => a + b, 0);
  if (issues.length === 0 && blocks > m.total_duration_ms * 1.01 + 1e-9) {
    issues.push({
      field: "total_duration_ms",
      message: `is ${m.total_duration_ms} but the block timings alone add up to ${blocks}`,
    });
  }
  if (
    issues.length === 0 &&
    !nearlyEqual(m.throughput_ops_per_sec, expectedThroughput(m.total_operations, m.total_duration_ms))
  ) {
    issues.push({
      field: "throughput_ops_per_sec",
      message: `is ${m.throughput_ops_per_sec} but total_operations / total_duration is ${expectedThroughput(m.total_operations, m.total_duration_ms)}`,
    });
  }
  return issues.length > 0 ? invalid(...issues) : ok(m);
}

/** The profile a metrics file belongs to: `<backend>-bf<branch factor>`. */
export function variantOf(m: Pick<PruningMetrics, "backend" | "branch_factor">): string {
  return `${m.backend}-bf${m.branch_factor}`;
}

export function evaluatePruning(
  m: PruningMetrics,
  profile: string,
  ranges: PruningProfile,
  source: BaselineSource,
): PruningReport {
  return {
    source,
    profile,
    throughput_ops_per_sec: compareTo(m.throughput_ops_per_sec, ranges.throughput_ops_per_sec),
    total_duration_ms: compareTo(m.total_duration_ms, ranges.total_duration_ms),
    per_block_p95_ms: compareTo(p95(m.per_block_ms), ranges.per_block_p95_ms),
  };
}

export function pruningSummary(m: PruningMetrics, report: PruningReport | null): Summary {
  return {
    title: "Firewood pruning benchmark",
    metricsFile: "pruning-metrics.json",
    counts: [
      { label: "Total blocks", value: m.blocks },
      { label: "Ops per block", value: m.ops_per_block },
    ],
    throughput: m.throughput_ops_per_sec,
    duration: m.total_duration_ms,
    run: {
      backend: m.backend,
      branch_factor: m.branch_factor,
      blocks: m.blocks,
      ops_per_block: m.ops_per_block,
      total_operations: m.total_operations,
      total_duration_ms: new PyFloat(m.total_duration_ms),
      throughput_ops_per_sec: new PyFloat(m.throughput_ops_per_sec),
      per_block_count: m.per_block_ms.length,
    },
    entries: entriesOf(report, PRUNING_METRICS),
    source: report ? report.source : null,
  };
}
