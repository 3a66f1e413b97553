/**
 * Starts chimney's Deno entry on loopback and waits until it answers /healthz: what
 * `npm start -- --deno` and `npm run bench` run, beside `wrangler dev` (scripts/wrangler-dev.ts).
 * With no data directory it runs as on Deno Deploy: Deno KV in memory, and no disk at all
 * (--deny-read, --deny-write).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import type { DevServer } from "./wrangler-dev.ts";

const ROOT = join(import.meta.dirname, "..");

export interface DenoDevOptions {
  port: number;
  /** A directory to keep the Deno KV database in (the only one it may read and write); none: in memory. */
  dataDir?: string;
  vars?: Record<string, string>;
  /** Another script to run than chimney's entry, serving on PORT and HOST: the bench's floors. */
  main?: string;
}

export async function startDenoDev(options: DenoDevOptions): Promise<DevServer> {
  const { dataDir } = options;
  const disk = dataDir ? [`--allow-read=${dataDir}`, `--allow-write=${dataDir}`] : ["--deny-read", "--deny-write"];
  const child = spawn(
    join(ROOT, "node_modules/.bin/deno"),
    [
      "run",
      "--quiet",
      "--unstable-kv",
      "--unstable-cron",
      "--allow-net",
      "--allow-env",
      ...disk,
      options.main ?? join(ROOT, "src/deno.ts"),
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...options.vars,
        PORT: String(options.port),
        HOST: "127.0.0.1",
        CHIMNEY_KV_PATH: dataDir ? join(dataDir, "chimney.kv") : ":memory:",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${options.port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null) child.kill("SIGKILL");
  };
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    if (child.exitCode !== null) throw new Error(`chimney exited with ${child.exitCode}:\n${output}`);
    const up = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { url, process: child, stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`chimney did not answer /healthz within 60 s:\n${output}`);
}
