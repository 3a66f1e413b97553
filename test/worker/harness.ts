/** The Worker wired to the GitHub emulator and a test clock, with real KV, R2 and Durable Objects. */
import { env } from "cloudflare:workers";
import {
  abortAllDurableObjects,
  createExecutionContext,
  createScheduledController,
  reset,
  waitOnExecutionContext,
} from "cloudflare:test";
import { createWorker } from "../../src/worker.ts";
import type { Stores } from "../../src/store/ports.ts";
import { TEST_BINDINGS } from "../bindings.ts";
import { FIREWOOD_REPO, GitHubEmulator, repositories, STORAGE, type EmulatedRun } from "../../sandbox/github.ts";
import { GRAFANA, GrafanaEmulator } from "../../sandbox/grafana.ts";
import { deliveryHeaders, workflowRunPayload, type Action } from "../../sandbox/webhooks.ts";
import { testClock } from "../support/memory.ts";
import { WebhookReceiver } from "../support/receiver.ts";

/** Empties KV, R2 and the Durable Objects' storage, and drops the objects so they start afresh. */
export async function resetStorage(): Promise<void> {
  await reset();
  await abortAllDurableObjects();
}

export const NIGHTLY = "0 3 * * *";
export const RECONCILE = "*/30 * * * *";

/** `bindings` adds to or replaces the test bindings, as a different deployment would. */
export function harness(
  start = "2026-11-29T03:00:00.000Z",
  bindings: Record<string, string> = {},
  decorate?: (stores: Stores) => Stores,
) {
  const clock = testClock(start);
  const github = new GitHubEmulator(clock.now);
  /** Firewood's own repository, where suites other than smoke may live: the same API, its own runs and files. */
  const firewood = new GitHubEmulator(
    clock.now,
    { storage: STORAGE.replace("blobs.", "blobs-firewood.") },
    { repository: FIREWOOD_REPO, installationId: 4343, firstRunId: 8_000_000_001 },
  );
  const gitHub = repositories(github, firewood);
  const grafana = new GrafanaEmulator();
  const logs: string[] = [];
  const receiver = new WebhookReceiver();
  const outbound = (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new Request(input, init).url;
    if (receiver.handles(url)) return receiver.fetch(input, init);
    return url.startsWith(GRAFANA) ? grafana.fetch(input, init) : gitHub(input, init);
  };
  const worker = createWorker(
    { fetch: outbound, now: clock.now, sleep: (ms) => clock.sleep(ms), write: (line) => void logs.push(line) },
    decorate,
  );
  const testEnv = Object.keys(bindings).length > 0 ? ({ ...env, ...bindings } as Env) : env;

  /** A request, answered and with its after-response work finished. */
  async function request(path: string, init?: RequestInit): Promise<Response> {
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(new URL(path, "https://chimney.test"), init) as Parameters<typeof worker.fetch>[0],
      testEnv,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return res;
  }

  async function cron(expression: string): Promise<void> {
    const ctx = createExecutionContext();
    worker.scheduled(createScheduledController({ cron: expression, scheduledTime: clock.now() }), testEnv, ctx);
    await waitOnExecutionContext(ctx);
  }

  /** A run's webhook, from the repository of `from` (the smoke suite's unless said). */
  async function deliver(
    run: EmulatedRun,
    action: Action,
    options: { id?: string; secret?: string; attempt?: number; from?: GitHubEmulator } = {},
  ) {
    const body = workflowRunPayload(options.from ?? github, run, action, options.attempt);
    const headers = await deliveryHeaders(
      options.secret ?? TEST_BINDINGS.GITHUB_WEBHOOK_SECRET,
      "workflow_run",
      body,
      options.id,
    );
    return request("/webhooks/github", { method: "POST", headers, body });
  }

  async function runRecord(id: string): Promise<Record<string, any> | null> {
    const res = await request(`/runs/${id}`);
    return res.status === 200 ? ((await res.json()) as Record<string, any>) : null;
  }

  async function history(): Promise<{ id: string; state: string }[]> {
    return ((await (await request("/runs?limit=100")).json()) as { runs: { id: string; state: string }[] }).runs;
  }

  /**
   * One night: a commit lands, the cron dispatches, the run ends with `result` as its
   * smoke-metrics.json (or fails at the benchmark step), and the webhook reports it.
   */
  async function night(result: unknown | "crash", commit = "a commit of the night"): Promise<EmulatedRun> {
    clock.advance(24 * 3_600_000);
    github.addCommit(commit);
    await cron(NIGHTLY);
    const run = [...github.runs.values()].at(-1)!;
    if (result === "crash")
      github.complete(run.id, { conclusion: "failure", failAt: "Run smoke benchmark", files: null });
    else github.complete(run.id, { conclusion: "success", files: { "smoke-metrics.json": JSON.stringify(result) } });
    const res = await deliver(run, "completed");
    if (res.status !== 202) throw new Error(`the webhook answered ${res.status}`);
    return run;
  }

  return {
    clock,
    github,
    firewood,
    grafana,
    receiver,
    logs,
    worker,
    request,
    cron,
    deliver,
    runRecord,
    history,
    night,
  };
}
