/**
 * CPU in this process (V8, as in workerd): the pure pipeline of a large metrics file against
 * `JSON.parse` of the same bytes, and one whole upload (memory stores): answered, settled and
 * published, with the history it is analysed with.
 */
import smokeBaseline from "../baselines/smoke.json" with { type: "json" };
import { evaluate, type Baseline } from "../src/core/baseline.ts";
import { actualsOf, measure, parseSmokeMetrics } from "../src/core/metrics.ts";
import { smokeSummary, summaryHtml, summaryJson, summaryMarkdown } from "../src/core/summary.ts";
import { forgetWindows } from "../src/core/changepoints/window-memo.ts";
import { HISTORY_PAGE, type HistoryEntry } from "../src/core/history.ts";
import { applyAnswer, forgetPageCopies, PageChanges } from "../src/core/newest-page.ts";
import { publishStatusPage } from "../src/http/pages/publish.ts";
import { importHistory } from "../src/jobs/import.ts";
import { ingest } from "../src/jobs/ingest.ts";
import { drain } from "../src/jobs/outbox.ts";
import { memoryStores } from "../src/store/memory.ts";
import { wire } from "../src/wiring.ts";
import { execFileSync } from "node:child_process";
import { deserialize, serialize } from "node:v8";
import { fileURLToPath } from "node:url";
import { amortizedMicros, cpuMicros, importRows, metricsText, nightResult, round3 } from "./common.ts";

const TIMINGS = 100_000;

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

/** Per-upload CPU, median of `UPLOADS`, by part, after `WARM_UP` uploads not counted. */
const UPLOADS = 31;
const WARM_UP = 20;

/**
 * CPU of one whole upload of a night's 5-batch result with `history` nights imported before it
 * (memory stores): the ingest job that answers it, the settlement that follows (the drain: the
 * bounded change analysis, the alerts) and the status page it publishes. `warm` is an isolate
 * that settled the nights before (after `WARM_UP` uploads not counted, so its code is compiled);
 * `cold` one that holds no windows and no copy of the newest page, as a nightly upload usually
 * finds it on Workers.
 */
export async function uploadCpu(history: number) {
  const first = Date.UTC(2000, 0, 1) + history * 86_400_000;
  let now = first;
  const deps = wire(
    {},
    { fetch: () => Promise.reject(new Error("offline")), now: () => now, sleep: async () => {}, write: () => {} },
    memoryStores,
  );
  if (history > 0) {
    const imported = await importHistory(deps, importRows(history));
    if (imported.kind !== "runs") throw new Error(`import of ${history} rows: ${JSON.stringify(imported)}`);
  }
  let night = 0;
  const upload = async () => {
    now = first + ++night * 86_400_000;
    // Each night a few percent from the last, as the history before it: identical nights would
    // make a flat series, cheaper to analyse than Firewood's.
    const bytes = new TextEncoder().encode(JSON.stringify(nightResult(history + night)));
    const parts = { ingest: 0, settle: 0, publish: 0 };
    const timed = async (part: keyof typeof parts, step: () => Promise<unknown>) => {
      const start = process.cpuUsage();
      await step();
      const used = process.cpuUsage(start);
      parts[part] = used.user + used.system;
    };
    await timed("ingest", () =>
      ingest(deps, {
        result: bytes,
        resultKind: "auto",
        resultField: "(body)",
        files: [],
        provenance: { github: { run_id: 1_000_000 + night, run_attempt: 1, html_url: null }, sha: null, ref: "main" },
      }),
    );
    await timed("settle", () => drain(deps));
    await timed("publish", () => publishStatusPage(deps));
    return parts;
  };
  const medianOf = async (before: () => void) => {
    const samples: { ingest: number; settle: number; publish: number }[] = [];
    for (let i = 0; i < UPLOADS; i++) {
      before();
      samples.push(await upload());
    }
    const median = (pick: (p: (typeof samples)[number]) => number) =>
      samples.map(pick).sort((a, b) => a - b)[Math.floor(samples.length / 2)];
    return {
      upload_cpu_us: median((p) => p.ingest + p.settle + p.publish),
      ingest_cpu_us: median((p) => p.ingest),
      settle_cpu_us: median((p) => p.settle),
      publish_cpu_us: median((p) => p.publish),
    };
  };
  for (let i = 0; i < WARM_UP; i++) await upload();
  const warm = await medianOf(() => {});
  const cold = await medianOf(() => {
    forgetWindows();
    forgetPageCopies();
  });
  return { history_runs: history, warm, cold };
}

/**
 * The newest page crossing from the ledger to a Worker that holds no copy of it, as V8 copies an
 * RPC's answer (workerd's RPC uses the same serializer): the ledger's side (the answer in columns,
 * serialized) and the Worker's (deserialized, the copy's entries made), beside `JSON.parse` of the
 * same page as JSON, what reading it from a KV value would cost the Worker.
 */
export function pageCrossingCpu() {
  const page: HistoryEntry[] = Array.from({ length: HISTORY_PAGE }, (_, i) => {
    const at = Date.UTC(2026, 0, 1) + (HISTORY_PAGE - i) * 86_400_000;
    const parsed = parseSmokeMetrics(nightResult(i));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const m = measure(parsed.value);
    return {
      id: `${18_000_000_000 + i}-1`,
      state: "passed",
      at: new Date(at).toISOString(),
      completed_at: new Date(at + 1_800_000).toISOString(),
      sha: (0x10000000 + i).toString(16).repeat(5),
      ref: "main",
      mainline: true,
      throughput_ops_per_sec: m.throughput_ops_per_sec,
      total_duration_ms: m.total_duration_ms,
      per_batch_p95_ms: m.per_batch_p95_ms,
      out_of_range: [],
      confirmation: null,
      rerun: null,
      dispatch_kind: "nightly",
      superseded: false,
    };
  });
  const changes = new PageChanges();
  const bytes = serialize(changes.answer(page, 10_000, null));
  const json = JSON.stringify(page);
  const calls = 2_000;
  const ledger = amortizedMicros(() => serialize(changes.answer(page, 10_000, null)), calls);
  const reader = {};
  const worker = amortizedMicros(() => {
    forgetPageCopies();
    return applyAnswer(reader, deserialize(bytes));
  }, calls);
  const parse = amortizedMicros(() => JSON.parse(json), calls);
  return {
    entries: HISTORY_PAGE,
    bytes: bytes.byteLength,
    ledger_cpu_us: ledger,
    worker_cpu_us: worker,
    json_parse_cpu_us: parse,
    worker_over_json_parse: round3(worker / parse),
  };
}

/** What bench/upload-cpu.ts prints, keyed as bench/results.json keeps it. */
export interface UploadCpus {
  upload: Awaited<ReturnType<typeof uploadCpu>>[];
  page_crossing: ReturnType<typeof pageCrossingCpu>;
}

/** `uploadCpu` at 0, 1 000 and 10 000 runs and `pageCrossingCpu`, on one thread (bench/upload-cpu.ts says why). */
export function uploadCpus(): UploadCpus {
  const entry = fileURLToPath(new URL("./upload-cpu.ts", import.meta.url));
  const out = execFileSync(process.execPath, ["--single-threaded", "--import", "tsx", entry], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out) as UploadCpus;
}
