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
import type { Stores } from "./store/ports.ts";
import { defaultOutside, wire, type Outside } from "./wiring.ts";

export interface DenoChimney {
  app: ReturnType<typeof createApp>;
  deps: ReturnType<typeof wire>;
  kv: Deno.Kv;
}

/** The Deno adapters: records in `kv`, files under `dataDir`. What the store contract tests. */
export function denoStores(kv: Deno.Kv, dataDir: string): Stores {
  const changes = new FileLatest<ChangeReport>(dataDir, "changes.json");
  return {
    runs: new DenoRunStore(kv),
    alerts: new DenoAlertStore(kv),
    artifacts: new FileArtifactStore(`${dataDir}/artifacts`),
    dispatches: new DenoDispatchStore(kv),
    deliveries: new DenoDeliveryStore(kv),
    inbox: new FileInbox(`${dataDir}/inbox`),
    dashboards: new DenoLatest(kv, "dashboards"),
    changes,
    // A file, like the analysis: the page outgrows a Deno KV value (64 KiB).
    pages: new FileLatest(dataDir, "status-page.json"),
    series: new FileSeriesStore(dataDir),
    settlements: new DenoSettlementStore(kv, changes),
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
  const deps = wire(env, { ...defaultOutside(), ...outside }, () => denoStores(kv, dataDir));
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
