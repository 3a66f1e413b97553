/**
 * The webhook path under load, against `wrangler dev` and the sandbox's GitHub on loopback:
 * 500 signed deliveries (100 runs, each delivered 5 times, as redeliveries and as repeats under
 * new ids) must all be answered 2xx and end as exactly 100 runs; then one artifact holding a
 * 50 MB log is ingested, and workerd's peak memory growth is read from /proc.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "../sandbox/github.ts";
import { startSandbox } from "../sandbox/sandbox.ts";
import { deliveryHeaders, workflowRunPayload } from "../sandbox/webhooks.ts";
import { startWranglerDev } from "../scripts/wrangler-dev.ts";
import { median, metricsText, round3 } from "./common.ts";

const SECRET = "bench-webhook-secret-0123456789";
const RUNS = 100;
const COPIES = 5;
const CONCURRENCY = 50;
const LOG_MB = 50;

/** Every process under `root`, by walking `ps`. */
function descendants(root: number): number[] {
  const rows = execFileSync("ps", ["-A", "-o", "pid=,ppid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  const walk = (pid: number): void => {
    for (const [child, ppid] of rows) {
      if (ppid !== pid) continue;
      found.push(child);
      walk(child);
    }
  };
  walk(root);
  return found;
}

/** Peak resident memory (VmHWM) of each workerd under the dev server, in MiB. */
function workerdPeaks(root: number): Map<number, number> {
  const peaks = new Map<number, number>();
  for (const pid of descendants(root)) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("workerd")) continue;
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (hwm) peaks.set(pid, Number(hwm[1]) / 1024);
    } catch {
      // the process ended
    }
  }
  return peaks;
}

export async function webhookBench() {
  const sandbox = await startSandbox(
    { description: "none", run: () => Promise.reject(new Error("the bench starts no runner")) },
    () => ({}),
    () => {},
  );
  const persist = mkdtempSync(join(tmpdir(), "chimney-bench-hooks-"));
  const server = await startWranglerDev({
    persistTo: persist,
    vars: {
      GITHUB_REPOSITORY: REPO,
      GITHUB_API_URL: sandbox.githubApi,
      GITHUB_TOKEN: sandbox.githubToken,
      GITHUB_WEBHOOK_SECRET: SECRET,
      CONFIRM_REGRESSIONS: "false",
    },
  });
  try {
    const github = sandbox.github;
    const deliveries: { body: string; id: string }[] = [];
    for (let i = 0; i < RUNS; i++) {
      const run = github.addRun({ display_title: "Firewood smoke benchmark" });
      github.complete(run.id, { conclusion: "success", files: { "smoke-metrics.json": metricsText(5) } });
      const body = workflowRunPayload(github, run, "completed");
      // GitHub's redelivery keeps the id; a repeated event comes under a new one. A run's copies
      // are queued together, so they race each other through the concurrent senders.
      for (let copy = 0; copy < COPIES; copy++)
        deliveries.push({ body, id: copy < 3 ? `bench-${run.id}` : `bench-${run.id}-${copy}` });
    }

    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    const started = performance.now();
    let nextIndex = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (nextIndex < deliveries.length) {
          const { body, id } = deliveries[nextIndex++];
          const t = performance.now();
          const res = await fetch(`${server.url}/webhooks/github`, {
            method: "POST",
            headers: await deliveryHeaders(SECRET, "workflow_run", body, id),
            body,
          });
          await res.arrayBuffer();
          latencies.push(performance.now() - t);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      }),
    );
    const answeredIn = (performance.now() - started) / 1000;

    let runs: { id: string; state: string }[] = [];
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      runs = ((await (await fetch(`${server.url}/runs?limit=100`)).json()) as { runs: typeof runs }).runs;
      if (runs.length >= RUNS && runs.every((r) => r.state === "passed")) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const settledIn = (performance.now() - started) / 1000;
    const stored = ((await (await fetch(`${server.url}/status`)).json()) as { runs: number }).runs;

    // One run whose artifact holds a 50 MB log.
    const line = "SMOKE_BENCHMARK batch=000000 committed 100 keys in 9.123 ms (root 0x5f3a…)\n";
    const log = line.repeat(Math.ceil((LOG_MB * 1024 * 1024) / line.length)).slice(0, LOG_MB * 1024 * 1024);
    const big = github.addRun({ display_title: "Firewood smoke benchmark" });
    github.complete(big.id, {
      conclusion: "success",
      files: { "smoke-metrics.json": metricsText(5), "smoke-benchmark.log": log },
    });
    const before = workerdPeaks(server.process.pid!);
    const bigBody = workflowRunPayload(github, big, "completed");
    const bigStart = performance.now();
    const bigAnswer = await fetch(`${server.url}/webhooks/github`, {
      method: "POST",
      headers: await deliveryHeaders(SECRET, "workflow_run", bigBody),
      body: bigBody,
    });
    let logSize = 0;
    while (performance.now() - bigStart < 120_000 && logSize === 0) {
      const res = await fetch(`${server.url}/runs/${big.id}-1?format=json`);
      if (res.ok)
        logSize =
          ((await res.json()) as { artifacts: { name: string; size: number }[] }).artifacts.find(
            (a) => a.name === "smoke-benchmark.log",
          )?.size ?? 0;
      if (logSize === 0) await new Promise((r) => setTimeout(r, 250));
    }
    const after = workerdPeaks(server.process.pid!);
    const growth = Math.max(0, ...[...after].map(([pid, mb]) => mb - (before.get(pid) ?? mb)));

    latencies.sort((a, b) => a - b);
    return {
      deliveries: deliveries.length,
      distinct_runs: RUNS,
      concurrency: CONCURRENCY,
      answers: Object.fromEntries(statuses),
      all_2xx: [...statuses.keys()].every((s) => s >= 200 && s < 300),
      answered_in_s: round3(answeredIn),
      deliveries_per_s: round3(deliveries.length / answeredIn),
      p50_ms: round3(median(latencies)),
      p99_ms: round3(latencies[Math.floor(latencies.length * 0.99)]),
      runs_stored: stored,
      all_settled_in_s: round3(settledIn),
      large_log: {
        log_mb: LOG_MB,
        answer: bigAnswer.status,
        stored_bytes: logSize,
        ingested_in_s: round3((performance.now() - bigStart) / 1000),
        workerd_peak_growth_mib: round3(growth),
      },
    };
  } finally {
    await server.stop();
    await sandbox.stop();
    rmSync(persist, { recursive: true, force: true });
  }
}
