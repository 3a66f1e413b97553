/** The Deno KV adapters keep the semantics of the Workers ones, races included. */
import assert from "node:assert/strict";
import { decodeCursor } from "../../src/core/history.ts";
import { newRun, type Run } from "../../src/core/run.ts";
import { runSubject } from "../../src/core/alert.ts";
import { DEFAULT_OPTIONS } from "../../src/core/changepoints/analysis.ts";
import type { Series } from "../../src/core/series.ts";
import {
  DenoAlertStore,
  DenoDeliveryStore,
  DenoDispatchStore,
  DenoRunStore,
  FileArtifactStore,
  FileLatest,
  FileSeriesStore,
} from "../../src/store/deno.ts";

const M = {
  batches: 5,
  batch_size: 100,
  total_operations: 500,
  total_duration_ms: 48.86,
  throughput_ops_per_sec: 10233.3,
  per_batch_count: 5,
  per_batch_p95_ms: 11.2,
};
const run = (id: string, at: string, extra: Partial<Run> = {}) =>
  newRun({ id, state: "passed", at, mainline: true, measurements: M, ...extra });

Deno.test("a run is created once, the same result again is unchanged, a different one refused", async () => {
  const kv = await Deno.openKv(":memory:");
  const store = new DenoRunStore(kv);
  assert.equal((await store.record(run("1-1", "2026-11-01T03:00:00Z"))).kind, "created");
  assert.equal((await store.record(run("1-1", "2026-11-01T03:00:00Z"))).kind, "unchanged");
  assert.equal(
    (await store.record(run("1-1", "2026-11-01T03:00:00Z", { measurements: { ...M, total_duration_ms: 60 } }))).kind,
    "conflict",
  );
  assert.equal((await store.run("1-1"))?.measurements?.total_duration_ms, 48.86);
  kv.close();
});

Deno.test("uploads without a run id are the same run when their identity is", async () => {
  const kv = await Deno.openKv(":memory:");
  const store = new DenoRunStore(kv);
  const first = await store.record(run("01JD5ZQ0X3M9V7K2N8P4R6T1WB", "2026-11-01T03:00:00Z", { identity: "abc" }));
  const again = await store.record(run("01JD5ZQ0X3M9V7K2N8P4R6T1WC", "2026-11-01T03:00:05Z", { identity: "abc" }));
  assert.equal(again.kind, "unchanged");
  assert.equal(again.run.id, first.run.id);
  assert.equal((await store.status())?.runs, 1);
  kv.close();
});

Deno.test("many runs recorded at once are all kept, and the history pages newest first", async () => {
  const kv = await Deno.openKv(":memory:");
  const store = new DenoRunStore(kv);
  const ids = Array.from({ length: 25 }, (_, i) => `${100 + i}-1`);
  await Promise.all([
    ...ids.map((id, i) => store.record(run(id, `2026-11-${String(i + 1).padStart(2, "0")}T03:00:00Z`))),
    ...ids.slice(0, 5).map((id, i) => store.record(run(id, `2026-11-0${i + 1}T03:00:00Z`))),
  ]);
  assert.equal((await store.status())?.runs, 25);
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { runs: { id: string }[]; cursor: string | null } = await store.history(
      10,
      cursor ? decodeCursor(cursor) : null,
    );
    seen.push(...page.runs.map((r) => r.id));
    cursor = page.cursor;
  } while (cursor);
  assert.deepEqual(seen, [...ids].reverse());
  kv.close();
});

Deno.test("the status follows mainline runs and the open runs are listed", async () => {
  const kv = await Deno.openKv(":memory:");
  const store = new DenoRunStore(kv);
  await store.record(run("1-1", "2026-11-01T03:00:00Z"));
  await store.record(run("2-1", "2026-11-02T03:00:00Z", { mainline: false, state: "regressed" }));
  await store.record(newRun({ id: "3-1", state: "running", at: "2026-11-03T03:00:00Z", mainline: true }));
  const status = await store.status();
  assert.equal(status?.latest?.id, "3-1");
  assert.equal(status?.last_completed?.id, "1-1");
  assert.deepEqual(
    (await store.open()).map((r) => r.id),
    ["3-1"],
  );
  await store.record({ ...run("3-1", "2026-11-03T03:00:00Z") });
  assert.deepEqual(await store.open(), []);
  kv.close();
});

