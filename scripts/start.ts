/**
 * `npm start`: chimney's whole nightly loop on this machine, with no Cloudflare or GitHub account.
 *
 * chimney runs under `wrangler dev` (KV, R2 and Durable Object state in .wrangler/state), or on
 * the Deno entry with --deno. A sandbox plays GitHub and Grafana on loopback and runs the
 * benchmark on its own runner; chimney's webhook is registered with it, and the nightly tick is
 * run (by hand, when the state already holds tonight's: see start-night.ts). The result travels the real paths: dispatch, signed webhooks, the artifact zip
 * behind a 302, ingest, alerts, status.
 *
 *   npm start                     keep running; open the printed URLs
 *   npm start -- --once           one loop: print the run's outcome (passed or regressed), exit 0
 *   npm start -- --regress        force a regression (the stand-in benchmark runs slower)
 *   npm start -- --deno           the Deno entry instead of wrangler
 *   --port N (0: any free port)   --state DIR (default .wrangler/state; with --deno, Deno KV is in
 *                                 memory and the entry may not touch the disk, unless --state is given)
 *
 * FIREWOOD_DIR=/path/to/firewood runs the real `cargo +nightly run -p firewood-benchmark -- smoke`.
 * With GitHub credentials in .dev.vars the sandbox stays off and chimney talks to the real
 * GitHub and Grafana.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { median } from "../src/core/stats.ts";
import type { SuiteStart } from "../src/core/suites.ts";
import { BASELINE_PATH } from "../sandbox/github.ts";
import { calibrate, chooseBenchmark, type Benchmark } from "../sandbox/runner.ts";
import { REPO, startSandbox, type Sandbox } from "../sandbox/sandbox.ts";
import { startDenoDev } from "./deno-dev.ts";
import { afterNightlyTick, type NightlyReport } from "./start-night.ts";
import { freePort, startWranglerDev } from "./wrangler-dev.ts";

const ROOT = resolve(import.meta.dirname, "..");
const { values: args } = parseArgs({
  options: {
    once: { type: "boolean", default: false },
    regress: { type: "boolean", default: false },
    deno: { type: "boolean", default: false },
    port: { type: "string", default: "8787" },
    state: { type: "string" },
  },
});

const say = (line = "") => console.log(line);

/** `.dev.vars` (KEY=value lines) holds real secrets when a maintainer has them. */
function devVars(): Record<string, string> {
  if (!existsSync(join(ROOT, ".dev.vars"))) return {};
  const vars: Record<string, string> = {};
  for (const line of readFileSync(join(ROOT, ".dev.vars"), "utf8").split("\n")) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*"?(.*?)"?\s*$/.exec(line);
    if (match) vars[match[1]] = match[2];
  }
  return vars;
}

interface Chimney {
  url: string;
  stop(): Promise<void>;
}

async function startChimney(vars: Record<string, string>, state: string, port: number): Promise<Chimney> {
  if (!args.deno) {
    const server = await startWranglerDev({
      port,
      persistTo: state,
      vars,
      inherit: Boolean(process.env.CHIMNEY_DEBUG),
    });
    return { url: server.url, stop: server.stop };
  }
  const server = await startDenoDev({ port, dataDir: args.state ? state : undefined, vars });
  return { url: server.url, stop: server.stop };
}

async function chimneyPort(): Promise<number> {
  return Number(args.port) === 0 ? freePort() : Number(args.port);
}

/**
 * Runs the nightly tick, as the cron trigger runs it, through the admin route on either runtime
 * (Deno.cron cannot be fired by hand), for its report: what became of tonight's dispatch.
 */
async function runNightlyTick(url: string, adminToken: string): Promise<NightlyReport | undefined> {
  const res = await fetch(`${url}/api/ticks/nightly`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}` },
  });
  if (!res.ok) throw new Error(`the nightly tick answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { dispatch?: NightlyReport }).dispatch;
}

async function dispatchByHand(url: string, adminToken: string): Promise<void> {
  const res = await fetch(`${url}/api/dispatch`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: "{}",
  });
  if (res.status !== 202) throw new Error(`dispatching by hand answered ${res.status}: ${await res.text()}`);
}

/**
 * Bounds for this machine. The stand-in is not Firewood and a laptop is not the benchmark
 * machine, so Firewood's bounds would judge the wrong thing; the sandbox learns the stand-in's
 * speed first and accepts up to four times its median plus a quarter of a second, since a busy
 * laptop stalls a run of a few milliseconds far more than the benchmark machine stalls Firewood.
 */
