/**
 * Values larger than a Deno KV value, chunked (src/store/deno-chunks.ts): read back whole, never
 * seen half written, and what an interrupted write leaves is swept.
 */
import assert from "node:assert/strict";
import { sha256Hex as sha256 } from "../../src/core/artifact.ts";
import { ABANDONED_AFTER_MS, ChunkedValues, sweepChunks } from "../../src/store/deno-chunks.ts";
import { DenoArtifactStore, DenoChunkedLatest, DenoInbox } from "../../src/store/deno-blobs.ts";

const MB = 1_000_000;

/** Log-like bytes that do not repeat at a chunk's period. */
function logBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let state = 7;
  for (let i = 0; i < size; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[i] = 32 + ((state >>> 16) % 95);
  }
  return bytes;
}

/** `kv` whose chunk writes fail once `chunks` chunks are written: a process that dies midway. */
function dyingAfter(kv: Deno.Kv, chunks: number): Deno.Kv {
  let written = 0;
  const atomic = () => {
    const op = kv.atomic();
    let staged = 0;
    return new Proxy(op, {
      get(target, prop) {
        if (prop === "set")
          return (key: Deno.KvKey, value: unknown) => {
            if (key[0] === "chunk") staged++;
            return target.set(key, value);
          };
        if (prop === "commit")
          return () => {
            if (written + staged > chunks) return Promise.reject(new Error("the isolate died"));
            written += staged;
            return target.commit();
          };
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  };
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") return atomic;
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The versions that have chunks, and the loose marks. */
async function leftovers(kv: Deno.Kv): Promise<{ versions: string[]; loose: number }> {
  const versions = new Set<string>();
  for await (const { key } of kv.list({ prefix: ["chunk"] })) versions.add(key.slice(1, 4).join("/"));
  let loose = 0;
  for await (const _ of kv.list({ prefix: ["chunk-loose"] })) loose++;
  return { versions: [...versions], loose };
}

Deno.test("a 50 MB log is stored in chunks and read back whole, its SHA-256 the same", async () => {
  const kv = await Deno.openKv(":memory:");
  const artifacts = new DenoArtifactStore(kv);
  const log = logBytes(50 * MB);
  const digest = await sha256(log);
  await artifacts.put(digest, log);
  await artifacts.put(digest, log);
  const stored = await artifacts.get(digest);
  assert.ok(stored);
  assert.equal(stored.size, log.byteLength);
  const read = new Uint8Array(await new Response(stored.body).arrayBuffer());
  assert.equal(await sha256(read), digest);
  assert.deepEqual((await leftovers(kv)).loose, 0);
  assert.equal((await leftovers(kv)).versions.length, 1, "the second put wrote nothing");
  kv.close();
});

Deno.test("an artifact whose bytes do not have its digest is refused", async () => {
  const kv = await Deno.openKv(":memory:");
  const artifacts = new DenoArtifactStore(kv);
  const digest = await sha256(new TextEncoder().encode("the log"));
  await assert.rejects(() => artifacts.put(digest, new TextEncoder().encode("another log")), /SHA-256/);
  assert.equal(await artifacts.get(digest), null);
  kv.close();
});

Deno.test("a document replaced by a larger one, and back, leaves only the chunks of its value", async () => {
  const kv = await Deno.openKv(":memory:");
  const latest = new DenoChunkedLatest<{ text: string }>(kv, "changes");
  await latest.save({ text: "a".repeat(400_000) });
  await latest.save({ text: "b".repeat(300_000) });
  assert.equal((await latest.latest())?.text, "b".repeat(300_000));
  assert.deepEqual(await leftovers(kv), { versions: [(await leftovers(kv)).versions[0]], loose: 0 });
  await latest.save({ text: "small" });
  assert.deepEqual(await latest.latest(), { text: "small" });
  assert.deepEqual(await leftovers(kv), { versions: [], loose: 0 });
  kv.close();
});

Deno.test("a write interrupted between chunks is never seen, and the sweep deletes what it left", async () => {
  const kv = await Deno.openKv(":memory:");
  let now = Date.parse("2026-12-01T03:00:00Z");
  const old = { text: "old ".repeat(100_000) };
  await new DenoChunkedLatest(kv, "changes", undefined, () => now).save(old);
  const dying = dyingAfter(kv, 20);
  await assert.rejects(
    () => new DenoChunkedLatest(dying, "changes", undefined, () => now).save({ text: "new ".repeat(500_000) }),
    /the isolate died/,
  );
  assert.deepEqual(await new DenoChunkedLatest(kv, "changes").latest(), old);
  await assert.rejects(
    () => new DenoInbox(dyingAfter(kv, 10), () => now).keep("delivery-1", logBytes(MB)),
    /the isolate died/,
  );
  assert.equal(await new DenoInbox(kv).get("delivery-1"), null);
  const artifact = logBytes(2 * MB);
  await assert.rejects(
    async () => new DenoArtifactStore(dyingAfter(kv, 0), () => now).put(await sha256(artifact), artifact),
    /the isolate died/,
  );
  assert.equal(await new DenoArtifactStore(kv).get(await sha256(artifact)), null);
  assert.equal((await leftovers(kv)).versions.length, 3, "the old value and two interrupted writes");

  // A write may still be going on: within the hour, the sweep leaves it be.
  now += ABANDONED_AFTER_MS - 1;
  assert.equal(await sweepChunks(kv, now), 0);
  now += 2;
  assert.equal(await sweepChunks(kv, now), 3);
  const left = await leftovers(kv);
  assert.equal(left.loose, 0);
  assert.equal(left.versions.length, 1);
  assert.deepEqual(await new DenoChunkedLatest(kv, "changes").latest(), old);
  // The next write of the same keys goes through.
  assert.equal(await new DenoInbox(kv).keep("delivery-1", logBytes(MB)), "kept");
  kv.close();
});

Deno.test("a staged write the sweep leaves be is flipped whole; a flip that loses deletes its chunks", async () => {
  const kv = await Deno.openKv(":memory:");
  const values = new ChunkedValues(kv, "inbox", () => 0);
  const body = logBytes(200_000);
  const first = await values.stage("d", body);
  const second = await values.stage("d", logBytes(300_000));
  assert.ok((await values.flip(kv.atomic(), "d", null, first).commit()).ok);
  assert.equal((await values.flip(kv.atomic(), "d", null, second).commit()).ok, false);
  await values.discard("d", second);
  assert.deepEqual((await values.read("d")).bytes, body);
  assert.deepEqual((await leftovers(kv)).versions.length, 1);
  kv.close();
});