Deno.test("one nightly claim wins however many race, and one delivery is processed of twenty", async () => {
  const kv = await Deno.openKv(":memory:");
  const dispatches = new DenoDispatchStore(kv);
  const dispatch = {
    correlation_id: "chimney-nightly-2026-11-29",
    kind: "nightly" as const,
    night: "2026-11-29",
    ref: "main",
    pr_number: null,
    requested_at: "t",
    updated_at: "t",
    state: "claimed" as const,
    attempts: 0,
    last_error: null,
    run_id: null,
  };
  const claims = await Promise.all(Array.from({ length: 10 }, () => dispatches.claim(dispatch)));
  assert.equal(claims.filter(Boolean).length, 1);
  const deliveries = new DenoDeliveryStore(kv);
  const taken = await Promise.all(
    Array.from({ length: 20 }, () => deliveries.claim("d-1", "workflow_run", "2026-11-29T03:00:00Z")),
  );
  assert.equal(taken.filter(Boolean).length, 1);
  kv.close();
});

Deno.test("racing plans of one regressed run queue its write once, and writes go out in order", async () => {
  const kv = await Deno.openKv(":memory:");
  const alerts = new DenoAlertStore(kv);
  const regressed = runSubject(run("5-1", "2026-11-05T03:00:00Z", { state: "regressed" }));
  const planned = await Promise.all([
    alerts.plan(regressed, "now"),
    alerts.plan(regressed, "now"),
    alerts.plan(regressed, "now"),
  ]);
  assert.equal(planned.flat().length, 1);
  await alerts.plan(runSubject(run("6-1", "2026-11-06T03:00:00Z", { state: "regressed" })), "now");
  const now = Date.parse("2026-11-06T04:00:00Z");
  const [first] = await alerts.claim(now, 5);
  assert.equal(first.id, "regression:smoke@5-1");
  assert.deepEqual(await alerts.claim(now, 5), []);
  await alerts.settle(first.id, { error: null, issue: { number: 7, url: "https://github.test/issues/7" } });
  assert.equal((await alerts.open())[0].issue_number, 7);
  assert.equal((await alerts.claim(now, 5))[0].id, "regression:smoke@6-1");
  kv.close();
});

Deno.test("artifact files are written once per digest and never outside their folder", async () => {
  const dir = await Deno.makeTempDir();
  const files = new FileArtifactStore(`${dir}/artifacts`);
  await files.put("abc123", new TextEncoder().encode("hello"));
  const stored = await files.get("abc123");
  assert.equal(stored?.size, 5);
  assert.equal(await new Response(stored!.body).text(), "hello");
  assert.equal(await files.get("missing"), null);
  await assert.rejects(() => files.put("../escape", new Uint8Array(1)), /not a file name/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("imported series merged at once lose and double no point, and survive a restart", async () => {
  const dir = await Deno.makeTempDir();
  const series = (from: number, to: number): Series[] => [
    {
      key: "suite--bench",
      suite: "suite",
      name: "bench",
      unit: "mgas/s",
      bigger_is_better: true,
      repo_url: null,
      changes: [],
      points: Array.from({ length: to - from }, (_, i) => ({
        at: new Date(Date.UTC(2026, 0, 1 + from + i)).toISOString(),
        sha: null,
        value: from + i < 30 ? 100 : 130,
        commit_url: null,
        message: null,
      })),
    },
  ];
  const store = new FileSeriesStore(dir);
  const answers = await Promise.all([
    store.merge(series(0, 40), DEFAULT_OPTIONS),
    store.merge(series(20, 60), DEFAULT_OPTIONS),
    store.merge(series(0, 60), DEFAULT_OPTIONS),
  ]);
  assert.deepEqual(
    answers.map((a) => a.issues),
    [[], [], []],
  );
  assert.equal(
    answers.reduce((n, a) => n + a.imports[0].added, 0),
    60,
  );
  const reopened = await new FileSeriesStore(dir).all();
  assert.equal(reopened[0].points.length, 60);
  assert.deepEqual(
    reopened[0].changes.map((c) => c.index),
    [30],
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a change analysis too large for a Deno KV value is kept in a file", async () => {
  const dir = await Deno.makeTempDir();
  const latest = new FileLatest<{ changes: string[] }>(dir, "changes.json");
  assert.equal(await latest.latest(), null);
  const large = { changes: Array.from({ length: 2_000 }, (_, i) => `change ${i} `.repeat(10)) };
  await latest.save(large);
  assert.deepEqual(await new FileLatest(dir, "changes.json").latest(), large);
  await Deno.remove(dir, { recursive: true });
});
