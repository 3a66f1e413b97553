/**
 * What only the Deno adapters have to show: files that stay in their folder, survive a restart,
 * and hold what a Deno KV value cannot. What every adapter keeps is the store contract
 * (test/contract/stores.ts, run by store-contract.test.ts).
 */
import assert from "node:assert/strict";
import { DEFAULT_OPTIONS } from "../../src/core/changepoints/analysis.ts";
import type { Series } from "../../src/core/series.ts";
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
