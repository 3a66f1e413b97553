import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { resetStorage } from "./harness.ts";
import { beforeEach, describe, expect, it } from "vitest";
import { historyEntry } from "../../src/core/history.ts";
import { newRun, type Run } from "../../src/core/run.ts";
import { statusDocument } from "../../src/core/status.ts";
import type { Ledger } from "../../src/store/ledger.ts";
import { WorkersRunStore } from "../../src/store/workers.ts";

const run = (id: string, at: string): Run =>
  newRun({
    id,
    state: "passed",
    at,
    completed_at: at,
    mainline: true,
    input: "smoke-metrics.json",
    measurements: {
      batches: 5,
      batch_size: 100,
      total_operations: 500,
      total_duration_ms: 48.86,
      throughput_ops_per_sec: 10233.3,
      per_batch_count: 5,
      per_batch_p95_ms: 11.2,
    },
  });

describe("the Workers run store", () => {
  beforeEach(() => resetStorage());

  it("reuses the status it read for the configured time, and forgets it on its own writes", async () => {
    let now = 1_000_000;
    const store = new WorkersRunStore(env.RUNS, env.LEDGER, { statusCacheMs: 5_000, now: () => now });
    await store.record(run("1-1", "2026-11-01T03:00:00.000Z"));
    expect((await store.status())?.latest?.id).toBe("1-1");

    // Another isolate's write reaches KV: this one keeps its copy until it expires.
    await env.RUNS.put(
      "status",
      JSON.stringify(statusDocument([historyEntry(run("2-1", "2026-11-02T03:00:00.000Z"))])),
    );
    now += 4_999;
    expect((await store.status())?.latest?.id).toBe("1-1");
    now += 2;
    expect((await store.status())?.latest?.id).toBe("2-1");

    // Its own write is visible at once.
    await store.record(run("3-1", "2026-11-03T03:00:00.000Z"));
    expect((await store.status())?.latest?.id).toBe("3-1");
  });

  it("reads KV every time with no cache configured", async () => {
    const store = new WorkersRunStore(env.RUNS, env.LEDGER, { statusCacheMs: 0, now: () => 0 });
    expect(await store.status()).toBe(null);
    await env.RUNS.put("status", JSON.stringify(statusDocument([])));
    expect(await store.status()).toEqual({
      latest: null,
      last_completed: null,
      night: null,
      in_progress: null,
      runs: 0,
    });
  });

  it("rebuilds a lost projection from the ledger when its alarm runs", async () => {
    const store = new WorkersRunStore(env.RUNS, env.LEDGER, { statusCacheMs: 0, now: () => 0 });
    await store.record(run("1-1", "2026-11-01T03:00:00.000Z"));
    await store.record(run("2-1", "2026-11-02T03:00:00.000Z"));
    const before = {
      history: await env.RUNS.get("history"),
      status: await env.RUNS.get("status"),
      run: await env.RUNS.get("run:1-1"),
    };
    await Promise.all(["history", "status", "run:1-1"].map((key) => env.RUNS.delete(key)));
    const ledger = env.LEDGER.get(env.LEDGER.idFromName("ledger"));
    await runInDurableObject(ledger, async (instance, state) => {
      state.storage.sql.exec("UPDATE runs SET projected = 0 WHERE id = '1-1'");
      await (instance as Ledger).alarm();
    });
    expect({
      history: await env.RUNS.get("history"),
      status: await env.RUNS.get("status"),
      run: await env.RUNS.get("run:1-1"),
    }).toEqual(before);
  });
});
