/**
 * The Cloudflare Workers entry: builds the adapters (KV, R2, the Ledger Durable Object) and the
 * app once per isolate, serves requests and runs the two cron triggers.
 */
import { env as deployedEnv } from "cloudflare:workers";
import type { Hono } from "hono";
import type { ChangeReport } from "./core/drift.ts";
import { createApp } from "./http/app.ts";
import { tickAndPublish } from "./http/pages/publish.ts";
import {
  KVLatest,
  R2ArtifactStore,
  R2Inbox,
  WorkersAlertStore,
  WorkersDeliveryStore,
  WorkersDispatchStore,
  WorkersHealthStore,
  WorkersRunStore,
  WorkersSeriesStore,
  WorkersSettlementStore,
  type RunStoreOptions,
} from "./store/workers.ts";
import type { Stores } from "./store/ports.ts";
import { defaultOutside, wire, type AppDeps, type Outside } from "./wiring.ts";

export { Ledger } from "./store/ledger.ts";

/** The Workers adapters over the bindings: what the Worker runs on, and what the store contract tests. */
export function workersStores(env: Env, cache: RunStoreOptions): Stores {
  const runs = new WorkersRunStore(env.RUNS, env.LEDGER, cache);
  const alerts = new WorkersAlertStore(env.RUNS, env.LEDGER, cache);
  const changes = new KVLatest<ChangeReport>(env.RUNS, "changes", cache);
  return {
    runs,
    alerts,
    artifacts: new R2ArtifactStore(env.ARTIFACTS),
    dispatches: new WorkersDispatchStore(env.LEDGER),
    deliveries: new WorkersDeliveryStore(env.LEDGER),
    inbox: new R2Inbox(env.ARTIFACTS, "inbox/webhooks"),
    dashboards: new KVLatest(env.RUNS, "dashboards", cache),
    changes,
    pages: new KVLatest(env.RUNS, "status-page", cache),
    windows: new KVLatest(env.RUNS, "windows", cache),
    series: new WorkersSeriesStore(env.RUNS, env.LEDGER),
    // A settlement changes what these cache: they forget it once it is committed.
    settlements: new WorkersSettlementStore(env.LEDGER, [runs, alerts, changes]),
    health: new WorkersHealthStore(env.LEDGER),
  };
}

/**
 * `decorate` lets tests wrap the real stores, to make them fail on cue. With `ahead`, the app for
 * that environment is built now rather than by the first request.
 */
export function createWorker(
  overrides: Partial<Outside> = {},
  decorate: (stores: Stores) => Stores = (stores) => stores,
  ahead?: Env,
) {
  const outside = { ...defaultOutside(), ...overrides };
  const built = new WeakMap<Env, { deps: AppDeps; app: Hono }>();

  function build(env: Env) {
    let entry = built.get(env);
    if (!entry) {
      const deps = wire(env as unknown as Record<string, unknown>, outside, (config) => {
        const cache = { statusCacheMs: config.STATUS_CACHE_SECONDS * 1000, now: outside.now };
        return decorate(workersStores(env, cache));
      });
      entry = { deps, app: createApp(deps) };
      built.set(env, entry);
    }
    return entry;
  }

  if (ahead) {
    // Hono compiles its router on the first match: do that here too, for every route at once.
    build(ahead).app.router.match("GET", "/");
  }

  return {
    fetch(request, env, ctx) {
      return build(env).app.fetch(request, env, ctx);
    },
    scheduled(controller, env, ctx) {
      const { deps } = build(env);
      const tick = controller.cron === deps.config.NIGHTLY_CRON ? "nightly" : "reconcile";
      ctx.waitUntil(tickAndPublish(deps, tick, new Date(controller.scheduledTime)));
    },
  } satisfies ExportedHandler<Env>;
}

/**
 * Cloudflare runs the global scope while the first request's TLS handshake is still under way
 * (and workerd before it listens), so the configuration, the app and its router are built there,
 * not on the first request's time (bench/cold-start.ts).
 */
export default createWorker({}, undefined, deployedEnv as Env);
