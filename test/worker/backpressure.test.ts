/**
 * A write the ledger cannot take now is answered 429 with Retry-After, stores nothing, and
 * never keeps a read waiting: the backlog is bounded by refusing, not by queueing.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import passing from "../fixtures/smoke-metrics.json";
import { metricsAt } from "../support/nights.ts";
import { Faults } from "../support/faults.ts";
import { WRITES_ADMITTED } from "../../src/http/admission.ts";
import { StoreBusy, type Stores } from "../../src/store/ports.ts";
import type { Ledger } from "../../src/store/ledger.ts";
import { WorkersRunStore } from "../../src/store/workers.ts";
import { harness, resetStorage } from "./harness.ts";
import { UPLOAD_TOKEN } from "./helpers.ts";

beforeEach(() => resetStorage());

const post = (h: ReturnType<typeof harness>, body: unknown, runId: number) =>
  h.request(`/api/results?run_id=${runId}`, {
    method: "POST",
    headers: { authorization: `Bearer ${UPLOAD_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("a saturated ledger", () => {
  it("answers an upload 429 with Retry-After and problem JSON, stores nothing, and takes it when sent again", async () => {
    const faults = new Faults();
    const h = harness("2026-11-20T03:00:00.000Z", {}, faults.wrap);
    expect((await post(h, passing, 7100)).status).toBe(201);

    faults.fail("runs", "record", 1, () => new StoreBusy(2));
    const refused = await post(h, metricsAt(1.02), 7101);
    expect(faults.unfired()).toEqual([]);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("2");
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/send this again/);
    // Reads answer from what is projected meanwhile.
    const status = (await (await h.request("/status")).json()) as { runs: number };
    expect(status.runs).toBe(1);
    expect((await h.request("/runs/7101-1")).status).toBe(404);

    expect((await post(h, metricsAt(1.02), 7101)).status).toBe(201);
    expect(((await (await h.request("/status")).json()) as { runs: number }).runs).toBe(2);
  });

  it("is told by the runtime's overloaded error, which the Workers store turns into StoreBusy", async () => {
    const overloaded = {
      idFromName: () => ({}),
      get: () => ({
        record: () => Promise.reject(new Error("Durable Object is overloaded. Too many requests queued.")),
        recordMany: () => Promise.reject(new Error("Durable Object is overloaded. Requests queued for too long.")),
      }),
    } as unknown as DurableObjectNamespace<Ledger>;
    const store = new WorkersRunStore(env.RUNS, overloaded, { statusCacheMs: 0, now: () => 0 });
    const run = JSON.parse(JSON.stringify({ id: "1-1" }));
    await expect(store.record(run)).rejects.toBeInstanceOf(StoreBusy);
    await expect(store.recordMany([run])).rejects.toBeInstanceOf(StoreBusy);
    // Any other failure stays what it was.
    const down = {
      idFromName: () => ({}),
      get: () => ({ record: () => Promise.reject(new Error("network connection lost")) }),
    } as unknown as DurableObjectNamespace<Ledger>;
    const other = new WorkersRunStore(env.RUNS, down, { statusCacheMs: 0, now: () => 0 });
    await expect(other.record(run)).rejects.toThrow("network connection lost");
  });

  it("refuses a write beyond the ones this isolate already has waiting on the ledger, instead of queueing it", async () => {
    const waiting: (() => void)[] = [];
    const slow = {
      idFromName: () => ({}),
      get: () => ({
        record: () => new Promise((resolve) => waiting.push(() => resolve({ kind: "unchanged" }))),
      }),
    } as unknown as DurableObjectNamespace<Ledger>;
    const store = new WorkersRunStore(env.RUNS, slow, { statusCacheMs: 0, now: () => 0 });
    const run = JSON.parse(JSON.stringify({ id: "1-1" }));
    const held = Array.from({ length: 32 }, () => store.record(run));
    await expect(store.record(run)).rejects.toBeInstanceOf(StoreBusy);
    for (const release of waiting) release();
    await Promise.all(held);
    // Once they are answered, writes are taken again.
    const next = store.record(run);
    waiting.at(-1)?.();
    for (const release of waiting) release();
    await expect(next).resolves.toEqual({ kind: "unchanged" });
  });
});

describe("a burst of uploads", () => {
  it("is taken a few at a time in an isolate: the next is answered 429 at once, reads answer, nothing of it is stored", async () => {
    let reached = 0;
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const held = (stores: Stores): Stores => ({
      ...stores,
      runs: new Proxy(stores.runs, {
        get: (target, property, receiver) =>
          property === "record"
            ? async (...args: Parameters<Stores["runs"]["record"]>) => {
                reached++;
                await gate;
                return target.record(...args);
              }
            : Reflect.get(target, property, receiver),
      }),
    });
    const h = harness("2026-11-20T03:00:00.000Z", {}, held);
    const admitted = Array.from({ length: WRITES_ADMITTED }, (_, i) => post(h, metricsAt(1 + i / 100), 7400 + i));
    while (reached < WRITES_ADMITTED) await new Promise((resolve) => setTimeout(resolve, 1));

    const refused = await post(h, passing, 7500);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(reached).toBe(WRITES_ADMITTED);
    expect((await h.request("/status")).status).toBe(200);

    open();
    expect((await Promise.all(admitted)).map((r) => r.status)).toEqual(Array(WRITES_ADMITTED).fill(201));
    expect((await h.request("/runs/7500-1")).status).toBe(404);
    expect((await post(h, passing, 7500)).status).toBe(201);
  });
});
