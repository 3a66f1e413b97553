/**
 * What only the Deno adapters have to show: files that stay in their folder, survive a restart,
 * and hold what a Deno KV value cannot. What every adapter keeps is the store contract
 * (test/contract/stores.ts, run by store-contract.test.ts).
 */
import assert from "node:assert/strict";
import { DEFAULT_OPTIONS } from "../../src/core/changepoints/analysis.ts";
import type { Series } from "../../src/core/series.ts";
import { denoStores } from "../../src/deno.ts";
import { FileArtifactStore, FileLatest, FileSeriesStore } from "../../src/store/deno-files.ts";

Deno.test("artifact files are never written outside their folder", async () => {
  const dir = await Deno.makeTempDir();
  const files = new FileArtifactStore(`${dir}/artifacts`);
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

Deno.test("the status, the open alerts and the published page are kept for STATUS_CACHE_SECONDS, and forgotten on the store's own writes", async () => {
  const dir = await Deno.makeTempDir();
  const kv = await Deno.openKv(":memory:");
  let now = 1_000_000;
  const stores = denoStores(kv, dir, { statusCacheMs: 5_000, now: () => now });
  const page = { html: "<p>one</p>", etag: '"1"', rendered_at: "2026-12-01T00:00:00.000Z" };
  await stores.pages.save(page);
  assert.deepEqual(await stores.pages.latest(), page);
  assert.equal(await stores.runs.status(), null);
  // Another process writes (Deno Deploy runs several isolates on one database): kept until it expires.
  await new FileLatest(dir, "status-page.json").save({ ...page, html: "<p>two</p>" });
  await kv.set(["count"], new Deno.KvU64(1n));
  now += 4_999;
  assert.equal((await stores.pages.latest())?.html, "<p>one</p>");
  assert.equal(await stores.runs.status(), null);
  now += 2;
  assert.equal((await stores.pages.latest())?.html, "<p>two</p>");
  // The store's own write is seen at once.
  await stores.pages.save({ ...page, html: "<p>three</p>" });
  assert.equal((await stores.pages.latest())?.html, "<p>three</p>");
  kv.close();
  await Deno.remove(dir, { recursive: true });
});
