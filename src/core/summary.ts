/**
 * The three summaries of a run (`smoke-summary.md`, `.json`, `.html`) with exactly the content
 * of Firewood's `tools/perf_smoke_summary.py`, and `smoke-summary.json` read back as an upload.
 * One file past 300 lines: the three renderings and the reader share the summarizer's exact
 * number formatting and field order, which are easier to keep byte-compatible side by side.
 */
import * as v from "valibot";
import {
  BaselineSourceSchema,
  SMOKE_METRICS,
  type BaselineReport,
  type BaselineSource,
  type Comparison,
  type MetricKey,
} from "./baseline.ts";
import type { Measurements } from "./metrics.ts";
import { fixed2, htmlEscape, pyJsonDumps, pyStr, PyFloat } from "./pyformat.ts";
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

export interface SummaryEntry extends Comparison {
  key: string;
  label: string;
}

/**
 * What a summary shows, whatever the benchmark: its title, its counts (batches and their size,
 * or blocks and operations per block), throughput and duration, the `run` object of the JSON
 * summary (Python's int/float distinction kept), and the baseline entries.
 */
export interface Summary {
  title: string;
  metricsFile: string;
  counts: { label: string; value: number }[];
  throughput: number;
  duration: number;
  run: Record<string, string | number | PyFloat>;
  entries: SummaryEntry[];
  source: BaselineSource | null;
}

/** The entries of a report, in the order of `metrics`; none when there is no report. */
export function entriesOf<K extends string>(
  report: Record<K, Comparison> | null,
  metrics: readonly { key: K; label: string }[],
): SummaryEntry[] {
  if (!report) return [];
  return metrics.map(({ key, label }) => ({ key, label, ...report[key] }));
}

/** The smoke benchmark's summary, exactly as Firewood's `tools/perf_smoke_summary.py` makes it. */
export function smokeSummary(m: Measurements, report: BaselineReport | null): Summary {
  return {
    title: "Firewood smoke benchmark",
    metricsFile: "smoke-metrics.json",
    counts: [
      { label: "Total batches", value: m.batches },
      { label: "Batch size", value: m.batch_size },
    ],
    throughput: m.throughput_ops_per_sec,
    duration: m.total_duration_ms,
    run: {
      batches: m.batches,
      batch_size: m.batch_size,
      total_operations: m.total_operations,
      total_duration_ms: new PyFloat(m.total_duration_ms),
      throughput_ops_per_sec: new PyFloat(m.throughput_ops_per_sec),
      per_batch_count: m.per_batch_count,
    },
    entries: entriesOf(report, SMOKE_METRICS),
    source: report ? report.source : null,
  };
}

export function summaryStatus(entries: SummaryEntry[]): "pass" | "fail" {
  return entries.every((e) => e.within_range) ? "pass" : "fail";
}

export function boundsText(r: { lower: number | null; upper: number | null }, joiner: ", " | " and "): string {
  const pieces: string[] = [];
  if (r.lower !== null) pieces.push(`>= ${fixed2(r.lower)}`);
  if (r.upper !== null) pieces.push(`<= ${fixed2(r.upper)}`);
  return pieces.length > 0 ? pieces.join(joiner) : "no bounds configured";
}

const icon = (e: SummaryEntry) => (e.within_range ? "✅" : "❌");

export function summaryMarkdown(s: Summary): string {
  const lines = [
    `# ${s.title} summary`,
    "",
    ...s.counts.map((c) => `* ${c.label}: ${c.value}`),
    `* Throughput: ${fixed2(s.throughput)} ops/sec`,
    `* Total duration: ${fixed2(s.duration)} ms`,
  ];
  if (s.entries.length > 0) {
    lines.push("", "## Baseline comparison");
    for (const e of s.entries) lines.push(`* ${e.label}: ${fixed2(e.actual)} (${boundsText(e, ", ")}) ${icon(e)}`);
  } else {
    lines.push("", `⚠️ Baseline metrics were not evaluated. Review ${s.metricsFile} for details.`);
  }
  return `${lines.join("\n")}\n`;
}

const float = (x: number | null) => (x === null ? null : new PyFloat(x));

