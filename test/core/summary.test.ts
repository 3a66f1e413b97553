import { describe, expect, it } from "vitest";
import { evaluate, type Baseline } from "../../src/core/baseline.ts";
import { actualsOf, measure, parseSmokeMetrics } from "../../src/core/metrics.ts";
import {
  failureAnnotations,
  parseSmokeSummary,
  parseSmokeSummaryText,
  smokeSummary,
  summaryHtml,
  summaryJson,
  summaryMarkdown,
} from "../../src/core/summary.ts";
import smokeBaseline from "../../baselines/smoke.json";
import disagree from "../fixtures/smoke-metrics-disagree.json";
import noReport from "../fixtures/smoke-metrics-no-report.json";
import regressed from "../fixtures/smoke-metrics-regressed.json";
import passing from "../fixtures/smoke-metrics.json";
import annotationsRegressed from "../fixtures/golden/annotations-regressed.txt?raw";
import htmlDisagree from "../fixtures/golden/smoke-summary-disagree.html?raw";
import jsonDisagree from "../fixtures/golden/smoke-summary-disagree.json?raw";
import mdDisagree from "../fixtures/golden/smoke-summary-disagree.md?raw";
import htmlNoReport from "../fixtures/golden/smoke-summary-no-report.html?raw";
import jsonNoReport from "../fixtures/golden/smoke-summary-no-report.json?raw";
import mdNoReport from "../fixtures/golden/smoke-summary-no-report.md?raw";
import htmlRegressed from "../fixtures/golden/smoke-summary-regressed.html?raw";
import jsonRegressed from "../fixtures/golden/smoke-summary-regressed.json?raw";
import mdRegressed from "../fixtures/golden/smoke-summary-regressed.md?raw";
import htmlPassing from "../fixtures/golden/smoke-summary.html?raw";
import jsonPassing from "../fixtures/golden/smoke-summary.json?raw";
import mdPassing from "../fixtures/golden/smoke-summary.md?raw";

/** FORMATS.md §4, verbatim. */
const FORMATS_EXAMPLE = `# Firewood smoke benchmark summary

* Total batches: 5
* Batch size: 100
* Throughput: 10233.32 ops/sec
* Total duration: 48.86 ms

## Baseline comparison
* Throughput (ops/sec): 10233.32 (>= 8500.00, <= 12000.00) ✅
* Batch P95 latency (ms): 11.20 (>= 0.00, <= 15.00) ✅
* Total duration (ms): 48.86 (>= 0.00, <= 65.00) ✅
`;

function read(input: unknown) {
  const parsed = parseSmokeMetrics(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return { m: measure(parsed.value), report: parsed.value.baseline };
}

const CASES = [
  ["passing", passing, mdPassing, jsonPassing, htmlPassing],
  ["regressed", regressed, mdRegressed, jsonRegressed, htmlRegressed],
  ["without an embedded report", noReport, mdNoReport, jsonNoReport, htmlNoReport],
  ["with a File-sourced report", disagree, mdDisagree, jsonDisagree, htmlDisagree],
] as const;

describe("summaries, byte for byte with Firewood's summarizer", () => {
  it("renders FORMATS.md §4 exactly", () => {
    const { m, report } = read(passing);
    expect(summaryMarkdown(smokeSummary(m, report))).toBe(FORMATS_EXAMPLE);
  });

  it.each(CASES)("smoke-summary.md of a run %s", (_name, input, md) => {
    const { m, report } = read(input);
    expect(summaryMarkdown(smokeSummary(m, report))).toBe(md);
  });

  it.each(CASES)("smoke-summary.json of a run %s", (_name, input, _md, json) => {
    const { m, report } = read(input);
    expect(summaryJson(smokeSummary(m, report))).toBe(json);
  });

  it.each(CASES)("smoke-summary.html of a run %s", (_name, input, _md, _json, html) => {
    const { m, report } = read(input);
    expect(summaryHtml(smokeSummary(m, report))).toBe(html);
  });

  it("prints one ::error annotation per metric out of range", () => {
    const { m, report } = read(regressed);
    expect(`${failureAnnotations(smokeSummary(m, report)).join("\n")}\n`).toBe(annotationsRegressed);
    const ok = read(passing);
    expect(failureAnnotations(smokeSummary(ok.m, ok.report))).toEqual([]);
  });

  it("renders chimney's own evaluation with 'no bounds configured'", () => {
    const { m } = read(passing);
    const open: Baseline = { ...(smokeBaseline as Baseline), total_duration_ms: { lower: null, upper: null } };
    const report = evaluate(actualsOf(m), open, { type: "File", path: "baselines/smoke.json" });
    expect(summaryMarkdown(smokeSummary(m, report))).toContain(
      "* Total duration (ms): 48.86 (no bounds configured) ✅\n",
    );
  });
});

describe("smoke-summary.json as an upload", () => {
  it("reads back what the summarizer wrote, with the runner's p95", () => {
    const parsed = parseSmokeSummaryText(jsonPassing);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const { m, report } = read(passing);
    expect(parsed.value.measurements).toEqual(m);
    expect(parsed.value.runnerReport).toEqual(report);
  });

  const golden = () => JSON.parse(jsonRegressed);

  it.each([
    ["a summary from a file without a report", JSON.parse(jsonNoReport), "baseline"],
    ["an unknown status", { ...golden(), status: "ok" }, "status"],
    ["a status that contradicts the entries", { ...golden(), status: "pass" }, "status"],
    ["per_batch_count ≠ batches", { ...golden(), run: { ...golden().run, per_batch_count: 4 } }, "run.per_batch_count"],
    [
      "total_operations ≠ batches × batch_size",
      { ...golden(), run: { ...golden().run, total_operations: 1 } },
      "run.total_operations",
    ],
    ["a negative duration", { ...golden(), run: { ...golden().run, total_duration_ms: -5 } }, "run.total_duration_ms"],
    [
      "an entry whose actual differs from the run",
      { ...golden(), run: { ...golden().run, throughput_ops_per_sec: 1 } },
      "baseline[0].actual",
    ],
    ["an unknown metric", { ...golden(), baseline: [{ ...golden().baseline[0], key: "latency" }] }, "baseline[0].key"],
    [
      "a repeated metric",
      { ...golden(), baseline: [golden().baseline[0], golden().baseline[0], golden().baseline[2]] },
      "baseline[1].key",
    ],
    ["a missing run", { ...golden(), run: undefined }, "run"],
  ])("refuses %s, naming the field", (_what, input, field) => {
    const parsed = parseSmokeSummary(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issues[0].field).toBe(field);
  });
});
