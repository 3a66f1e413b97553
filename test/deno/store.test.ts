/**
 * What only the Deno adapters have to show: documents larger than a Deno KV value, and reads
 * cached across isolates. What every adapter keeps is the store contract
 * (test/contract/stores.ts, run by store-contract.test.ts); chunking is in chunks.test.ts.
 */
import assert from "node:assert/strict";
import { denoStores } from "../../src/deno-chimney.ts";
import { DenoChunkedLatest } from "../../src/store/deno-blobs.ts";

Deno.test("a change analysis and a status page too large for a Deno KV value are kept, and replaced whole", async () => {
  const kv = await Deno.openKv(":memory:");
  const stores = denoStores(kv);
  const changes = new DenoChunkedLatest<{ changes: string[] }>(kv, "changes");
  assert.equal(await stores.changes.latest(), null);
  const large = { changes: Array.from({ length: 2_000 }, (_, i) => `change ${i} `.repeat(10)) };
  await changes.save(large);
  assert.deepEqual(await stores.changes.latest(), large);
  const page = { html: `<p>${"x".repeat(300_000)}</p>`, etag: '"1"', rendered_at: "2026-12-01T00:00:00.000Z" };
  await stores.pages.save(page);
  await stores.pages.save({ ...page, etag: '"2"' });
  assert.deepEqual(await denoStores(kv).pages.latest(), { ...page, etag: '"2"' });
  kv.close();
});

Deno.test("the status, the open alerts and the published page are kept for STATUS_CACHE_SECONDS, and forgotten on the store's own writes", async () => {
  const kv = await Deno.openKv(":memory:");
  let now = 1_000_000;
  const stores = denoStores(kv, { statusCacheMs: 5_000, now: () => now });
  const page = { html: "<p>one</p>", etag: '"1"', rendered_at: "2026-12-01T00:00:00.000Z" };
  await stores.pages.save(page);
  assert.deepEqual(await stores.pages.latest(), page);
  assert.equal(await stores.runs.status(), null);
  // Another isolate writes (Deno Deploy runs several on one database): kept until it expires.
  await denoStores(kv).pages.save({ ...page, html: "<p>two</p>" });
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
});
