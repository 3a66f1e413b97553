/**
 * Values larger than a Deno KV value (64 KiB) kept in Deno KV, so that the Deno entry needs no
 * disk (Deno Deploy has none). A value is a small manifest naming a version, and that version's
 * chunks. A write stages the chunks under a fresh version first, in as many atomic operations as
 * it takes (one is capped at 800 KiB), then flips the manifest in one atomic operation that
 * checks the one it replaces: a crash midway leaves the old value (or none) visible, never half
 * a value. Staged chunks carry a loose mark until their flip; the chunks of a replaced or
 * abandoned version are deleted after the flip, or by `sweepChunks` (the reconcile tick).
 */
import type { StoredFile } from "./ports.ts";

/** Bytes per chunk, under Deno KV's 64 KiB per value with room for its encoding. */
const CHUNK_BYTES = 60 * 1024;
/** Chunks per atomic operation: 600 KiB, under its 800 KiB. */
const CHUNKS_PER_COMMIT = 10;
/** Deletes per atomic operation, under its 1 000 mutations. */
const DELETES_PER_COMMIT = 500;
/** A version still loose this long after it was staged was abandoned: no write takes an hour. */
export const ABANDONED_AFTER_MS = 60 * 60 * 1000;
/** Reads start over when a flip deletes the chunks under them; a few times at most. */
const READ_ATTEMPTS = 5;

/** A value's current version: its bytes inline when they fit one chunk, else its chunks. */
export interface Manifest {
  version: string;
  size: number;
  chunks: number;
  inline: Uint8Array | null;
}

export type ManifestEntry = Deno.KvEntryMaybe<Manifest>;

const manifestKey = (space: string, id: string): Deno.KvKey => ["chunked", space, id];
const chunkPrefix = (space: string, id: string, version: string): Deno.KvKey => ["chunk", space, id, version];
/** Loose versions, with when they were staged (0: replaced, collect at once). */
const looseKey = (space: string, id: string, version: string): Deno.KvKey => ["chunk-loose", space, id, version];

/** The chunked values of one space (artifacts, the inbox, documents), each under an id. */
export class ChunkedValues {
  constructor(
    private readonly kv: Deno.Kv,
    private readonly space: string,
    private readonly now: () => number = Date.now,
  ) {}

  manifest(id: string): Promise<ManifestEntry> {
    return this.kv.get<Manifest>(manifestKey(this.space, id));
  }

  /** Writes `bytes` under a fresh version of `id`, invisible until `flip` makes it the value. */
  async stage(id: string, bytes: Uint8Array): Promise<Manifest> {
    const version = crypto.randomUUID();
    const size = bytes.byteLength;
    if (size <= CHUNK_BYTES) return { version, size, chunks: 0, inline: bytes.slice() };
    const chunks = Math.ceil(size / CHUNK_BYTES);
    await this.kv.set(looseKey(this.space, id, version), this.now());
    for (let first = 0; first < chunks; first += CHUNKS_PER_COMMIT) {
      const op = this.kv.atomic();
      for (let i = first; i < Math.min(first + CHUNKS_PER_COMMIT, chunks); i++)
        op.set([...chunkPrefix(this.space, id, version), i], bytes.slice(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES));
      if (!(await op.commit()).ok) throw new Error("Deno KV: a chunk write was refused");
    }
    return { version, size, chunks, inline: null };
  }

  /**
   * Adds to `op` what makes `staged` the value of `id` in place of `replaced` (null: none),
   * checked, so a concurrent flip makes the operation fail. The replaced chunks are marked loose.
   */
  flip(op: Deno.AtomicOperation, id: string, replaced: ManifestEntry | null, staged: Manifest): Deno.AtomicOperation {
    const key = manifestKey(this.space, id);
    op.check({ key, versionstamp: replaced?.versionstamp ?? null }).set(key, staged);
    if (staged.chunks > 0) op.delete(looseKey(this.space, id, staged.version));
    const old = replaced?.value;
    if (old && old.chunks > 0) op.set(looseKey(this.space, id, old.version), 0);
    return op;
  }

