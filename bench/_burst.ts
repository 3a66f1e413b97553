import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWranglerDev } from "../scripts/wrangler-dev.ts";
import { load, metricsText } from "./common.ts";
const TOKEN = "bench-token-0123456789abcdef";
let nextRunId = 5_000_000;
const persist = mkdtempSync(join(tmpdir(), "chimney-burst-"));
const server = await startWranglerDev({ persistTo: persist, vars: { PERF_DASHBOARD_TOKEN: TOKEN, ADMIN_TOKEN: "bench-admin-0123456789abcdef" } });
try {
  const reads = { connections: 10, duration: 4 };
  await load(`${server.url}/status`, { connections: 10, duration: 1 });
  const idle = await load(`${server.url}/status`, reads);
  const [during, uploads] = await Promise.all([
    load(`${server.url}/status`, reads),
    load(`${server.url}/api/results`, { connections: 50, duration: 4, method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: metricsText(5),
      requests: [{ setupRequest: (req: object) => ({ ...req, path: `/api/results?run_id=${nextRunId++}` }) }] }),
  ]);
  const after = await load(`${server.url}/status`, reads);
  console.log({ idle, during, after, uploads });
} finally { await server.stop(); rmSync(persist, { recursive: true, force: true }); }