async function calibratedBaseline(benchmark: Benchmark): Promise<Record<string, unknown>> {
  const runs = (await calibrate(benchmark, 3)).map((text) => JSON.parse(text));
  const m = (values: number[]) => median(values);
  const p95s = runs.map(
    (r) => [...r.per_batch_ms].sort((a: number, b: number) => a - b)[Math.ceil(r.per_batch_ms.length * 0.95) - 1],
  );
  const round = (x: number) => Math.round(x * 100) / 100;
  const duration = round(m(runs.map((r) => r.total_duration_ms)) * 4 + 250);
  return {
    throughput_ops_per_sec: { lower: round(runs[0].total_operations / (duration / 1000)), upper: null },
    total_duration_ms: { lower: 0, upper: duration },
    per_batch_p95_ms: { lower: 0, upper: round(m(p95s) * 4 + 100) },
  };
}

/** The suites of chimney.suites.json: the sandbox plays HUBId/chain, the repository the file names. */
function sandboxSuites(): string {
  return readFileSync(join(ROOT, "chimney.suites.json"), "utf8");
}

async function saySuites(url: string): Promise<void> {
  const { suites } = (await (await fetch(`${url}/status`)).json()) as {
    suites: { name: string; repository: string; workflow: string; start: SuiteStart; format: string }[];
  };
  say("The suites chimney watches:");
  for (const s of suites) {
    const start = s.start === "follow" ? "followed" : `dispatched at ${s.start.dispatch.cron}`;
    say(`  ${s.name}: ${s.repository} ${s.workflow}, ${start}, format ${s.format}`);
  }
}

