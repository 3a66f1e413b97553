/**
 * `npm run bench`: chimney's speed as ratios to a floor measured in the same run.
 *
 * - HTTP, against `wrangler dev` on loopback: requests per second and p50/p99 latency of
 *   GET /status, GET / (the status page) and POST /api/results, each divided by the same
 *   figures for GET /healthz.
 * - CPU, in this process (V8, as in workerd): validate + evaluate + summarize of a metrics
 *   file with 100 000 batch timings, divided by `JSON.parse` of the same bytes.
 * - Change points, inside workerd (Miniflare): detection over 1 000 and 10 000 nights of three
 *   metrics, whole and incremental (one night appended), minus an empty request's time.
 *
 * Ratios are the figures of record; absolute numbers depend on the machine.
 * Writes bench/results.json and prints a Markdown table.
 */
import autocannon from "autocannon";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import smokeBaseline from "../baselines/smoke.json" with { type: "json" };
import { evaluate, type Baseline } from "../src/core/baseline.ts";
import { actualsOf, measure, parseSmokeMetrics } from "../src/core/metrics.ts";
import { smokeSummary, summaryHtml, summaryJson, summaryMarkdown } from "../src/core/summary.ts";
import { startWranglerDev } from "../scripts/wrangler-dev.ts";

const TOKEN = "bench-token-0123456789abcdef";
const HTTP_SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const TIMINGS = 100_000;

/** A consistent smoke-metrics.json with `n` batch timings (deterministic pseudo-random). */
function metricsText(n: number): string {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const per_batch_ms = Array.from({ length: n }, () => 8 + random() * 4);
  const total = per_batch_ms.reduce((a, b) => a + b, 0);
  const ops = n * 100;
  return JSON.stringify(
    { batches: n, batch_size: 100, total_operations: ops, total_duration_ms: total, per_batch_ms, throughput_ops_per_sec: ops / (total / 1000) },
    null,
    2,
  );
}

