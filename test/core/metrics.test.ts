import { describe, expect, it } from "vitest";
import noReport from "../fixtures/smoke-metrics-no-report.json";
import metrics from "../fixtures/smoke-metrics.json";
import { expectedThroughput, measure, parseSmokeMetrics, parseSmokeMetricsText } from "../../src/core/metrics.ts";

const clone = (patch: Record<string, unknown> = {}) => ({ ...structuredClone(metrics), ...patch });

function fieldOf(input: unknown): string {
  const parsed = parseSmokeMetrics(input);
  if (parsed.ok) throw new Error("expected the input to be refused");
  return parsed.issues[0].field;
}

describe("smoke-metrics.json", () => {
  it("reads the benchmark's file with its embedded report", () => {
    const parsed = parseSmokeMetrics(metrics);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.baseline?.source).toEqual({ type: "Embedded" });
    expect(measure(parsed.value)).toEqual({
      batches: 5,
      batch_size: 100,
      total_operations: 500,
      total_duration_ms: 48.86,
      throughput_ops_per_sec: 10233.31968890708,
      per_batch_count: 5,
      per_batch_p95_ms: 11.2,
    });
  });

  it("reads an older file without the report", () => {
    const parsed = parseSmokeMetrics(noReport);
    expect(parsed.ok && parsed.value.baseline).toBe(null);
  });

  it("ignores keys it does not know, as serde and the summarizer do", () => {
    expect(parseSmokeMetrics(clone({ host: "runner-7" })).ok).toBe(true);
  });

  it.each([
    ["a string for batches", clone({ batches: "5" }), "batches"],
    ["zero batches", clone({ batches: 0 }), "batches"],
    ["a fractional batch size", clone({ batch_size: 1.5 }), "batch_size"],
    ["a negative duration", clone({ total_duration_ms: -1 }), "total_duration_ms"],
    ["an infinite throughput", clone({ throughput_ops_per_sec: Infinity }), "throughput_ops_per_sec"],
    ["a negative batch timing", clone({ per_batch_ms: [9.1, 9.5, -9.3, 9.76, 11.2] }), "per_batch_ms[2]"],
    ["a string batch timing", clone({ per_batch_ms: [9.1, "9.5", 9.3, 9.76, 11.2] }), "per_batch_ms[1]"],
    ["too few batch timings", clone({ per_batch_ms: [9.1, 9.5, 9.3, 9.76] }), "per_batch_ms"],
    ["no batch timings at all", (({ per_batch_ms: _, ...rest }) => rest)(clone()), "per_batch_ms"],
    ["total_operations ≠ batches × batch_size", clone({ total_operations: 499 }), "total_operations"],
    ["a total that is not the sum of the batches", clone({ total_duration_ms: 60 }), "total_duration_ms"],
    [
      "a throughput that does not follow from the numbers",
      clone({ throughput_ops_per_sec: 20000 }),
      "throughput_ops_per_sec",
    ],
    [
      "a report with a wrong type",
      clone({
        baseline: {
          ...metrics.baseline,
          per_batch_p95_ms: { ...metrics.baseline.per_batch_p95_ms, within_range: "yes" },
        },
      }),
      "baseline.per_batch_p95_ms.within_range",
    ],
    [
      "a report with an unknown source",
      clone({ baseline: { ...metrics.baseline, source: { type: "Remote" } } }),
      "baseline.source.type",
    ],
    ["an array", [metrics], "(body)"],
    ["null", null, "(body)"],
  ])("refuses %s, naming the field", (_what, input, field) => {
    expect(fieldOf(input)).toBe(field);
  });

  it("explains a length mismatch in words", () => {
    const parsed = parseSmokeMetrics(clone({ per_batch_ms: [1, 2] }));
    expect(parsed.ok || parsed.issues[0].message).toBe("has 2 timings but batches is 5; expected one timing per batch");
  });

  it.each([
    ["", "is empty; expected a JSON document"],
    ["   \n", "is empty; expected a JSON document"],
  ])("refuses the empty text %j", (text, message) => {
    expect(parseSmokeMetricsText(text)).toEqual({ ok: false, issues: [{ field: "(body)", message }] });
  });

  it("refuses malformed JSON with the parser's reason", () => {
    const parsed = parseSmokeMetricsText('{"batches": 5,');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issues[0].message).toMatch(/^is not valid JSON \(/);
  });

  it("follows the benchmark's throughput rule at its edges", () => {
    expect(expectedThroughput(0, 10)).toBe(0);
    expect(expectedThroughput(500, 0)).toBe(500);
    expect(expectedThroughput(500, 50)).toBe(10000);
  });
});
