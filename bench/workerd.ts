/**
 * A Worker served by workerd through Miniflare on loopback, without `wrangler dev`'s proxy:
 * chimney as `wrangler deploy` uploads it (the minified bundle, the bindings of wrangler.toml),
 * or any other Worker's script. The proxy passes every text/html answer through HTMLRewriter
 * (its live-reload hook, run with live reload off too), which Cloudflare does not; what a page
 * costs chimney is measured here, beside the same under `wrangler dev`.
 */
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { withBundle } from "./bundle.ts";

export interface Served {
  url: string;
  stop(): Promise<void>;
}

const { workerOptions } = unstable_getMiniflareWorkerOptions("wrangler.toml");

/** wrangler.toml's compatibility date: every Worker the bench starts runs at chimney's. */
export const COMPATIBILITY_DATE = workerOptions.compatibilityDate ?? "";
if (!COMPATIBILITY_DATE) throw new Error("wrangler.toml names no compatibility_date");

/** chimney's minified bundle with wrangler.toml's bindings and `vars` over them, its state kept in `persistTo`. */
export async function startChimneyWorkerd(options: { persistTo: string; vars: Record<string, string> }) {
  const script = await withBundle(([bundle]) => {
    if (!bundle) throw new Error("wrangler produced no bundle");
    return bundle.bytes.toString("utf8");
  });
  return serve(
    { ...workerOptions, modules: true, script, bindings: { ...workerOptions.bindings, ...options.vars } },
    options.persistTo,
  );
}

/** A Worker of one module (`script`), with no bindings. */
export function startScriptWorkerd(script: string): Promise<Served> {
  return serve({ modules: true, script, compatibilityDate: COMPATIBILITY_DATE }, null);
}

async function serve(worker: object, persistTo: string | null): Promise<Served> {
  const mf = new Miniflare({
    ...worker,
    host: "127.0.0.1",
    port: 0,
    ...(persistTo ? { defaultPersistRoot: persistTo } : {}),
    // The Worker's log lines (one per upload) are read by no one here.
    handleRuntimeStdio(stdout, stderr) {
      stdout.resume();
      stderr.resume();
    },
  } as ConstructorParameters<typeof Miniflare>[0]);
  const url = (await mf.ready).origin;
  return { url, stop: () => mf.dispose() };
}