async function waitForResult(url: string, dispatchedAfter: string): Promise<{ id: string; state: string }> {
  for (const deadline = Date.now() + 180_000; Date.now() < deadline; ) {
    const status = (await (await fetch(`${url}/status`)).json()) as {
      latest_run: { id: string; state: string; at: string } | null;
    };
    const run = status.latest_run;
    if (run && run.at >= dispatchedAfter && ["passed", "regressed", "crashed", "missed"].includes(run.state))
      return run;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("no result within 3 minutes");
}

async function realMode(vars: Record<string, string>) {
  if (args.once || args.regress)
    throw new Error("--once and --regress need the sandbox; remove the GitHub credentials from .dev.vars");
  say("GitHub credentials found in .dev.vars: the sandbox stays off, chimney talks to the real GitHub and Grafana.");
  const chimney = await startChimney(vars, args.state ?? ".wrangler/state", await chimneyPort());
  stopping.push(() => chimney.stop());
  say(
    `\nchimney is running at ${chimney.url}  (Ctrl-C stops it)\n  ${chimney.url}/  (the status page)\n  ${chimney.url}/status\n  ${chimney.url}/runs`,
  );
  await new Promise<void>((resolve) => process.once("SIGINT", resolve));
}

async function sandboxMode() {
  const benchmark = chooseBenchmark(process.env.FIREWOOD_DIR);
  const state = resolve(args.state ?? (args.deno ? ".chimney-data" : ".wrangler/state"));
  mkdirSync(state, { recursive: true });
  say(`The benchmark: ${benchmark.description}.`);

  let baseline: Record<string, unknown> | null = null;
  let slowdownMs = 0;
  let baselinePath: string | undefined;
  if (!process.env.FIREWOOD_DIR) {
    say("Calibrating the stand-in on this machine (3 runs)…");
    baseline = await calibratedBaseline(benchmark);
    baselinePath = join(state, "sandbox-baseline.json");
    writeFileSync(baselinePath, `${JSON.stringify(baseline, null, 2)}\n`);
    // Six times the allowed duration per batch: far out of range, however the machine varies.
    if (args.regress) slowdownMs = Math.ceil(((baseline.total_duration_ms as { upper: number }).upper / 5) * 1.5);
  } else if (args.regress) {
    throw new Error("--regress needs the stand-in benchmark: unset FIREWOOD_DIR");
  }

  const sandbox: Sandbox = await startSandbox(
    benchmark,
    () => ({ slowdownMs, baselinePath }),
    (line) => say(`  ${line}`),
    // The runs read the baseline from the repository at their commit: the calibrated one is committed there.
    baseline ? { [BASELINE_PATH]: `${JSON.stringify(baseline, null, 2)}\n` } : {},
  );
  stopping.push(() => sandbox.stop());
  const secret = () => randomBytes(24).toString("hex");
  const vars: Record<string, string> = {
    GITHUB_REPOSITORY: REPO,
    GITHUB_API_URL: sandbox.githubApi,
    GITHUB_TOKEN: sandbox.githubToken,
    GITHUB_WEBHOOK_SECRET: secret(),
    PERF_DASHBOARD_TOKEN: secret(),
    ADMIN_TOKEN: secret(),
    PERF_GRAFANA_URL: sandbox.grafanaUrl,
    PERF_GRAFANA_API_KEY: sandbox.grafanaKey,
    STATUS_CACHE_SECONDS: "0",
    CHIMNEY_SUITES: sandboxSuites(),
    ...(baseline ? { SMOKE_BASELINE: JSON.stringify(baseline) } : {}),
  };
  const port = await chimneyPort();
  vars.PUBLIC_URL = `http://127.0.0.1:${port}`;
  const chimney = await startChimney(vars, state, port);
  stopping.push(() => chimney.stop());

  const hook = await fetch(`${sandbox.githubApi}/repos/${REPO}/hooks`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${sandbox.githubToken}`,
      "x-github-api-version": "2022-11-28",
      "user-agent": "npm start",
      "content-type": "application/json",
    },
    body: JSON.stringify({
      name: "web",
      events: ["workflow_run"],
      config: { url: `${chimney.url}/webhooks/github`, content_type: "json", secret: vars.GITHUB_WEBHOOK_SECRET },
    }),
  });
  if (hook.status !== 201) throw new Error(`registering the webhook failed: ${hook.status}`);

  const started = new Date(Date.now() - 1000).toISOString();
  say(
    `\nchimney is running at ${chimney.url}${args.deno ? " (Deno entry)" : " (wrangler dev)"}; its state is ${args.deno && !args.state ? "in memory (Deno KV, no disk)" : `in ${state}`}`,
  );
  say(
    `  ${chimney.url}/  (the status page)     ${chimney.url}/status     ${chimney.url}/runs     ${chimney.url}/dashboards     ${chimney.url}/badge`,
  );
  say(`The sandbox plays GitHub at ${sandbox.githubApi} and Grafana at ${sandbox.grafanaUrl}.`);
  await saySuites(chimney.url);
  say(`Running the nightly tick${args.regress ? " (with a forced regression)" : ""}…`);
  const next = afterNightlyTick(await runNightlyTick(chimney.url, vars.ADMIN_TOKEN));
  if (next.kind === "stop") throw new Error(next.reason);
  if (next.kind === "dispatch_by_hand") {
    say(`Tonight's nightly run is not dispatched again (${next.why}): dispatching a run by hand.`);
    await dispatchByHand(chimney.url, vars.ADMIN_TOKEN);
  }

  const run = await waitForResult(chimney.url, started);
  await sandbox.idle();
  const record = (await (await fetch(`${chimney.url}/runs/${run.id}`)).json()) as {
    artifacts: { name: string; url: string }[];
  };
  say(`\nRun ${run.id}: ${run.state}`);
  say(`  ${chimney.url}/runs/${run.id}`);
  for (const artifact of record.artifacts) say(`  ${artifact.url}`);
  const summary = record.artifacts.find((a) => a.name === "chimney-summary.md");
  if (summary) say(`\n${await (await fetch(summary.url)).text()}`);
  // Alerts go out after the run is recorded: give them a moment.
  for (let i = 0; i < 20 && run.state === "regressed" && sandbox.github.alertIssues().length === 0; i++)
    await new Promise((r) => setTimeout(r, 250));
  for (const issue of sandbox.github.alertIssues())
    say(`The sandbox's GitHub has issue #${issue.number} (${issue.state}): ${issue.title}`);

  if (args.once) {
    say(`\noutcome: ${run.state}`);
    return;
  }
  say("\nchimney and the sandbox keep running; Ctrl-C stops them.");
  await new Promise<void>((resolve) => process.once("SIGINT", resolve));
}

/** What to stop on the way out, whatever way that is. */
const stopping: (() => Promise<void>)[] = [];

process.once("SIGTERM", () => process.emit("SIGINT"));
const configured = devVars();
const real = Boolean(configured.GITHUB_TOKEN || configured.GITHUB_APP_ID);
let code = 0;
try {
  await (real ? realMode(configured) : sandboxMode());
} catch (error) {
  console.error(`npm start: ${(error as Error).message}`);
  code = 1;
} finally {
  await Promise.all(stopping.reverse().map((stop) => stop().catch(() => {})));
}
process.exit(code);
