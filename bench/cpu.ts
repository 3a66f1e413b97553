/**
 * CPU in this process (V8, as in workerd): the pure pipeline of a large metrics file against
 * `JSON.parse` of the same bytes, and one whole upload through the ingest job (memory stores)
 * with the history it is analysed with.
 */
import smokeBaseline from "../baselines/smoke.json" with { type: "json" };
import { evaluate, type Baseline } from "../src/core/baseline.ts";
import { actualsOf, measure, parseSmokeMetrics } from "../src/core/metrics.ts";
import { smokeSummary, summaryHtml, summaryJson, summaryMarkdown } from "../src/core/summary.ts";
import { ingest } from "../src/jobs/ingest.ts";
import { memoryStores } from "../src/store/memory.ts";
import { wire } from "../src/wiring.ts";
import { cpuMicros, metricsText, round3 } from "./common.ts";

const TIMINGS = 100_000;

async function asyncCpuMicros(fn: (i: number) => Promise<unknown>, iterations: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.cpuUsage();
    await fn(i);
    const used = process.cpuUsage(start);
    samples.push(used.user + used.system);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

export function pipelineCpu() {
  const text = metricsText(TIMINGS);
  const baseline = smokeBaseline as Baseline;
  const parseOnly = cpuMicros(() => JSON.parse(text), 25);
  const pipeline = cpuMicros(() => {
    const parsed = parseSmokeMetrics(JSON.parse(text));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const m = measure(parsed.value);
    const report = evaluate(actualsOf(m), baseline, { type: "File", path: "baselines/smoke.json" });
    const summary = smokeSummary(m, report);
    summaryMarkdown(summary);
    summaryJson(summary);
    summaryHtml(summary);
  }, 25);
  return {
    bytes: text.length,
    per_batch_ms_entries: TIMINGS,
    json_parse_cpu_us: parseOnly,
    parse_validate_evaluate_summarize_cpu_us: pipeline,
    validate_evaluate_summarize_cpu_us: pipeline - parseOnly,
    ratio_to_json_parse: round3((pipeline - parseOnly) / parseOnly),
    ratio_including_parse: round3(pipeline / parseOnly),
  };
}

/** CPU of one upload of Firewood's 5-batch result, with `history` runs already recorded. */
export async function ingestCpu(history: number) {
  const deps = wire(
    {},
    { fetch: () => Promise.reject(new Error("offline")), now: Date.now, sleep: async () => {}, write: () => {} },
    memoryStores,
  );
  const bytes = new TextEncoder().encode(metricsText(5));
  const upload = (i: number) =>
    ingest(deps, {
      result: bytes,
      resultKind: "auto",
      resultField: "(body)",
      files: [],
      provenance: { github: { run_id: 1_000_000 + i, run_attempt: 1, html_url: null }, sha: null, ref: "main" },
    });
  for (let i = 0; i < history; i++) await upload(i);
  const parse = cpuMicros(() => JSON.parse(new TextDecoder().decode(bytes)), 200);
  const cpu = await asyncCpuMicros((i) => upload(history + i), 15);
  return {
    history_runs: history,
    ingest_cpu_us: cpu,
    json_parse_cpu_us: parse,
    ratio_to_json_parse: round3(cpu / Math.max(parse, 1)),
  };
}