  /** Writes `bytes` as the value of `id` unless it has one: whether it was written. */
  async create(id: string, bytes: Uint8Array): Promise<boolean> {
    const staged = await this.stage(id, bytes);
    const { ok } = await this.flip(this.kv.atomic(), id, null, staged).commit();
    if (!ok) await this.discard(id, staged);
    return ok;
  }

  /** Deletes a version's chunks: the one a flip replaced, or a staged one whose flip lost. */
  async discard(id: string, manifest: Manifest | null): Promise<void> {
    if (manifest && manifest.chunks > 0) await deleteVersion(this.kv, this.space, id, manifest.version);
  }

  /** The bytes of `id` and the manifest they were read under, or null bytes when it has none. */
  async read(id: string): Promise<{ entry: ManifestEntry; bytes: Uint8Array | null }> {
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const entry = await this.manifest(id);
      if (!entry.value) return { entry, bytes: null };
      if (entry.value.inline) return { entry, bytes: entry.value.inline };
      const bytes = new Uint8Array(entry.value.size);
      let offset = 0;
      for await (const chunk of this.chunks(id, entry.value)) {
        bytes.set(chunk, offset);
        offset += chunk.byteLength;
      }
      // Fewer bytes: a flip replaced this version and deleted its chunks while they were read.
      if (offset === entry.value.size) return { entry, bytes };
    }
    throw new Error(`Deno KV: ${this.space}/${id} kept changing while it was read`);
  }

  /** The bytes of `id` as a stream, read a chunk at a time: for values that are never replaced. */
  async stream(id: string): Promise<StoredFile | null> {
    const { value } = await this.manifest(id);
    if (!value) return null;
    if (value.inline) return { body: new Blob([value.inline as Uint8Array<ArrayBuffer>]).stream(), size: value.size };
    const chunks = this.chunks(id, value);
    let read = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await chunks.next();
        if (!next.done) {
          read += next.value.byteLength;
          controller.enqueue(next.value);
        } else if (read === value.size) controller.close();
        else controller.error(new Error(`Deno KV: ${read} of ${value.size} bytes found`));
      },
      async cancel() {
        await chunks.return(undefined);
      },
    });
    return { body, size: value.size };
  }

  private async *chunks(id: string, manifest: Manifest): AsyncGenerator<Uint8Array, void, undefined> {
    const prefix = chunkPrefix(this.space, id, manifest.version);
    for await (const { value } of this.kv.list<Uint8Array>({ prefix }, { batchSize: CHUNKS_PER_COMMIT })) yield value;
  }
}

async function deleteVersion(kv: Deno.Kv, space: string, id: string, version: string): Promise<void> {
  let op = kv.atomic();
  let staged = 0;
  for await (const { key } of kv.list({ prefix: chunkPrefix(space, id, version) }, { batchSize: CHUNKS_PER_COMMIT })) {
    op.delete(key);
    if (++staged === DELETES_PER_COMMIT) {
      await op.commit();
      op = kv.atomic();
      staged = 0;
    }
  }
  // The mark goes last: chunks a crash left behind keep theirs, and the sweep finds them.
  await op.delete(looseKey(space, id, version)).commit();
}

/**
 * Deletes the chunks of versions replaced, and of writes abandoned midway (staged more than
 * ABANDONED_AFTER_MS ago and never flipped). Returns how many versions it deleted.
 */
export async function sweepChunks(kv: Deno.Kv, now: number): Promise<number> {
  let swept = 0;
  for await (const { key, value } of kv.list<number>({ prefix: ["chunk-loose"] })) {
    if (value > now - ABANDONED_AFTER_MS) continue;
    const [, space, id, version] = key as [string, string, string, string];
    await deleteVersion(kv, space, id, version);
    swept++;
  }
  return swept;
}
