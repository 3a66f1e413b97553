/**
 * The deployed Worker builds its app in the global scope, which Cloudflare runs during the first
 * request's TLS handshake: the first request then finds it built (bench/cold-start.ts times it).
 */
import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Stores } from "../../src/store/ports.ts";
import { createWorker } from "../../src/worker.ts";

describe("a Worker built ahead", () => {
  it("builds its stores and app once, when created, and serves the first request with them", async () => {
    let built = 0;
    const count = (stores: Stores) => {
      built++;
      return stores;
    };
    const worker = createWorker({ write: () => {} }, count, env);
    expect(built).toBe(1);

    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request("https://chimney.test/healthz") as Parameters<typeof worker.fetch>[0],
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(200);
    expect(built).toBe(1);
  });

  it("is built on the first request when not built ahead", async () => {
    let built = 0;
    const worker = createWorker({ write: () => {} }, (stores) => {
      built++;
      return stores;
    });
    expect(built).toBe(0);
    const ctx = createExecutionContext();
    await worker.fetch(new Request("https://chimney.test/healthz") as Parameters<typeof worker.fetch>[0], env, ctx);
    await waitOnExecutionContext(ctx);
    expect(built).toBe(1);
  });
});
