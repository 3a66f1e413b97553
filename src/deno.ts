/**
 * The Deno entry: the same app and jobs as on Workers, with storage on Deno KV and files under
 * a data directory, `Deno.serve` for HTTP and `Deno.cron` for the two ticks.
 *
 *   deno run --unstable-kv --unstable-cron -A src/deno.ts
 *
 * Configuration comes from environment variables with the same names as on Workers, plus
 * PORT (default 8000), CHIMNEY_DATA_DIR (default ./.chimney-data) and RECONCILE_CRON.
 */
import type { ChangeReport } from "./core/drift.ts";
import { createApp } from "./http/app.ts";
import { tickAndPublish } from "./http/pages/publish.ts";
import {
  DenoAlertStore,
  DenoDeliveryStore,
  DenoDispatchStore,
  DenoLatest,
  DenoRunStore,
  DenoSettlementStore,
} from "./store/deno.ts";
import { FileArtifactStore, FileInbox, FileLatest, FileSeriesStore } from "./store/deno-files.ts";
import { NO_CACHE, type CacheOptions } from "./store/read-cache.ts";
import type { Stores } from "./store/ports.ts";
import { defaultOutside, wire, type Outside } from "./wiring.ts";

export interface DenoChimney {
  app: ReturnType<typeof createApp>;
  deps: ReturnType<typeof wire>;
  kv: Deno.Kv;
}

/**
 * The Deno adapters: records in `kv`, files under `dataDir`. What the store contract tests.
 * `cache` keeps what /status, /badge and the pages read for STATUS_CACHE_SECONDS, as on Workers:
 * on Deno Deploy several isolates write the same database.
 */
export function denoStores(kv: Deno.Kv, dataDir: string, cache: CacheOptions = NO_CACHE): Stores {
  const runs = new DenoRunStore(kv, cache);
  const alerts = new DenoAlertStore(kv, cache);
  const changes = new FileLatest<ChangeReport>(dataDir, "changes.json", cache);
  return {
    runs,
    alerts,
    artifacts: new FileArtifactStore(`${dataDir}/artifacts`),
    dispatches: new DenoDispatchStore(kv),
    deliveries: new DenoDeliveryStore(kv),
    inbox: new FileInbox(`${dataDir}/inbox`),
    dashboards: new DenoLatest(kv, "dashboards", cache),
    changes,
    // A file, like the analysis: the page outgrows a Deno KV value (64 KiB).
    pages: new FileLatest(dataDir, "status-page.json", cache),
    series: new FileSeriesStore(dataDir),
    // A settlement changes what these cache: they forget it once it is committed.
    settlements: new DenoSettlementStore(kv, changes, [runs, alerts, changes]),
  };
}

/** chimney on a Deno KV database and a data directory; `outside` is replaced in tests. */
export async function createDenoChimney(
  env: Record<string, string>,
  dataDir: string,
  outside: Partial<Outside> = {},
): Promise<DenoChimney> {
  await Deno.mkdir(dataDir, { recursive: true });
  const kv = await Deno.openKv(env.CHIMNEY_KV_PATH ?? `${dataDir}/chimney.kv`);
  const world = { ...defaultOutside(), ...outside };
  const deps = wire(env, world, (config) =>
    denoStores(kv, dataDir, { statusCacheMs: config.STATUS_CACHE_SECONDS * 1000, now: world.now }),
  );
  return { app: createApp(deps), deps, kv };
}

if (import.meta.main) {
  const env = Deno.env.toObject();
  const { app, deps } = await createDenoChimney(env, env.CHIMNEY_DATA_DIR ?? "./.chimney-data");
  Deno.cron("chimney nightly", deps.config.NIGHTLY_CRON, () =>
    tickAndPublish(deps, "nightly", deps.now()).then(() => undefined),
  );
  Deno.cron("chimney reconcile", env.RECONCILE_CRON ?? "*/30 * * * *", () =>
    tickAndPublish(deps, "reconcile", deps.now()).then(() => undefined),
  );
  Deno.serve(
    {
      port: Number(env.PORT ?? 8000),
      hostname: env.HOST ?? "0.0.0.0",
      onListen: ({ hostname, port }) => deps.log({ event: "listening", url: `http://${hostname}:${port}` }),
    },
    app.fetch,
  );
}
