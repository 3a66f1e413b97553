/**
 * `npm run bench`: chimney's speed and robustness as ratios to floors measured in the same run.
 *
 * - CPU (bench/cpu.ts): the pure pipeline of a 100 000-batch metrics file ÷ `JSON.parse` of the
 *   same bytes; one whole upload (answered, settled, the page published), with 0, 1 000 and
 *   10 000 runs of history, in a warm isolate and in a cold one; the newest page crossing from
 *   the ledger, the Worker's side ÷ `JSON.parse` of the same page.
 * - The suites' result formats (bench/formats.ts): each parser over 2 000 benches ÷ splitting or
 *   `JSON.parse` of the same bytes. `npm run bench -- formats` runs this part alone.
 * - Change points inside workerd (bench/detection.ts).
 * - HTTP against `wrangler dev` (bench/http.ts): /status, / and uploads ÷ /healthz, in
 *   interleaved rounds; /status and /badge at 100 connections for 20 s.
 * - History (bench/history.ts): import of 1 000 and 10 000 results; uploads, /status, /badge and
 *   GET / with 10 000 runs stored beside none; /status through a burst of uploads; each on
 *   Workers (under wrangler dev, and the deployed bundle in workerd without its proxy) and on the
 *   Deno entry. Cold start (bench/cold-start.ts) beside a hello-world Worker.
 *   `npm run bench -- history` runs these alone.
 * - Webhooks (bench/webhooks.ts): 500 signed deliveries ending as exactly 100 runs; a 50 MB log.
 * - The minified bundle (bench/bundle.ts).
 * - Alert quality (bench/alerts.ts): false alerts and caught steps of chimney and five peers on
 *   seeded histories of Firewood's own noise. `npm run bench -- alerts` runs this part alone.
 *
 * Ratios are the figures of record; absolute numbers depend on the machine.
 * Writes bench/results.json and prints a Markdown table.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { alertBench, alertTable } from "./alerts.ts";
import { bundleSize } from "./bundle.ts";
import { coldStartBench } from "./cold-start.ts";
import { pipelineCpu, uploadCpus } from "./cpu.ts";
import { detectionBench } from "./detection.ts";
import { formatsCpu } from "./formats.ts";
import { historyBench } from "./history.ts";
import { httpBench } from "./http.ts";
import { webhookBench } from "./webhooks.ts";

const RESULTS = "bench/results.json";

if (process.argv[2] === "formats") {
  const formats = formatsCpu();
  const kept = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, "utf8")) as Record<string, unknown>) : {};
  writeFileSync(RESULTS, `${JSON.stringify({ ...kept, formats }, null, 2)}\n`);
  console.log(formatsReport(formats));
  process.exit(0);
}

function formatsReport(formats: ReturnType<typeof formatsCpu>): string {
  const rows = Object.entries(formats).map(
    ([name, f]) => `| ${name} | ${f.benches} | ${f.bytes} | ${f.floor_us} | ${f.parse_us} | ${f.ratio} |`,
  );
  return ["| format | benches | bytes | floor µs | parse µs | ratio |", "|---|---:|---:|---:|---:|---:|", ...rows].join(
    "\n",
  );
}

if (process.argv[2] === "history") {
  const upload = uploadCpus();
  const history = await historyBench();
  const cold_start = await coldStartBench();
  const kept = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, "utf8")) as Record<string, unknown>) : {};
  writeFileSync(RESULTS, `${JSON.stringify({ ...kept, ...upload, history, cold_start }, null, 2)}\n`);
  console.log(historyReport(upload, history, cold_start));
  process.exit(0);
}

function uploadReport({ upload, page_crossing: crossing }: ReturnType<typeof uploadCpus>): string {
  const at = (pick: (u: (typeof upload)[number]) => number) => upload.map(pick).join(" / ");
  return `| CPU per upload (answered, settled, page published; memory stores; one thread), 0 / 1 000 / 10 000 runs of history, warm isolate | ${at((u) => u.warm.upload_cpu_us)} µs (settle ${at((u) => u.warm.settle_cpu_us)}, page ${at((u) => u.warm.publish_cpu_us)}) | 10 000 ≤ 1.5× 0, ≤ 2 000 µs |
| the same in a fresh isolate (no windows remembered, no copy of the newest page; the kept windows read back) | ${at((u) => u.cold.upload_cpu_us)} µs (settle ${at((u) => u.cold.settle_cpu_us)}, page ${at((u) => u.cold.publish_cpu_us)}) | |
| the newest page (${crossing.entries} runs) crossing from the ledger to a Worker with no copy: the Worker's side ÷ JSON.parse of the page | ${crossing.worker_over_json_parse}× (${crossing.worker_cpu_us} vs ${crossing.json_parse_cpu_us} µs; the ledger's side ${crossing.ledger_cpu_us} µs, ${crossing.bytes} B) | |`;
}

function historyReport(
  upload: ReturnType<typeof uploadCpus>,
  h: Awaited<ReturnType<typeof historyBench>>,
  cold: Awaited<ReturnType<typeof coldStartBench>>,
) {
  const { workers: w, workerd: p, deno: d } = h;
  const both = (f: (e: typeof w) => string | number) => `${f(w)} | ${f(p)} | ${f(d)}`;
  return `| history that grows cheaply | Workers (wrangler dev) | Workers (the deployed bundle in workerd, no dev proxy) | Deno entry | goal |
|---|---:|---:|---:|---|
| import 10 000 rows ÷ 1 000 rows | ${both((e) => `${e.import_10k_over_1k}× (${e.import_10k_s} s / ${e.import_1k_s} s)`)} | ≤ 12× |
| uploads taken (2xx) at 10 000 runs stored ÷ at none | ${both((e) => `${e.uploads_10k_over_none}× (${e.stored_10k.uploads_rps} / ${e.none_stored.uploads_rps} req/s)`)} | ≥ 0.8× |
| GET / ÷ /healthz, 10 000 runs stored (none stored) | ${both((e) => `${e.stored_10k.page}× (${e.none_stored.page}×); ${e.stored_10k.page_rps} req/s`)} | ≥ 0.8× |
| the same page (${w.stored_10k.page_bytes} B at 10 000 runs) from a hello-world Worker ÷ its /healthz | ${both((e) => `${e.page_floor.ratio}×; ${e.page_floor.rps} req/s`)} | the floor of GET / |
| /status ÷ /healthz, 10 000 runs stored (none stored) | ${both((e) => `${e.stored_10k.status}× (${e.none_stored.status}×)`)} | ≥ 0.9× |
| /badge ÷ /healthz, 10 000 runs stored (none stored) | ${both((e) => `${e.stored_10k.badge}× (${e.none_stored.badge}×)`)} | ≥ 0.9× |
| /status p99 during / right after a burst of uploads ÷ idle | ${both((e) => `${e.burst.during_over_idle}× / ${e.burst.after_over_idle}× (idle ${e.burst.idle_p99_ms} ms)`)} | ≤ 10× |
| reads failed during the burst; uploads answered 429 | ${both((e) => `${e.burst.failed_reads}; ${e.burst.uploads_refused_429} of ${e.burst.uploads}`)} | 0 failed |
| errors + non-2xx in the read rounds | ${both((e) => `${e.none_stored.read_errors + e.stored_10k.read_errors}`)} | 0 |
| in the upload rounds: errors + non-2xx other than 429; uploads refused 429 | ${both((e) => `${e.none_stored.upload_errors + e.stored_10k.upload_errors}; ${e.none_stored.uploads_refused_429 + e.stored_10k.uploads_refused_429}`)} | 0, but for connections workerd closed after a 429 |

| one upload's CPU | value | goal |
|---|---|---|
${uploadReport(upload)}

Cold start (a fresh workerd isolate on the minified bundle, ${cold.starts} starts, medians): first request (/healthz) ${cold.chimney_first_request_ms} ms vs ${cold.hello_first_request_ms} ms for a hello-world Worker (${cold.first_request_ratio}×; goal ≤ 2×); first /status ${cold.chimney_first_status_ms} ms (${cold.first_status_over_hello}× hello, ${cold.first_status_over_hello_kv}× a hello-world Worker reading one KV key, ${cold.hello_kv_first_request_ms} ms); start ${cold.chimney_start_ms} ms vs ${cold.hello_start_ms} ms (${cold.start_ratio}×). Bundle ${cold.bundle_kib} KiB minified, ${cold.bundle_gzip_kib} KiB gzip.`;
}

if (process.argv[2] === "alerts") {
  const alerts = await alertBench();
  const kept = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, "utf8")) as Record<string, unknown>) : {};
  writeFileSync(RESULTS, `${JSON.stringify({ ...kept, alerts }, null, 2)}\n`);
  console.log(alertsReport(alerts));
  process.exit(0);
}

function alertsReport(alerts: Awaited<ReturnType<typeof alertBench>>): string {
  return `Alert quality: ${alerts.histories} seeded histories × ${alerts.nights_per_history} nights (${alerts.nights} nights; noise resampled from ${alerts.residuals_resampled} residuals of Firewood's history; lone outliers on ${alerts.outlier_rate * 100}% of nights; chimney reran ${alerts.chimney_reruns_per_1000_nights} nights per 1 000).

${alertTable(alerts)}`;
}

const cpu = pipelineCpu();
const upload = uploadCpus();
const formats = formatsCpu();
const detection = await detectionBench();
const bundle = await bundleSize();
const http = await httpBench();
const history = await historyBench();
const cold_start = await coldStartBench();
const webhooks = await webhookBench();
const alerts = await alertBench();
const results = {
  measured_at: new Date().toISOString(),
  node: process.version,
  cpu,
  ...upload,
  formats,
  detection,
  bundle,
  http,
  history,
  cold_start,
  webhooks,
  alerts,
};
writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);

const [d1k, d10k] = detection.sizes;
const s = http.sustained;
console.log(`
| figure | value | goal |
|---|---|---|
| /status throughput ÷ /healthz | ${http.status_vs_healthz.throughput}× (rounds: ${http.status_vs_healthz.throughput_per_round.join(", ")}; ${http.status.rps} vs ${http.healthz.rps} req/s) | ≥ 0.8× |
| /status p50 / p99 latency ÷ /healthz | ${http.status_vs_healthz.p50}× / ${http.status_vs_healthz.p99}× (${http.status.p50_ms} / ${http.status.p99_ms} ms) | |
| GET / (the status page) throughput ÷ /healthz | ${http.page_vs_healthz.throughput}× (${http.page.rps} req/s; p50 ${http.page.p50_ms} ms) | |
| POST /api/results throughput ÷ /healthz | ${http.ingest_vs_healthz.throughput}× (${http.ingest.rps} req/s; ${http.runs_stored_at_end} runs stored at the end) | |
| POST /api/results p50 / p99 latency ÷ /healthz | ${http.ingest_vs_healthz.p50}× / ${http.ingest_vs_healthz.p99}× (${http.ingest.p50_ms} / ${http.ingest.p99_ms} ms) | |
| errors + non-2xx (healthz, status, page, ingest) | ${http.healthz.errors + http.healthz.non2xx}, ${http.status.errors + http.status.non2xx}, ${http.page.errors + http.page.non2xx}, ${http.ingest.errors + http.ingest.non2xx} | 0 |
| ${s.connections} connections for ${s.seconds} s: /status, /badge ÷ /healthz | ${s.status_vs_healthz}×, ${s.badge_vs_healthz}× (${s.status.rps}, ${s.badge.rps} vs ${s.healthz.rps} req/s; p99 ${s.status.p99_ms}, ${s.badge.p99_ms} ms) | 0 errors: ${s.errors} |
| ${webhooks.deliveries} signed deliveries (${webhooks.distinct_runs} runs × 5) | answered in ${webhooks.answered_in_s} s (${webhooks.deliveries_per_s}/s, p50 ${webhooks.p50_ms} ms, p99 ${webhooks.p99_ms} ms), all 2xx: ${webhooks.all_2xx} ${JSON.stringify(webhooks.answers)}; ${webhooks.runs_stored} runs stored, all settled in ${webhooks.all_settled_in_s} s | all 2xx within 10 s; exactly 100 runs |
| a ${webhooks.large_log.log_mb} MB log in an artifact | stored ${webhooks.large_log.stored_bytes} bytes in ${webhooks.large_log.ingested_in_s} s; workerd peak memory grew ${webhooks.large_log.workerd_peak_growth_mib} MiB | < 128 MB |
| validate + evaluate + summarize ÷ JSON.parse (${cpu.per_batch_ms_entries} timings, ${(cpu.bytes / 1e6).toFixed(1)} MB) | ${cpu.ratio_to_json_parse}× (${cpu.validate_evaluate_summarize_cpu_us} vs ${cpu.json_parse_cpu_us} µs CPU) | ≤ 3× |
| the same including the parse ÷ JSON.parse | ${cpu.ratio_including_parse}× | |
${uploadReport(upload)}
| change points, 1 000 nights × 3 metrics, in workerd | ${d1k.full_ms} ms (${d1k.full_us_per_point} µs a point) | < 50 ms |
| change points, 10 000 nights × 3 metrics, in workerd | ${d10k.full_ms} ms (${d10k.full_us_per_point} µs a point; ${detection.growth_full_10k_over_1k}× the 1 000) | ≈ 10× (linear) |
| one night appended (incremental), 1 000 / 10 000 nights × 3 | ${d1k.append_ms} / ${d10k.append_ms} ms | |
| the Worker, minified (wrangler deploy --dry-run --minify) | ${bundle.kib} KiB (${bundle.gzip_kib} KiB gzip) | < 150 KiB |

Change points: wall time of a request to a Worker in Miniflare minus an empty request's (${detection.empty_request_ms} ms).
HTTP: ${http.connections} connections; ${http.rounds} rounds of ${http.seconds_per_round} s per route, interleaved with /healthz; medians of the per-round ratios. wrangler dev on loopback. Written to bench/results.json.

${historyReport(upload, history, cold_start)}

${alertsReport(alerts)}`);
