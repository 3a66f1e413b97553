/**
 * The local sandbox behind `npm start`: GitHub (API, artifact storage) and Grafana on loopback,
 * and a self-hosted runner. A dispatch of perf.yml runs the benchmark and travels the real
 * paths back to chimney: signed workflow_run webhooks, the artifact zip behind a 302.
 */
import { zipSync } from "fflate";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { GitHubEmulator, REPO, TOKEN, type EmulatedRun } from "./github.ts";
import { GRAFANA_KEY, GrafanaEmulator } from "./grafana.ts";
import type { Benchmark, RunOptions } from "./runner.ts";
import { serve } from "./serve.ts";
import { deliveryHeaders, workflowRunPayload, type Action } from "./webhooks.ts";

const ROOT = resolve(import.meta.dirname, "..");

export interface Sandbox {
  githubApi: string;
  githubToken: string;
  grafanaUrl: string;
  grafanaKey: string;
  github: GitHubEmulator;
  /** Settles when every run started so far has finished and been reported. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSandbox(
  benchmark: Benchmark,
  runOptions: () => RunOptions,
  log: (line: string) => void,
  /** Files committed to the sandbox repository before anything runs (the calibrated baseline). */
  files: Record<string, string> = {},
): Promise<Sandbox> {
  let api = "";
  let storage = "";
  const servers: { close(): Promise<void> }[] = [];
  // The servers are started first so that the emulator knows the addresses it answers for.
  const apiServer = await serve((request) => github.fetch(request));
  const storageServer = await serve((request) => github.fetch(request));
  api = apiServer.url;
  storage = storageServer.url;
  servers.push(apiServer, storageServer);
  // Numbered from the clock: a later session against the same chimney state (npm start again)
  // must not hand out a run id the earlier one did, as GitHub never does.
  const github: GitHubEmulator = new GitHubEmulator(Date.now, { api, storage, web: api }, { firstRunId: Date.now() });
  const grafana = new GrafanaEmulator();
  const grafanaServer = await serve((request) => grafana.fetch(request));
  servers.push(grafanaServer);
  publishDashboards(github, grafana);
  if (Object.keys(files).length > 0) github.addCommit("the sandbox's files", { files });

  const running = new Set<Promise<void>>();
  github.onDispatch = (run) => {
    const job = workflow(github, run, benchmark, runOptions(), log).catch((error: unknown) =>
      log(`sandbox runner: ${(error as Error).message}`),
    );
    running.add(job);
    void job.finally(() => running.delete(job));
  };

  return {
    githubApi: api,
    githubToken: TOKEN,
    grafanaUrl: grafanaServer.url,
    grafanaKey: GRAFANA_KEY,
    github,
    async idle() {
      while (running.size > 0) await Promise.all(running);
    },
    async stop() {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

/** One run of perf.yml on the sandbox's runner, reported through the registered webhooks. */
async function workflow(
  github: GitHubEmulator,
  run: EmulatedRun,
  benchmark: Benchmark,
  options: RunOptions,
  log: (line: string) => void,
): Promise<void> {
  await emit(github, run, "requested");
  github.start(run.id);
  await emit(github, run, "in_progress");
  log(`sandbox runner: run ${run.id} started: ${benchmark.description}`);
  const { files, failedStep } = await benchmark.run(options);
  const encoded = Object.fromEntries(
    Object.entries(files).map(([name, text]) => [name, new TextEncoder().encode(text)]),
  );
  github.complete(run.id, {
    conclusion: failedStep ? "failure" : "success",
    failAt: failedStep ?? undefined,
    zip: files["smoke-metrics.json"] ? zipSync(encoded) : undefined,
  });
  log(`sandbox runner: run ${run.id} ${failedStep ? `failed in "${failedStep}"` : "succeeded"}`);
  await emit(github, run, "completed");
}

async function emit(github: GitHubEmulator, run: EmulatedRun, action: Action): Promise<void> {
  const body = workflowRunPayload(github, run, action);
  await Promise.all(
    github.hooks
      .filter((hook) => hook.events.includes("workflow_run"))
      .map(async (hook) => {
        const res = await fetch(hook.url, {
          method: "POST",
          headers: await deliveryHeaders(hook.secret, "workflow_run", body),
          body,
        });
        await res.body?.cancel();
      }),
  );
}

/**
 * Firewood's dashboards (HUBId/chain's real exports), committed to the sandbox repository with a
 * manifest that matches them, and served by its Grafana: in sync until someone changes one.
 */
function publishDashboards(github: GitHubEmulator, grafana: GrafanaEmulator): void {
  const dir = join(ROOT, "test/fixtures/hubid-chain/docs/dashboards");
  const manifest = JSON.parse(
    readFileSync(join(ROOT, "test/fixtures/hubid-chain/docs/performance_dashboards.json"), "utf8"),
  );
  for (const file of readdirSync(dir)) {
    const text = readFileSync(join(dir, file), "utf8");
    const dashboard = JSON.parse(text);
    github.files.set(`docs/dashboards/${file}`, text);
    grafana.dashboards.set(dashboard.uid, dashboard);
    const entry = manifest.dashboards.find((e: { uid: string }) => e.uid === dashboard.uid);
    if (entry)
      Object.assign(entry, { version: dashboard.version, sha256: createHash("sha256").update(text).digest("hex") });
  }
  github.files.set("docs/performance_dashboards.json", `${JSON.stringify(manifest, null, 2)}\n`);
}

export { REPO };