export function summaryJson(s: Summary): string {
  const object = {
    status: summaryStatus(s.entries),
    run: s.run,
    baseline: s.entries.map((e) => ({
      key: e.key,
      label: e.label,
      actual: new PyFloat(e.actual),
      lower: float(e.lower),
      upper: float(e.upper),
      within_range: e.within_range,
    })),
    baseline_source: s.source,
  };
  return `${pyJsonDumps(object)}\n`;
}

const HTML_STYLE = `<style>
body { font-family: sans-serif; line-height: 1.5; }
table { border-collapse: collapse; margin-top: 1rem; }
th, td { border: 1px solid #ddd; padding: 0.5rem 0.75rem; }
th { background: #f2f2f2; text-align: left; }
</style>`;

export function summaryHtml(s: Summary): string {
  const rows = s.entries
    .map(
      (e) =>
        `<tr><td>${htmlEscape(e.label)}</td><td>${fixed2(e.actual)}</td>` +
        `<td>${htmlEscape(boundsText(e, " and "))}</td><td>${icon(e)}</td></tr>`,
    )
    .join("\n");
  return (
    `<html><head><meta charset='utf-8'>${HTML_STYLE}</head><body>` +
    `<h1>${htmlEscape(s.title)}</h1>` +
    `<p>Status: <strong>${htmlEscape(summaryStatus(s.entries))}</strong></p>` +
    "<ul>" +
    s.counts.map((c) => `<li>${htmlEscape(c.label)}: ${htmlEscape(pyStr(c.value))}</li>`).join("") +
    `<li>Throughput: ${htmlEscape(pyStr(new PyFloat(s.throughput)))} ops/sec</li>` +
    `<li>Total duration: ${htmlEscape(pyStr(new PyFloat(s.duration)))} ms</li>` +
    "</ul>" +
    "<h2>Baseline comparison</h2>" +
    "<table><thead><tr><th>Metric</th><th>Actual</th><th>Expected</th><th>Status</th></tr></thead><tbody>" +
    rows +
    "</tbody></table>" +
    "</body></html>"
  );
}

/** The `::error ::` annotations the summarizer prints, one per metric out of range. */
export function failureAnnotations(s: Summary): string[] {
  return s.entries
    .filter((e) => !e.within_range)
    .map((e) => `::error ::${e.label} ${fixed2(e.actual)} fell outside expected range (${boundsText(e, " and ")})`);
}

/** The warnings the summarizer prints for a metrics file without a report. */
export function missingReportWarnings(s: Summary, keys: readonly string[]): string[] {
  if (s.entries.length > 0) return [];
  return [
    ...keys.map((key) => `::warning ::Baseline entry '${key}' missing from ${s.metricsFile}`),
    "::warning ::No baseline metrics were evaluated",
  ];
}

// --- smoke-summary.json as an upload (what Firewood's workflow POSTs to `dashboard-endpoint`)

const KNOWN_KEYS = SMOKE_METRICS.map((m) => m.key) as [MetricKey, ...MetricKey[]];
const bound = v.nullable(v.pipe(v.number("must be a number or null"), v.finite("must be a finite number or null")));

const SummaryFileShape = jsonObject(
  {
    status: v.picklist(["pass", "fail"], 'must be "pass" or "fail"'),
    run: jsonObject(
      {
        batches: positiveInteger("batches committed"),
        batch_size: positiveInteger("operations per batch"),
        total_operations: v.pipe(
          v.number("must be a number"),
          v.integer("must be a whole number"),
          v.minValue(0, "must not be negative"),
        ),
        total_duration_ms: finiteNonNegative("milliseconds"),
        throughput_ops_per_sec: finiteNonNegative("operations per second"),
        per_batch_count: v.pipe(
          v.number("must be a number"),
          v.integer("must be a whole number"),
          v.minValue(0, "must not be negative"),
        ),
      },
      "must be an object",
    ),
    baseline: v.pipe(
      v.array(
        jsonObject(
          {
            key: v.picklist(KNOWN_KEYS, `must be one of ${KNOWN_KEYS.join(", ")}`),
            label: v.pipe(v.string("must be a string"), v.maxLength(200, "is too long")),
            actual: v.pipe(v.number("must be a number"), v.finite("must be a finite number")),
            lower: bound,
            upper: bound,
            within_range: v.boolean("must be true or false"),
          },
          "must be an object with key, label, actual, lower, upper and within_range",
        ),
        "must be an array of baseline entries",
      ),
      v.maxLength(KNOWN_KEYS.length, `has more than ${KNOWN_KEYS.length} entries`),
    ),
    baseline_source: v.nullable(BaselineSourceSchema),
  },
  "must be a JSON object (smoke-summary.json)",
);

