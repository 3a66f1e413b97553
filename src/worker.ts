/**
 * The Cloudflare Workers entry: reads the environment, builds the adapters and the app once
 * per isolate, serves requests and runs the two cron triggers.
 */
import type { Hono } from "hono";
import smokeBaseline from "../baselines/smoke.json" with { type: "json" };
import { parseBaseline } from "./core/baseline.ts";
import { githubCredentials, parseConfig, redactSecrets, type Config } from "./core/config.ts";
import { appAuth, tokenAuth } from "./github/auth.ts";
import { GitHubClient, type Auth } from "./github/client.ts";
import { createApp, type AppDeps } from "./http/app.ts";
import { checkDashboardsNightly } from "./jobs/dashboards.ts";
import { dispatchNightly } from "./jobs/dispatch.ts";
import { reconcile } from "./jobs/reconcile.ts";
import { KVDashboardStore, R2ArtifactStore, R2Inbox, WorkersAlertStore, WorkersDeliveryStore, WorkersDispatchStore, WorkersRunStore } from "./store/workers.ts";

export { Ledger } from "./store/workers.ts";

/** What an entry can replace: the outside world (tests point it at local emulators). */
export interface WorkerOptions {
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  write?: (line: string) => void;
}

/** GitHub requests one job may make: Workers allow 50 subrequests per invocation on the free plan. */
const GITHUB_BUDGET = 40;

export function createWorker(options: WorkerOptions = {}) {
  const outbound = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const write = options.write ?? ((line: string) => console.log(line));
  const built = new WeakMap<Env, { deps: AppDeps; app: Hono }>();

  function githubFactory(config: Config): () => GitHubClient | null {
    const credentials = githubCredentials(config);
    const repository = config.GITHUB_REPOSITORY;
    if (!credentials || !repository) return () => null;
    // One Auth per isolate, so a GitHub App's installation token is reused across invocations.
    const auth: Auth = credentials.kind === "token" ? tokenAuth(credentials.token) : appAuth(credentials, { now });
    return () => new GitHubClient({ apiUrl: config.GITHUB_API_URL, repository, auth, fetch: outbound, clock: { now, sleep }, budget: GITHUB_BUDGET });
  }

  function build(env: Env) {
    let entry = built.get(env);
    if (!entry) {
      const { config, problems } = parseConfig(env as unknown as Record<string, unknown>);
      const baseline = parseBaseline(smokeBaseline);
      if (!baseline.ok) throw new Error(`baselines/smoke.json is invalid: ${baseline.issues[0].field}: ${baseline.issues[0].message}`);
      const cache = { statusCacheMs: config.STATUS_CACHE_SECONDS * 1000, now };
      const deps: AppDeps = {
        config,
        configProblems: problems,
        baseline: baseline.value,
        trackedRef: config.GITHUB_REF,
        runs: new WorkersRunStore(env.RUNS, env.LEDGER, cache),
        alerts: new WorkersAlertStore(env.RUNS, env.LEDGER, cache),
        artifacts: new R2ArtifactStore(env.ARTIFACTS),
        dispatches: new WorkersDispatchStore(env.LEDGER),
        deliveries: new WorkersDeliveryStore(env.LEDGER),
        inbox: new R2Inbox(env.ARTIFACTS, "inbox/webhooks"),
        dashboards: new KVDashboardStore(env.RUNS, cache),
        grafanaFetch: outbound,
        github: githubFactory(config),
        now: () => new Date(now()),
        sleep,
        log: (event) => write(redactSecrets(JSON.stringify({ at: new Date(now()).toISOString(), ...event }), config)),
      };
      entry = { deps, app: createApp(deps) };
      built.set(env, entry);
    }
    return entry;
  }

  return {
    fetch(request, env, ctx) {
      return build(env).app.fetch(request, env, ctx);
    },
    scheduled(controller, env, ctx) {
      const { deps } = build(env);
      if (controller.cron === deps.config.NIGHTLY_CRON) {
        ctx.waitUntil(dispatchNightly(deps, new Date(controller.scheduledTime)).then((outcome) => deps.log({ event: "nightly", cron: controller.cron, ...outcome })));
        ctx.waitUntil(checkDashboardsNightly(deps).catch((error: unknown) => deps.log({ event: "dashboards_failed", error: String(error) })));
      } else {
        ctx.waitUntil(reconcile(deps).then((report) => deps.log({ event: "reconcile", cron: controller.cron, ...report })));
      }
    },
  } satisfies ExportedHandler<Env>;
}

export default createWorker();
