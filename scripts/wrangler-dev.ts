/**
 * Starts chimney under `wrangler dev` on loopback and waits until it answers /healthz.
 * Used by `npm start` and `npm run bench`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export interface DevServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface DevOptions {
  port?: number;
  /** Where local KV, R2 and Durable Object state lives. */
  persistTo: string;
  vars?: Record<string, string>;
  /** Show wrangler's own output. */
  inherit?: boolean;
  /** Serve /__scheduled, which runs the scheduled handler as a cron trigger would. */
  testScheduled?: boolean;
  /** Another Worker's wrangler configuration, not chimney's: the bench's floors. */
  config?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startWranglerDev(options: DevOptions): Promise<DevServer> {
  const port = options.port ?? (await freePort());
  const args = [
    "wrangler",
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--persist-to",
    options.persistTo,
    "--show-interactive-dev-session=false",
  ];
  for (const [name, value] of Object.entries(options.vars ?? {})) args.push("--var", `${name}:${value}`);
  if (options.testScheduled) args.push("--test-scheduled");
  if (options.config) args.push("--config", options.config);
  const child = spawn("npx", args, {
    stdio: options.inherit ? "inherit" : ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    detached: true,
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    process.kill(-child.pid!, "SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null) process.kill(-child.pid!, "SIGKILL");
  };
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return { url, process: child, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`wrangler dev did not answer /healthz within 90 s:\n${output}`);
}
