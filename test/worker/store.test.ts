import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { resetStorage } from "./harness.ts";
import { beforeEach, describe, expect, it } from "vitest";
import { HISTORY_PAGE, historyEntry } from "../../src/core/history.ts";
import { newRun, type Run } from "../../src/core/run.ts";
import { statusDocument } from "../../src/core/status.ts";
import type { Ledger } from "../../src/store/ledger.ts";
import { WorkersAlertStore, WorkersRunStore, WorkersSettlementStore } from "../../src/store/workers.ts";

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

/** Nights of a run store, one a day from 2020, numbered from `base`. */
const nightsFrom = (base: number) => (i: number) =>
  run(`${base + i}-1`, new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString());

/** A Workers run store with `count` settled nights, and the ledger behind it. */
async function storeWithNights(count: number, base: number) {
  const store = new WorkersRunStore(env.RUNS, env.LEDGER, { statusCacheMs: 0, now: () => 0 });
  const ledger = env.LEDGER.get(env.LEDGER.idFromName("ledger"));
  const night = nightsFrom(base);
  await store.recordMany(
    Array.from({ length: count }, (_, i) => night(i)),
    { settled: true },
  );
  return { store, ledger, night };
}

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
      recent: await env.RUNS.get("recent"),
      status: await env.RUNS.get("status"),
      run: await env.RUNS.get("run:1-1"),
    };
    await Promise.all(["recent", "status", "run:1-1"].map((key) => env.RUNS.delete(key)));
    const ledger = env.LEDGER.get(env.LEDGER.idFromName("ledger"));
    await runInDurableObject(ledger, async (instance, state) => {
      state.storage.sql.exec("UPDATE runs SET projected = 0 WHERE id = '1-1'");
      await (instance as Ledger).alarm();
    });
    expect(before.recent).not.toBe(null);
    expect({
      recent: await env.RUNS.get("recent"),
      status: await env.RUNS.get("status"),
      run: await env.RUNS.get("run:1-1"),
    }).toEqual(before);
  });

  it("keeps what KV holds of the history bounded: a record writes as much at 640 runs as at 320", async () => {
    const store = new WorkersRunStore(env.RUNS, env.LEDGER, { statusCacheMs: 0, now: () => 0 });
    const nights = Array.from({ length: 640 }, (_, i) =>
      run(`${1_000 + i}-1`, new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString()),
    );
    /** Every projected value but the runs' own records, which are written once each. */
    const projected = async () => {
      const { keys } = await env.RUNS.list();
      const sizes = await Promise.all(
        keys.filter((k) => !k.name.startsWith("run:")).map(async (k) => (await env.RUNS.get(k.name))?.length ?? 0),
      );
      return sizes.reduce((a, b) => a + b, 0);
    };
    await store.recordMany(nights.slice(0, 320), { settled: true });
    const half = await projected();
    await store.recordMany(nights.slice(320), { settled: true });
    const full = await projected();
    expect(full).toBeLessThan(half * 1.05);
    expect((await store.status())?.runs).toBe(640);
    expect((await store.history(1, null)).runs[0].id).toBe("1639-1");
  }, 30_000);

  it("reads as few ledger rows to record, read back and settle a run at 2 000 runs as at 200", async () => {
    const store = new WorkersRunStore(env.RUNS, env.LEDGER, { statusCacheMs: 0, now: () => 0 });
    const ledger = env.LEDGER.get(env.LEDGER.idFromName("ledger"));
    const night = nightsFrom(10_000);
    /** Rows SQLite read (what Cloudflare bills, `rowsRead`) to record the night `i`, read back, then settle it. */
    const rowsToRecordAndSettle = (i: number) =>
      runInDurableObject(ledger, async (instance, state) => {
        const sql = state.storage.sql;
        const exec = sql.exec;
        const cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
        sql.exec = <T extends Record<string, SqlStorageValue>>(...args: Parameters<typeof exec>) => {
          const cursor = exec.apply(sql, args) as SqlStorageCursor<T>;
          cursors.push(cursor);
          return cursor;
        };
        try {
          const l = instance as Ledger;
          await l.record(night(i), false);
          // What a settlement reads back: the nights before the run and its analysis span.
          await l.newestPage(null);
          const [unsettled] = await l.unsettledRuns(1);
          await l.commitSettlement(
            {
              runs: [],
              settles: { run_id: unsettled.run.id, revision: unsettled.revision },
              analysis: null,
              subjects: [],
              dispatch: null,
            },
            "2026-11-30T00:00:00.000Z",
          );
        } finally {
          sql.exec = exec;
        }
        return cursors.reduce((rows, cursor) => rows + cursor.rowsRead, 0);
      });
    await store.recordMany(
      Array.from({ length: 200 }, (_, i) => night(i)),
      { settled: true },
    );
    const short = await rowsToRecordAndSettle(200);
    await store.recordMany(
      Array.from({ length: 1_800 }, (_, i) => night(201 + i)),
      { settled: true },
    );
    const long = await rowsToRecordAndSettle(2_001);
    expect(long).toBeLessThan(short + 50);
  }, 30_000);

  it("reads back the newest page in the table's order after a run's time moves past the page", async () => {
    const { store, ledger, night } = await storeWithNights(HISTORY_PAGE + 10, 20_000);
    // A later report of the newest run says it began before all the others.
    const moved = { ...night(HISTORY_PAGE + 9), at: "2019-06-01T00:00:00.000Z" };
    await store.record(moved, { settled: true });
    const ids = await runInDurableObject(
      ledger,
      async (instance) => (await (instance as Ledger).newestPage(null)).columns.id,
    );
    expect(ids).toEqual(Array.from({ length: HISTORY_PAGE }, (_, i) => night(HISTORY_PAGE + 8 - i).id));
  }, 30_000);

  it("sends a reader that holds the newest page only what changed in it, and the reader's page is the table's", async () => {
    const { store, ledger, night } = await storeWithNights(HISTORY_PAGE + 5, 30_000);
    const first = await ledger.newestPage(null);
    expect(first.whole).toBe(true);
    expect(first.columns.id).toHaveLength(HISTORY_PAGE);
    const read = await store.history(HISTORY_PAGE, null);
    // A new night, and a later report of an older one saying it began an hour earlier.
    const moved = {
      ...night(HISTORY_PAGE),
      at: new Date(Date.parse(night(HISTORY_PAGE).at) - 3_600_000).toISOString(),
    };
    await store.record(night(HISTORY_PAGE + 5));
    await store.record(moved);
    const changes = await ledger.newestPage({ epoch: first.epoch, version: first.version });
    expect(changes.whole).toBe(false);
    expect(changes.columns.id).toEqual([night(HISTORY_PAGE + 5).id, night(HISTORY_PAGE).id]);
    const again = await store.history(HISTORY_PAGE, null);
    const table = await runInDurableObject(ledger, async (instance) => {
      const { columns, more } = await (instance as Ledger).historyPage(HISTORY_PAGE, { at: "9999", id: "" });
      return { ids: columns.id, more };
    });
    expect(again.runs.map((e) => e.id)).toEqual(table.ids.slice(0, HISTORY_PAGE));
    expect(again.runs[0].id).toBe(night(HISTORY_PAGE + 5).id);
    expect(again.runs.find((e) => e.id === moved.id)?.at).toBe(moved.at);
    expect(again.cursor).not.toBeNull();
    expect(read.runs).toHaveLength(HISTORY_PAGE);
  }, 30_000);

  it("shows no run of a batch SQLite refused: the newest page held in memory is rolled back with it", async () => {
    const store = new WorkersRunStore(env.RUNS, env.LEDGER, { statusCacheMs: 0, now: () => 0 });
    const ledger = env.LEDGER.get(env.LEDGER.idFromName("ledger"));
    await store.record(run("1-1", "2026-11-01T03:00:00.000Z"));
    const reader = await ledger.newestPage(null);
    // A record over SQLite's 2 MB row: the batch's transaction throws after its first run was saved.
    const huge = { ...run("3-1", "2026-11-03T03:00:00.000Z"), sha: "x".repeat(3_000_000) };
    await expect(store.recordMany([run("2-1", "2026-11-02T03:00:00.000Z"), huge])).rejects.toThrow();
    expect((await ledger.newestPage(null)).columns.id).toEqual(["1-1"]);
    const since = await ledger.newestPage({ epoch: reader.epoch, version: reader.version });
    // A copy read before the refused batch is sent the page whole: the page changed in memory.
    expect(since.whole).toBe(true);
    expect(since.columns.id).toEqual(["1-1"]);
    expect((await store.history(HISTORY_PAGE, null)).runs.map((e) => e.id)).toEqual(["1-1"]);
  }, 30_000);

  it("reads the alerts /status shows, the open and the accepted ones, in one KV read", async () => {
    const keys: string[] = [];
    const kv = {
      get: (key: string, type: "json") => {
        keys.push(key);
        return env.RUNS.get(key, type);
      },
    } as unknown as KVNamespace;
    const alerts = new WorkersAlertStore(kv, env.LEDGER, { statusCacheMs: 5_000, now: () => 0 });
    expect(await alerts.standing()).toEqual({ open: [], accepted: [] });
    expect(keys).toHaveLength(1);
  });

  it("never keeps a settlement waiting on a projection that reports started: both finish", async () => {
    const store = new WorkersRunStore(env.RUNS, env.LEDGER, { statusCacheMs: 0, now: () => 0 });
    const settlements = new WorkersSettlementStore(env.LEDGER, []);
    const nights = Array.from({ length: 40 }, (_, i) =>
      run(`${3_000 + i}-1`, new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString()),
    );
    await store.recordMany(nights.slice(0, 20), { settled: false });
    const waiting = await settlements.unsettled(20);
    // Reports arrive while the waiting runs are settled: each settlement's projection and theirs interleave.
    const settled = await Promise.all([
      ...nights.slice(20).map((n) => store.record(n)),
      ...waiting.map((w) =>
        settlements.commit(
          {
            settles: { run_id: w.run.id, revision: w.revision },
            runs: [],
            analysis: null,
            subjects: [],
            dispatch: null,
          },
          "2026-02-01T00:00:00.000Z",
        ),
      ),
    ]);
    expect(settled.slice(20)).toEqual(Array(20).fill(true));
    expect((await store.status())?.runs).toBe(40);
  });
});
