/**
 * Cold start: the first request to a fresh workerd isolate running the minified bundle that
 * `wrangler deploy` would upload, beside a hello-world Worker started the same way in the same
 * run. chimney's first `/healthz` is the isolate's own cost; its first `/status` adds the first
 * reads of KV, which the floor of a hello-world Worker that reads one KV key shows on its own.
 * Each is started `STARTS` times; the medians are kept.
 */
import { Miniflare } from "miniflare";
import { sizes, withBundle } from "./bundle.ts";
import { median, round3 } from "./common.ts";
import { COMPATIBILITY_DATE } from "./workerd.ts";

const STARTS = 9;

const HELLO = `export default { fetch() { return new Response("hello"); } };`;
const HELLO_KV = `export default { async fetch(_, env) { return new Response(await env.RUNS.get("status")); } };`;

async function firstRequest(options: ConstructorParameters<typeof Miniflare>[0], path: string) {
  const started = performance.now();
  const mf = new Miniflare(options);
  try {
    await mf.ready;
    const ready = performance.now();
    const res = await mf.dispatchFetch(`http://localhost${path}`);
    await res.arrayBuffer();
    const answered = performance.now();
    return { ready_ms: ready - started, first_request_ms: answered - ready, status: res.status };
  } finally {
    await mf.dispose();
  }
}

export function coldStartBench() {
  return withBundle(async (files) => {
    const [bundle] = files;
    if (!bundle) throw new Error("wrangler produced no bundle");
    const chimney = {
      modules: true,
      script: bundle.bytes.toString("utf8"),
      compatibilityDate: COMPATIBILITY_DATE,
      kvNamespaces: ["RUNS"],
      r2Buckets: ["ARTIFACTS"],
      durableObjects: { LEDGER: { className: "Ledger", useSQLite: true } },
    };
    const hello = { modules: true, script: HELLO, compatibilityDate: COMPATIBILITY_DATE };
    const helloKv = { ...hello, script: HELLO_KV, kvNamespaces: ["RUNS"] };
    const runs = {
      chimney: [] as number[],
      chimneyStatus: [] as number[],
      hello: [] as number[],
      helloKv: [] as number[],
      chimneyReady: [] as number[],
      helloReady: [] as number[],
    };
    for (let i = 0; i < STARTS; i++) {
      const c = await firstRequest(chimney, "/healthz");
      const s = await firstRequest(chimney, "/status");
      if (c.status !== 200 || s.status !== 200)
        throw new Error(`chimney's first request answered ${c.status}, ${s.status}`);
      const h = await firstRequest(hello, "/");
      const k = await firstRequest(helloKv, "/");
      runs.chimney.push(c.first_request_ms);
      runs.chimneyStatus.push(s.first_request_ms);
      runs.chimneyReady.push(c.ready_ms);
      runs.hello.push(h.first_request_ms);
      runs.helloKv.push(k.first_request_ms);
      runs.helloReady.push(h.ready_ms);
    }
    const chimneyMs = median(runs.chimney);
    const statusMs = median(runs.chimneyStatus);
    const helloMs = median(runs.hello);
    const helloKvMs = median(runs.helloKv);
    const size = sizes([bundle]);
    return {
      starts: STARTS,
      chimney_first_request_ms: round3(chimneyMs),
      hello_first_request_ms: round3(helloMs),
      first_request_ratio: round3(chimneyMs / helloMs),
      chimney_first_status_ms: round3(statusMs),
      hello_kv_first_request_ms: round3(helloKvMs),
      first_status_over_hello: round3(statusMs / helloMs),
      first_status_over_hello_kv: round3(statusMs / helloKvMs),
      chimney_start_ms: round3(median(runs.chimneyReady)),
      hello_start_ms: round3(median(runs.helloReady)),
      start_ratio: round3(median(runs.chimneyReady) / median(runs.helloReady)),
      bundle_kib: size.kib,
      bundle_gzip_kib: size.gzip_kib,
    };
  });
}
