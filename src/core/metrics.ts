/**
 * `smoke-metrics.json`, as written by `cargo +nightly run -p firewood-benchmark -- smoke`,
 * and the measurements chimney keeps of a run.
 */
import * as v from "valibot";
import { BaselineReportSchema, p95, type Actuals, type BaselineReport } from "./baseline.ts";
import {
  finiteNonNegative,
  invalid,
  jsonObject,
  ok,
  parseJson,
  parseWith,
  positiveInteger,
  type FieldIssue,
  type Parsed,
} from "./validation.ts";

/** What chimney keeps of a run's numbers: the file's scalars plus the derived p95. */
export interface Measurements {
  batches: number;
  batch_size: number;
  total_operations: number;
  total_duration_ms: number;
  throughput_ops_per_sec: number;
  per_batch_count: number;
  per_batch_p95_ms: number;
}

export interface SmokeMetrics {
  batches: number;
  batch_size: number;
  total_operations: number;
  total_duration_ms: number;
  per_batch_ms: number[];
  throughput_ops_per_sec: number;
  /** The runner's own evaluation; absent in files older than the embedded report. */
  baseline: BaselineReport | null;
}

export const SmokeMetricsShape = jsonObject(
  {
    batches: positiveInteger("batches committed"),
    batch_size: positiveInteger("operations per batch"),
    total_operations: v.pipe(
      v.number("must be a number"),
      v.integer("must be a whole number"),
      v.minValue(0, "must not be negative"),
      v.maxValue(Number.MAX_SAFE_INTEGER, "is too large"),
    ),
    total_duration_ms: finiteNonNegative("milliseconds"),
    // Items are checked in one loop below: a valibot pipe per item costs more than the
    // JSON parse itself on long local runs (100 000 batches).
    per_batch_ms: v.optional(v.array(v.unknown(), "must be an array of batch timings in ms"), []),
    throughput_ops_per_sec: finiteNonNegative("operations per second"),
    baseline: v.optional(v.nullable(BaselineReportSchema), null),
  },
  "must be a JSON object (smoke-metrics.json)",
);

/** Relative tolerance for numbers that the benchmark derives from each other. */
const DERIVED_TOLERANCE = 0.01;

export function nearlyEqual(a: number, b: number, tolerance = DERIVED_TOLERANCE): boolean {
  return Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b)) + 1e-9;
}

/** Validates a parsed `smoke-metrics.json`; every issue names its field. */
export function parseSmokeMetrics(input: unknown): Parsed<SmokeMetrics> {
  const shape = parseWith(SmokeMetricsShape, input);
  if (!shape.ok) return shape;
  const m = shape.value;
  const issues: FieldIssue[] = [];

  const timings = m.per_batch_ms;
  for (let i = 0; i < timings.length; i++) {
    const t = timings[i];
    if (typeof t !== "number" || !Number.isFinite(t) || t < 0) {
      issues.push({
        field: `per_batch_ms[${i}]`,
        message: `must be a finite number of milliseconds ≥ 0, got ${describe(t)}`,
      });
      break;
    }
  }
  if (issues.length === 0 && timings.length !== m.batches) {
    issues.push({
      field: "per_batch_ms",
      message: `has ${timings.length} timings but batches is ${m.batches}; expected one timing per batch`,
    });
  }
  if (m.total_operations !== m.batches * m.batch_size) {
    issues.push({
      field: "total_operations",
      message: `is ${m.total_operations} but batches × batch_size is ${m.batches * m.batch_size}`,
    });
  }
  if (issues.length === 0) {
    let sum = 0;
    for (let i = 0; i < timings.length; i++) sum += timings[i] as number;
    if (!nearlyEqual(sum, m.total_duration_ms)) {
      issues.push({
        field: "total_duration_ms",
        message: `is ${m.total_duration_ms} but the batch timings add up to ${sum}`,
      });
    } else if (!nearlyEqual(m.throughput_ops_per_sec, expectedThroughput(m.total_operations, m.total_duration_ms))) {
      issues.push({
        field: "throughput_ops_per_sec",
        message: `is ${m.throughput_ops_per_sec} but total_operations / total_duration is ${expectedThroughput(m.total_operations, m.total_duration_ms)}`,
      });
    }
  }
  if (issues.length > 0) return invalid(...issues);
  return ok({ ...m, per_batch_ms: timings as number[] });
}

/** The benchmark's own rule (smoke.rs): 0 with no operations, the operation count when no time passed. */
export function expectedThroughput(totalOperations: number, totalDurationMs: number): number {
  if (totalOperations === 0) return 0;
  if (totalDurationMs === 0) return totalOperations;
  return totalOperations / (totalDurationMs / 1000);
}

export function parseSmokeMetricsText(text: string): Parsed<SmokeMetrics> {
  const json = parseJson(text);
  return json.ok ? parseSmokeMetrics(json.value) : json;
}

export function measure(m: SmokeMetrics): Measurements {
  return {
    batches: m.batches,
    batch_size: m.batch_size,
    total_operations: m.total_operations,
    total_duration_ms: m.total_duration_ms,
    throughput_ops_per_sec: m.throughput_ops_per_sec,
    per_batch_count: m.per_batch_ms.length,
    per_batch_p95_ms: p95(m.per_batch_ms),
  };
}

export function actualsOf(m: Measurements): Actuals {
  return {
    throughput_ops_per_sec: m.throughput_ops_per_sec,
    total_duration_ms: m.total_duration_ms,
    per_batch_p95_ms: m.per_batch_p95_ms,
  };
}

export function sameMeasurements(a: Measurements, b: Measurements): boolean {
  return (Object.keys(a) as (keyof Measurements)[]).every((k) => a[k] === b[k]);
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null) return "null";
  if (typeof value === "object") return Array.isArray(value) ? "an array" : "an object";
  return String(value);
}
