/**
 * HTTP against `wrangler dev` on loopback. Short interleaved rounds give each route's ratio to
 * GET /healthz (the floor drifts with whatever else the machine does, so the median of the
 * per-round ratios is kept); then /status and /badge take 100 connections for 20 s each.
 */
import type autocannon from "autocannon";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWranglerDev } from "../scripts/wrangler-dev.ts";
import { load, median, metricsText, round3, summary, type Load } from "./common.ts";

const TOKEN = "bench-token-0123456789abcdef";
const ROUND_SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 20);
const LOAD_CONNECTIONS = 100;

export async function httpBench() {
  const persist = mkdtempSync(join(tmpdir(), "chimney-bench-"));
  const server = await startWranglerDev({ persistTo: persist, vars: { PERF_DASHBOARD_TOKEN: TOKEN } });
  try {
    const body = metricsText(5);
    const post = (runId: number) =>
      fetch(`${server.url}/api/results?run_id=${runId}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body,
      });
    for (let i = 1; i <= 30; i++) await post(i);
    let next = 1_000_000;
    const ingestOptions: Partial<autocannon.Options> = {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body,
      requests: [{ setupRequest: (req) => ({ ...req, path: `/api/results?run_id=${next++}` }) }],
    };
    const round = { connections: CONNECTIONS, duration: ROUND_SECONDS };
    for (const path of ["/healthz", "/status", "/"]) await load(`${server.url}${path}`, { ...round, duration: 2 });
    const rounds = { healthz: [] as Load[], status: [] as Load[], page: [] as Load[], ingest: [] as Load[] };
    for (let r = 0; r < ROUNDS; r++) {
      rounds.healthz.push(await load(`${server.url}/healthz`, round));
      rounds.status.push(await load(`${server.url}/status`, round));
      rounds.page.push(await load(`${server.url}/`, round));
      rounds.ingest.push(await load(`${server.url}/api/results`, { ...round, ...ingestOptions }));
    }
    const ratios = (route: Load[]) => ({
      throughput: median(route.map((r, i) => r.rps / rounds.healthz[i].rps)),
      p50: median(route.map((r, i) => r.p50_ms / rounds.healthz[i].p50_ms)),
      p99: median(route.map((r, i) => r.p99_ms / rounds.healthz[i].p99_ms)),
      throughput_per_round: route.map((r, i) => round3(r.rps / rounds.healthz[i].rps)),
    });
    const runsStored = ((await (await fetch(`${server.url}/status`)).json()) as { runs: number }).runs;

    const sustained = { connections: LOAD_CONNECTIONS, duration: LOAD_SECONDS };
    const heavy = {
      healthz: await load(`${server.url}/healthz`, sustained),
      status: await load(`${server.url}/status`, sustained),
      badge: await load(`${server.url}/badge`, sustained),
    };
    return {
      connections: CONNECTIONS,
      seconds_per_round: ROUND_SECONDS,
      rounds: ROUNDS,
      healthz: summary(rounds.healthz),
      status: summary(rounds.status),
      page: summary(rounds.page),
      ingest: summary(rounds.ingest),
      runs_stored_at_end: runsStored,
      status_vs_healthz: ratios(rounds.status),
      page_vs_healthz: ratios(rounds.page),
      ingest_vs_healthz: ratios(rounds.ingest),
      sustained: {
        connections: LOAD_CONNECTIONS,
        seconds: LOAD_SECONDS,
        ...heavy,
        status_vs_healthz: round3(heavy.status.rps / heavy.healthz.rps),
        badge_vs_healthz: round3(heavy.badge.rps / heavy.healthz.rps),
        errors:
          heavy.healthz.errors +
          heavy.healthz.non2xx +
          heavy.status.errors +
          heavy.status.non2xx +
          heavy.badge.errors +
          heavy.badge.non2xx,
      },
    };
  } finally {
    await server.stop();
    rmSync(persist, { recursive: true, force: true });
  }
}