export interface SummaryUpload {
  measurements: Measurements;
  /** The runner's evaluation rebuilt from the summary's entries. */
  runnerReport: BaselineReport;
}

/**
 * Reads an uploaded `smoke-summary.json`. It carries no per-batch timings, so the p95 is the
 * runner's own `per_batch_p95_ms` entry; a summary without it cannot be evaluated.
 */
export function parseSmokeSummary(input: unknown): Parsed<SummaryUpload> {
  const shape = parseWith(SummaryFileShape, input);
  if (!shape.ok) return shape;
  const s = shape.value;
  const issues: FieldIssue[] = [];
  const byKey = new Map<MetricKey, (typeof s.baseline)[number]>();
  s.baseline.forEach((entry, i) => {
    if (byKey.has(entry.key)) issues.push({ field: `baseline[${i}].key`, message: `repeats ${entry.key}` });
    byKey.set(entry.key, entry);
  });
  for (const key of KNOWN_KEYS) {
    if (!byKey.has(key)) {
      issues.push({
        field: "baseline",
        message: `has no ${key} entry; chimney cannot evaluate a summary without it (upload smoke-metrics.json instead)`,
      });
    }
  }
  if (!s.baseline_source)
    issues.push({ field: "baseline_source", message: "is null; a summary with baseline entries names their source" });
  if (s.run.total_operations !== s.run.batches * s.run.batch_size) {
    issues.push({
      field: "run.total_operations",
      message: `is ${s.run.total_operations} but batches × batch_size is ${s.run.batches * s.run.batch_size}`,
    });
  }
  if (s.run.per_batch_count !== s.run.batches) {
    issues.push({
      field: "run.per_batch_count",
      message: `is ${s.run.per_batch_count} but batches is ${s.run.batches}; expected one timing per batch`,
    });
  }
  if (issues.length > 0) return invalid(...issues);

  const mirrored = ["throughput_ops_per_sec", "total_duration_ms"] as const;
  for (const key of mirrored) {
    if (byKey.get(key)!.actual !== s.run[key]) {
      issues.push({
        field: `baseline[${s.baseline.indexOf(byKey.get(key)!)}].actual`,
        message: `is ${byKey.get(key)!.actual} but run.${key} is ${s.run[key]}`,
      });
    }
  }
  const allWithin = s.baseline.every((e) => e.within_range);
  if ((s.status === "pass") !== allWithin) {
    issues.push({
      field: "status",
      message: `is "${s.status}" but ${allWithin ? "every entry is" : "an entry is not"} within range`,
    });
  }
  if (issues.length > 0) return invalid(...issues);

  const comparison = (key: MetricKey): Comparison => {
    const e = byKey.get(key)!;
    return { actual: e.actual, lower: e.lower, upper: e.upper, within_range: e.within_range };
  };
  return ok({
    measurements: {
      ...s.run,
      per_batch_p95_ms: byKey.get("per_batch_p95_ms")!.actual,
    },
    runnerReport: {
      source: s.baseline_source as BaselineSource,
      throughput_ops_per_sec: comparison("throughput_ops_per_sec"),
      total_duration_ms: comparison("total_duration_ms"),
      per_batch_p95_ms: comparison("per_batch_p95_ms"),
    },
  });
}

export function parseSmokeSummaryText(text: string): Parsed<SummaryUpload> {
  const json = parseJson(text);
  return json.ok ? parseSmokeSummary(json.value) : json;
}

/** Whether a parsed JSON upload is a `smoke-summary.json` (it has `status` and `run`) rather than metrics. */
export function looksLikeSummary(input: unknown): boolean {
  return typeof input === "object" && input !== null && !Array.isArray(input) && "run" in input && "status" in input;
}
