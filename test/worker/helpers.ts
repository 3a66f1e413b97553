import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { expect } from "vitest";
import { GitHubEmulator } from "../../sandbox/github.ts";
import { createWorker } from "../../src/worker.ts";
import { TEST_BINDINGS } from "../bindings.ts";

export const ORIGIN = "https://chimney.test";
export const UPLOAD_TOKEN = TEST_BINDINGS.PERF_DASHBOARD_TOKEN;

/** The Worker as deployed, its GitHub an emulator (no test reaches the internet). */
const worker = createWorker({ fetch: new GitHubEmulator(Date.now).fetch, write: () => {} });

/** A request, answered, with the work it started after the answer finished too. */
export async function call(path: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(new URL(path, ORIGIN), init) as Parameters<typeof worker.fetch>[0],
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

export function upload(
  body: BodyInit,
  init: { contentType?: string; query?: string; token?: string | null; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.contentType !== undefined) headers["content-type"] = init.contentType;
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? UPLOAD_TOKEN}`;
  return call(`/api/results${init.query ? `?${init.query}` : ""}`, { method: "POST", body, headers });
}

/**
 * An upload sent as the runner sends it: again after a 429, until it is taken. A burst beyond
 * the writes an isolate admits (`WRITES_ADMITTED`) races only among the admitted ones.
 */
export async function uploadUntilTaken(body: string, init: Parameters<typeof upload>[1] = {}): Promise<Response> {
  for (;;) {
    const res = await upload(body, init);
    if (res.status !== 429) return res;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const json = (value: unknown) => JSON.stringify(value, null, 2);

export async function expectProblem(res: Response, status: number, field?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const body = (await res.json()) as { status: number; title: string; detail: string; type: string };
  expect(body.status).toBe(status);
  expect(body.type).toBe("about:blank");
  if (field)
    expect(body.detail.startsWith(`${field}: `), `detail ${JSON.stringify(body.detail)} names ${field}`).toBe(true);
  expect(JSON.stringify(body)).not.toMatch(/ at .*\.(ts|js):\d+/);
  return body;
}

/** Everything a reader can see of the stored state, to prove that a refused input changed none of it. */
export async function snapshot() {
  const [status, runs] = await Promise.all([
    call("/status").then((r) => r.json()),
    call("/runs?limit=100").then((r) => r.json()),
  ]);
  return { status, runs };
}
