/**
 * Cold start: the first request to a fresh workerd isolate running the minified bundle that
 * `wrangler deploy` would upload, beside a hello-world Worker started the same way in the same
 * run. Each is started five times; the medians are kept.
 */
import { Miniflare } from "miniflare";
import { sizes, withBundle } from "./bundle.ts";
import { median, round3 } from "./common.ts";

const STARTS = 9;
const COMPATIBILITY_DATE = "2026-04-26";

const HELLO = `export default { fetch() { return new Response("hello"); } };`;

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
    const runs = {
      chimney: [] as number[],
      hello: [] as number[],
      chimneyReady: [] as number[],
      helloReady: [] as number[],
    };
    for (let i = 0; i < STARTS; i++) {
      const c = await firstRequest(chimney, "/status");
      if (c.status !== 200) throw new Error(`chimney's first /status answered ${c.status}`);
      const h = await firstRequest({ modules: true, script: HELLO, compatibilityDate: COMPATIBILITY_DATE }, "/");
      runs.chimney.push(c.first_request_ms);
      runs.chimneyReady.push(c.ready_ms);
      runs.hello.push(h.first_request_ms);
      runs.helloReady.push(h.ready_ms);
    }
    const chimneyMs = median(runs.chimney);
    const helloMs = median(runs.hello);
    const size = sizes([bundle]);
    return {
      starts: STARTS,
      chimney_first_request_ms: round3(chimneyMs),
      hello_first_request_ms: round3(helloMs),
      first_request_ratio: round3(chimneyMs / helloMs),
      chimney_start_ms: round3(median(runs.chimneyReady)),
      hello_start_ms: round3(median(runs.helloReady)),
      start_ratio: round3(median(runs.chimneyReady) / median(runs.helloReady)),
      bundle_kib: size.kib,
      bundle_gzip_kib: size.gzip_kib,
    };
  });
}
