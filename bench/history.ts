/**
 * History that grows cheaply, on loopback against `wrangler dev`, the deployed bundle in workerd
 * without wrangler dev's proxy (bench/workerd.ts), and the Deno entry: importing 1 000 and
 * 10 000 smoke results (one fresh state each), then, with 10 000 runs stored, uploads,
 * `/status`, `/badge` and `GET /` against `/healthz` at 50 connections, beside the same with
 * none stored; and `/status` during and right after a burst of uploads against its idle p99.
 * `npm run bench -- history` runs this part alone.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDenoDev } from "../scripts/deno-dev.ts";
import { freePort, startWranglerDev } from "../scripts/wrangler-dev.ts";
import { importRows, load, median, metricsText, round3, type Load } from "./common.ts";
import { COMPATIBILITY_DATE, startChimneyWorkerd, startScriptWorkerd, type Served } from "./workerd.ts";

const ADMIN = "bench-admin-0123456789abcdef";
const TOKEN = "bench-token-0123456789abcdef";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONNECTIONS = 50;

/** `workers`: under wrangler dev; `workerd`: the deployed bundle in workerd, past wrangler dev's proxy. */
type Entry = "workers" | "workerd" | "deno";

function start(entry: Entry, persistTo: string, vars: Record<string, string>): Promise<Served> {
  switch (entry) {
    case "workers":
      return startWranglerDev({ persistTo, vars });
    case "workerd":
      return startChimneyWorkerd({ persistTo, vars });
    case "deno":
      // On an in-memory Deno KV, as on Deploy.
      return freePort().then((port) => startDenoDev({ port, vars }));
  }
}

async function withServer<T>(entry: Entry, fn: (server: Served) => Promise<T>): Promise<T> {
  const persist = mkdtempSync(join(tmpdir(), "chimney-history-"));
  const server = await start(entry, persist, { PERF_DASHBOARD_TOKEN: TOKEN, ADMIN_TOKEN: ADMIN });
  try {
    return await fn(server);
  } finally {
    await server.stop();
    rmSync(persist, { recursive: true, force: true });
  }
}

async function importInto(server: Served, rows: number): Promise<number> {
  const body = importRows(rows);
  const started = performance.now();
  const res = await fetch(`${server.url}/api/import`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body,
  });
  if (!res.ok) throw new Error(`import of ${rows} rows answered ${res.status}: ${await res.text()}`);
  return (performance.now() - started) / 1000;
}

let nextRunId = 5_000_000;

/** Uploads of Firewood's 5-batch result, each a run of its own. */
function uploadOptions() {
  return {
    method: "POST" as const,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: metricsText(5),
    requests: [{ setupRequest: (req: object) => ({ ...req, path: `/api/results?run_id=${nextRunId++}` }) }],
  };
}

/** Rounds of each route, each after its own `/healthz` round: one 4 s round varied by ±15%. */
const PAIRS = 3;

const served = (l: Load) => l.rps;

/**
 * A route right after a `/healthz` round of its own, `PAIRS` times, and the median of its ratios
 * to those rounds: the floor drifts as the isolate's background work (the import's analysis, a
 * drain) comes and goes, and one `/healthz` round measured first, while an import was still being
 * analysed, flattered every route after it. `taken` is what counts of a round (its rate).
 */
async function paired(
  server: Served,
  path: string,
  taken: (l: Load) => number = served,
  options: Parameters<typeof load>[1] = {},
) {
  const round = { connections: CONNECTIONS, duration: SECONDS };
  const ratios: number[] = [];
  const rates: number[] = [];
  const loads: Load[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const floor = await load(`${server.url}/healthz`, round);
    const route = await load(`${server.url}${path}`, { ...round, ...options });
    loads.push(floor, route);
    ratios.push(taken(route) / floor.rps);
    rates.push(taken(route));
  }
  return { ratio: median(ratios), rps: median(rates), loads };
}

async function routes(server: Served) {
  const status = await paired(server, "/status");
  const badge = await paired(server, "/badge");
  const page = await paired(server, "/");
  const pageHtml = await (await fetch(`${server.url}/`)).text();
  // Uploads taken (2xx) per second: a 429 is quick, and counting it would flatter a saturated store.
  const uploads = await paired(server, "/api/results", (l) => l.ok_rps, uploadOptions());
  const loads = [status, badge, page, uploads].flatMap((r) => r.loads);
  const failed = (ls: Load[]) => ls.reduce((n, l) => n + l.errors + l.non2xx - l.refused_429, 0);
  const figures = {
    healthz_rps: median(loads.filter((_, i) => i % 2 === 0).map((l) => l.rps)),
    status: status.ratio,
    badge: badge.ratio,
    page: page.ratio,
    page_rps: page.rps,
    page_bytes: new TextEncoder().encode(pageHtml).byteLength,
    uploads: uploads.ratio,
    uploads_rps: uploads.rps,
    uploads_refused_429: loads.reduce((n, l) => n + l.refused_429, 0),
    read_errors: failed([status, badge, page].flatMap((r) => r.loads)),
    // workerd closes a connection whose request it answered without reading the body (a 429):
    // autocannon counts each such close, after the 429 it was sent, as an error.
    upload_errors: failed(uploads.loads),
  };
  return { figures, pageHtml };
}

