/**
 * The Cloudflare Workers entry: reads the environment, builds the adapters and the app once
 * per isolate, and hands requests to it.
 */
import type { Hono } from "hono";
import smokeBaseline from "../baselines/smoke.json" with { type: "json" };
import { parseBaseline } from "./core/baseline.ts";
import { parseConfig } from "./core/config.ts";
import { createApp } from "./http/app.ts";
import { R2ArtifactStore, WorkersRunStore } from "./store/workers.ts";

export { Ledger } from "./store/workers.ts";

const apps = new WeakMap<Env, Hono>();

function appFor(env: Env): Hono {
  let app = apps.get(env);
  if (!app) {
    const { config, problems } = parseConfig(env as unknown as Record<string, unknown>);
    const baseline = parseBaseline(smokeBaseline);
    if (!baseline.ok) throw new Error(`baselines/smoke.json is invalid: ${baseline.issues[0].field}: ${baseline.issues[0].message}`);
    app = createApp({
      config,
      configProblems: problems,
      baseline: baseline.value,
      runs: new WorkersRunStore(env.RUNS, env.LEDGER, { statusCacheMs: config.STATUS_CACHE_SECONDS * 1000, now: Date.now }),
      artifacts: new R2ArtifactStore(env.ARTIFACTS),
      now: () => new Date(),
    });
    apps.set(env, app);
  }
  return app;
}

export default {
  fetch(request, env, ctx) {
    return appFor(env).fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
