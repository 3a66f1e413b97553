/**
 * `npm start`: chimney under `wrangler dev`, with its KV, R2 and Durable Object state kept
 * locally in .wrangler/state, and how to send it a result. No Cloudflare account needed.
 */
import { existsSync, readFileSync } from "node:fs";
import { startWranglerDev } from "./wrangler-dev.ts";

const LOCAL_TOKEN = "local-dev-token";

/** `.dev.vars` (KEY=value lines) holds real secrets when a maintainer has them. */
function devVars(): Record<string, string> {
  if (!existsSync(".dev.vars")) return {};
  const vars: Record<string, string> = {};
  for (const line of readFileSync(".dev.vars", "utf8").split("\n")) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*"?(.*?)"?\s*$/.exec(line);
    if (match) vars[match[1]] = match[2];
  }
  return vars;
}

const configured = devVars();
const token = configured.PERF_DASHBOARD_TOKEN ?? LOCAL_TOKEN;
const server = await startWranglerDev({
  port: Number(process.env.PORT ?? 8787),
  persistTo: ".wrangler/state",
  vars: configured.PERF_DASHBOARD_TOKEN ? {} : { PERF_DASHBOARD_TOKEN: LOCAL_TOKEN },
  inherit: true,
});

const token_ = configured.PERF_DASHBOARD_TOKEN ? "$PERF_DASHBOARD_TOKEN" : token;
console.log(`
chimney is running at ${server.url}  (state in .wrangler/state; Ctrl-C stops it)

  ${server.url}/status     the latest state
  ${server.url}/runs       the run history
  ${server.url}/badge      the shields.io badge

Send it a result, as a runner would:

  curl -sS -X POST \\
    -H "Authorization: Bearer ${token_}" \\
    -H "Content-Type: application/json" \\
    --data-binary @test/fixtures/smoke-metrics.json \\
    "${server.url}/api/results?run_id=1&sha=$(git rev-parse HEAD 2>/dev/null || echo 0000000)&ref=main"
`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => void server.stop().then(() => process.exit(0)));
}
server.process.on("exit", (code) => process.exit(code ?? 0));