function cpuMicros(fn: () => void, iterations: number): number {
  for (let i = 0; i < 3; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.cpuUsage();
    fn();
    const used = process.cpuUsage(start);
    samples.push(used.user + used.system);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

function cpuBench() {
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

async function detectionBench() {
  const bundle = await build({ entryPoints: ["bench/detection-worker.ts"], bundle: true, format: "esm", write: false, logLevel: "silent" });
  const mf = new Miniflare({ modules: true, script: bundle.outputFiles[0].text, compatibilityDate: "2026-04-26" });
  try {
    const wall = async (path: string, reps: number) => {
      const times: number[] = [];
      for (let i = 0; i < reps; i++) {
        const start = performance.now();
        await (await mf.dispatchFetch(`http://bench${path}`)).text();
        times.push(performance.now() - start);
      }
      return times.sort((a, b) => a - b)[Math.floor(reps / 2)];
    };
    await wall("/noop", 20);
    const floor = await wall("/noop", 41);
    const sizes = [];
    for (const n of [1_000, 10_000]) {
      await wall(`/prepare?n=${n}`, 1);
      const reps = n > 5_000 ? 9 : 31;
      const full = (await wall("/full", reps)) - floor;
      const append = (await wall("/append", reps)) - floor;
      sizes.push({
        points: n,
        metrics: 3,
        full_ms: round3(full),
        full_us_per_point: round3((full * 1000) / (3 * n)),
        append_ms: round3(append),
        append_us_per_point: round3((append * 1000) / (3 * n)),
      });
    }
    return { empty_request_ms: round3(floor), sizes, growth_full_10k_over_1k: round3(sizes[1].full_ms / sizes[0].full_ms) };
  } finally {
    await mf.dispose();
  }
}

type Load = { rps: number; p50_ms: number; p99_ms: number; requests: number; errors: number; non2xx: number };

async function load(url: string, options: Partial<autocannon.Options>): Promise<Load> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: HTTP_SECONDS, ...options });
  return {
    rps: round3(result.requests.average),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

async function httpBench() {
  const persist = mkdtempSync(join(tmpdir(), "chimney-bench-"));
  const server = await startWranglerDev({ persistTo: persist, vars: { PERF_DASHBOARD_TOKEN: TOKEN } });
  try {
    const body = metricsText(5);
    const post = (runId: number) =>
      fetch(`${server.url}/api/results?run_id=${runId}`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body });
    for (let i = 1; i <= 30; i++) await post(i);
    let next = 1_000_000;
    const ingestOptions: Partial<autocannon.Options> = {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body,
      requests: [{ setupRequest: (req) => ({ ...req, path: `/api/results?run_id=${next++}` }) }],
    };
    await load(`${server.url}/healthz`, { duration: 2 });
    await load(`${server.url}/status`, { duration: 2 });
    await load(`${server.url}/`, { duration: 2 });
    // The floor drifts with whatever else the machine does, so each route is measured in
    // short rounds interleaved with /healthz, and the median of the per-round ratios is kept.
    const rounds = { healthz: [] as Load[], status: [] as Load[], page: [] as Load[], ingest: [] as Load[] };
    for (let round = 0; round < ROUNDS; round++) {
      rounds.healthz.push(await load(`${server.url}/healthz`, {}));
      rounds.status.push(await load(`${server.url}/status`, {}));
      rounds.page.push(await load(`${server.url}/`, {}));
      rounds.ingest.push(await load(`${server.url}/api/results`, ingestOptions));
    }
    const ratios = (route: Load[]) => ({
      throughput: median(route.map((r, i) => r.rps / rounds.healthz[i].rps)),
      p50: median(route.map((r, i) => r.p50_ms / rounds.healthz[i].p50_ms)),
      p99: median(route.map((r, i) => r.p99_ms / rounds.healthz[i].p99_ms)),
      throughput_per_round: route.map((r, i) => round3(r.rps / rounds.healthz[i].rps)),
    });
    return {
      connections: CONNECTIONS,
      seconds_per_round: HTTP_SECONDS,
      rounds: ROUNDS,
      healthz: summary(rounds.healthz),
      status: summary(rounds.status),
      page: summary(rounds.page),
      ingest: summary(rounds.ingest),
      runs_stored_at_end: ((await (await fetch(`${server.url}/status`)).json()) as { runs: number }).runs,
      status_vs_healthz: ratios(rounds.status),
      page_vs_healthz: ratios(rounds.page),
      ingest_vs_healthz: ratios(rounds.ingest),
    };
  } finally {
    await server.stop();
    rmSync(persist, { recursive: true, force: true });
  }
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const median = (xs: number[]) => round3([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);

/** A route's figures over all rounds: total requests and errors, median rate and latencies. */
function summary(loads: Load[]) {
  return {
    rps: median(loads.map((l) => l.rps)),
    p50_ms: median(loads.map((l) => l.p50_ms)),
    p99_ms: median(loads.map((l) => l.p99_ms)),
    requests: loads.reduce((n, l) => n + l.requests, 0),
    errors: loads.reduce((n, l) => n + l.errors, 0),
    non2xx: loads.reduce((n, l) => n + l.non2xx, 0),
  };
}

const cpu = cpuBench();
const detection = await detectionBench();
const http = await httpBench();
const results = { measured_at: new Date().toISOString(), node: process.version, cpu, detection, http };
const [d1k, d10k] = detection.sizes;
writeFileSync("bench/results.json", `${JSON.stringify(results, null, 2)}\n`);

console.log(`
| figure | value | goal |
|---|---|---|
| /status throughput ÷ /healthz | ${http.status_vs_healthz.throughput}× (rounds: ${http.status_vs_healthz.throughput_per_round.join(", ")}; ${http.status.rps} vs ${http.healthz.rps} req/s) | ≥ 0.8× |
| /status p50 / p99 latency ÷ /healthz | ${http.status_vs_healthz.p50}× / ${http.status_vs_healthz.p99}× (${http.status.p50_ms} / ${http.status.p99_ms} ms) | |
| GET / (the status page) throughput ÷ /healthz | ${http.page_vs_healthz.throughput}× (${http.page.rps} req/s; p50 ${http.page.p50_ms} ms) | |
| POST /api/results throughput ÷ /healthz | ${http.ingest_vs_healthz.throughput}× (${http.ingest.rps} req/s; ${http.runs_stored_at_end} runs stored at the end) | |
| POST /api/results p50 / p99 latency ÷ /healthz | ${http.ingest_vs_healthz.p50}× / ${http.ingest_vs_healthz.p99}× (${http.ingest.p50_ms} / ${http.ingest.p99_ms} ms) | |
| errors + non-2xx (healthz, status, page, ingest) | ${http.healthz.errors + http.healthz.non2xx}, ${http.status.errors + http.status.non2xx}, ${http.page.errors + http.page.non2xx}, ${http.ingest.errors + http.ingest.non2xx} | 0 |
| validate + evaluate + summarize ÷ JSON.parse (${TIMINGS} timings, ${(cpu.bytes / 1e6).toFixed(1)} MB) | ${cpu.ratio_to_json_parse}× (${cpu.validate_evaluate_summarize_cpu_us} vs ${cpu.json_parse_cpu_us} µs CPU) | ≤ 3× |
| the same including the parse ÷ JSON.parse | ${cpu.ratio_including_parse}× | |
| change points, 1 000 nights × 3 metrics, in workerd | ${d1k.full_ms} ms (${d1k.full_us_per_point} µs a point) | < 50 ms |
| change points, 10 000 nights × 3 metrics, in workerd | ${d10k.full_ms} ms (${d10k.full_us_per_point} µs a point; ${detection.growth_full_10k_over_1k}× the 1 000) | ≈ 10× (linear) |
| one night appended (incremental), 1 000 / 10 000 nights × 3 | ${d1k.append_ms} / ${d10k.append_ms} ms | |

Change points: wall time of a request to a Worker in Miniflare minus an empty request's (${detection.empty_request_ms} ms).
${CONNECTIONS} connections; ${ROUNDS} rounds of ${HTTP_SECONDS} s per route, interleaved with /healthz; medians of the per-round ratios. wrangler dev on loopback. Written to bench/results.json.`);
