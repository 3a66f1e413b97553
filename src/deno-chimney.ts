/**
 * chimney on Deno: the same app and jobs as on Workers, with everything stored in Deno KV (no
 * disk, so it runs on Deno Deploy), and the ticks as `Deno.cron` runs them. The entry that
 * serves it is src/deno.ts.
 */
import type { ChangeReport } from "./core/drift.ts";
import type { KeptWindow } from "./core/changepoints/window-memo.ts";
import type { PublishedPage } from "./core/published-page.ts";
import { createApp } from "./http/app.ts";
import { tickAndPublish } from "./http/pages/publish.ts";
import type { Tick } from "./jobs/ticks.ts";
import {
  DenoAlertStore,
  DenoDeliveryStore,
  DenoDispatchStore,
  DenoLatest,
  DenoRunStore,
  DenoSettlementStore,
} from "./store/deno.ts";
import { DenoArtifactStore, DenoChunkedLatest, DenoInbox, DenoSeriesStore } from "./store/deno-blobs.ts";
import { sweepChunks } from "./store/deno-chunks.ts";
import { DenoHealthStore } from "./store/deno-health.ts";
import { NO_CACHE, type CacheOptions } from "./store/read-cache.ts";
import type { Stores } from "./store/ports.ts";
import { defaultOutside, wire, type Outside } from "./wiring.ts";

export interface DenoChimney {
  app: ReturnType<typeof createApp>;
  deps: ReturnType<typeof wire>;
  kv: Deno.Kv;
}

/**
 * The Deno adapters, all in `kv`. What the store contract tests. `cache` keeps what /status,
 * /badge and the pages read for STATUS_CACHE_SECONDS, as on Workers: on Deno Deploy several
 * isolates write the same database. `now` dates the chunks of writes, for the sweep.
 */
export function denoStores(kv: Deno.Kv, cache: CacheOptions = NO_CACHE, now: () => number = Date.now): Stores {
  const runs = new DenoRunStore(kv, cache);
  const alerts = new DenoAlertStore(kv, cache);
  const changes = new DenoChunkedLatest<ChangeReport>(kv, "changes", cache, now);
  return {
    runs,
    alerts,
    artifacts: new DenoArtifactStore(kv, now),
    dispatches: new DenoDispatchStore(kv),
    deliveries: new DenoDeliveryStore(kv),
    inbox: new DenoInbox(kv, now),
    dashboards: new DenoLatest(kv, "dashboards", cache),
    changes,
    pages: new DenoChunkedLatest<PublishedPage>(kv, "status-page", cache, now),
    windows: new DenoChunkedLatest<KeptWindow[]>(kv, "windows", cache, now),
    series: new DenoSeriesStore(kv, now),
    // A settlement changes what these cache: they forget it once it is committed.
    settlements: new DenoSettlementStore(kv, changes, [runs, alerts, changes]),
    health: new DenoHealthStore(kv),
  };
}

/** chimney on the Deno KV database CHIMNEY_KV_PATH names; `outside` is replaced in tests. */
export async function createDenoChimney(
  env: Record<string, string>,
  outside: Partial<Outside> = {},
): Promise<DenoChimney> {
  const kv = await Deno.openKv(env.CHIMNEY_KV_PATH);
  const world = { ...defaultOutside(), ...outside };
  const deps = wire(env, world, (config) =>
    denoStores(kv, { statusCacheMs: config.STATUS_CACHE_SECONDS * 1000, now: world.now }, world.now),
  );
  // One process serving from memory-speed Deno KV: refusing writes beyond four took 5× fewer
  // uploads in the bench's burst and kept reads no faster, so Deno takes them all.
  return { app: createApp(deps, { writesAdmitted: null }), deps, kv };
}

/** A tick as `Deno.cron` runs it; the reconcile tick also deletes the chunks no value points to. */
export async function denoTick({ deps, kv }: DenoChimney, tick: Tick): Promise<void> {
  await tickAndPublish(deps, tick, deps.now());
  if (tick === "reconcile") await sweepChunks(kv, deps.now().getTime());
}