/** `/status` idle, then while uploads come at 50 connections, then right after: p99 and failures. */
async function burst(server: Served) {
  const reads = { connections: 10, duration: SECONDS };
  const idle = await load(`${server.url}/status`, reads);
  const [during, uploads] = await Promise.all([
    load(`${server.url}/status`, reads),
    load(`${server.url}/api/results`, { connections: CONNECTIONS, duration: SECONDS, ...uploadOptions() }),
  ]);
  const after = await load(`${server.url}/status`, reads);
  return {
    idle_p99_ms: idle.p99_ms,
    during_p99_ms: during.p99_ms,
    after_p99_ms: after.p99_ms,
    during_over_idle: round3(during.p99_ms / Math.max(idle.p99_ms, 1)),
    after_over_idle: round3(after.p99_ms / Math.max(idle.p99_ms, 1)),
    failed_reads: [idle, during, after].reduce((n, l) => n + l.errors + l.non2xx, 0),
    // Which of idle, during and after failed, and how: no answer in time, or an answer not 2xx.
    failed_by_phase: [idle, during, after].map((l) => ({ errors: l.errors, non2xx: l.non2xx })),
    uploads: uploads.requests,
    uploads_refused_429: uploads.refused_429,
  };
}

/**
 * The floor GET / stands on: a hello-world Worker answering the page itself, against its own
 * `/healthz`, paired the same way, served as chimney was (on Deno, the same handler under
 * `Deno.serve`). Serving the bytes costs throughput on loopback, and wrangler dev's proxy passes
 * every text/html answer through HTMLRewriter, whose cost grows with the page's markup: this
 * tells how much of GET / below `/healthz` is the page, not chimney.
 */
async function pageFloor(entry: Entry, html: string): Promise<{ ratio: number; rps: number }> {
  const handler = `const page = new TextEncoder().encode(${JSON.stringify(html)});
function fetch(request) {
  if (new URL(request.url).pathname === "/healthz") return Response.json({ ok: true });
  return new Response(page, { headers: { "content-type": "text/html; charset=UTF-8" } });
}
`;
  const worker = `${handler}export default { fetch };\n`;
  const server =
    entry === "workers"
      ? await wranglerDevOf(worker)
      : entry === "workerd"
        ? await startScriptWorkerd(worker)
        : await denoOf(
            `${handler}Deno.serve({ port: Number(Deno.env.get("PORT")), hostname: Deno.env.get("HOST"), onListen() {} }, fetch);\n`,
          );
  try {
    const { ratio, rps } = await paired(server, "/page");
    return { ratio, rps };
  } finally {
    await server.stop();
  }
}

/** A Worker of one module under `wrangler dev`, from a directory of its own removed when it stops. */
function wranglerDevOf(script: string): Promise<Served> {
  return fromDirectory(script, "worker.js", (dir) => {
    writeFileSync(
      join(dir, "wrangler.toml"),
      `name = "floor"\nmain = "worker.js"\ncompatibility_date = "${COMPATIBILITY_DATE}"\n`,
    );
    return startWranglerDev({ persistTo: join(dir, "state"), config: join(dir, "wrangler.toml") });
  });
}

/** A Deno script serving on loopback, run as chimney's Deno entry is. */
function denoOf(script: string): Promise<Served> {
  return fromDirectory(script, "floor.js", async (dir) =>
    startDenoDev({ port: await freePort(), main: join(dir, "floor.js") }),
  );
}

/** `script` written as `name` in a directory of its own, served by `start`, the directory removed when it stops. */
async function fromDirectory(script: string, name: string, start: (dir: string) => Promise<Served>): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), "chimney-floor-"));
  writeFileSync(join(dir, name), script);
  const server = await start(dir);
  return {
    url: server.url,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function entryBench(entry: Entry) {
  const import1k = await withServer(entry, (s) => importInto(s, 1_000));
  const [import10k, { figures: at10k, pageHtml }, afterBurst] = await withServer(
    entry,
    async (s) => [await importInto(s, 10_000), await routes(s), await burst(s)] as const,
  );
  const { figures: at0 } = await withServer(entry, routes);
  return {
    import_1k_s: round3(import1k),
    import_10k_s: round3(import10k),
    import_10k_over_1k: round3(import10k / import1k),
    none_stored: at0,
    stored_10k: at10k,
    uploads_10k_over_none: round3(at10k.uploads_rps / at0.uploads_rps),
    page_floor: await pageFloor(entry, pageHtml),
    burst: afterBurst,
  };
}

export async function historyBench() {
  return {
    workers: await entryBench("workers"),
    workerd: await entryBench("workerd"),
    deno: await entryBench("deno"),
  };
}
