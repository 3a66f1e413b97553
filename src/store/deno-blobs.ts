/**
 * The Deno adapters of what outgrows a Deno KV value (64 KiB): artifacts (logs up to the 64 MiB
 * of an artifact's files), webhook bodies, the change analysis, the status page and imported
 * series. All of it in Deno KV, chunked (deno-chunks.ts), so the entry needs no disk.
 */
import { sameBytes, sha256Hex } from "../core/artifact.ts";
import type { ChangePointOptions } from "../core/changepoints/analysis.ts";
import { headOf, mergeSeries, type Series } from "../core/series.ts";
import { ChunkedValues, type Manifest, type ManifestEntry } from "./deno-chunks.ts";
import { NO_CACHE, ReadCache, type CacheOptions } from "./read-cache.ts";
import type { ArtifactStore, Inbox, Latest, SeriesStore, StoredFile } from "./ports.ts";

/** Optimistic writes give up after this many conflicts in a row. */
const MAX_CONFLICTS = 50;

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decode = <T>(bytes: Uint8Array | null): T | null =>
  bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as T) : null;

/** Artifacts by their SHA-256, as on R2: the digest is checked on arrival, and the first copy stays. */
export class DenoArtifactStore implements ArtifactStore {
  private readonly values: ChunkedValues;

  constructor(kv: Deno.Kv, now?: () => number) {
    this.values = new ChunkedValues(kv, "artifact", now);
  }

  async put(sha256: string, body: Uint8Array): Promise<void> {
    if (sha256 !== (await sha256Hex(body))) throw new Error(`the bytes do not have the SHA-256 ${sha256}`);
    if ((await this.values.manifest(sha256)).value) return;
    await this.values.create(sha256, body);
  }

  get(sha256: string): Promise<StoredFile | null> {
    return this.values.stream(sha256);
  }
}

export class DenoInbox implements Inbox {
  private readonly values: ChunkedValues;

  constructor(kv: Deno.Kv, now?: () => number) {
    this.values = new ChunkedValues(kv, "inbox", now);
  }

  /** The write checks that the id has no body yet, so of racing copies the first stays. */
  async keep(id: string, body: Uint8Array): Promise<"kept" | "same" | "different"> {
    const kept = await this.get(id);
    if (!kept && (await this.values.create(id, body))) return "kept";
    return sameBytes(kept ?? (await this.get(id)) ?? new Uint8Array(), body) ? "same" : "different";
  }

  async get(id: string): Promise<Uint8Array | null> {
    return (await this.values.read(id)).bytes;
  }
}

/** A latest document as JSON, chunked: the last save wins. */
export class DenoChunkedLatest<T> implements Latest<T> {
  private readonly values: ChunkedValues;
  private readonly cached: ReadCache<T | null>;

  constructor(
    private readonly kv: Deno.Kv,
    private readonly id: "changes" | "status-page" | "windows",
    cache: CacheOptions = NO_CACHE,
    now?: () => number,
  ) {
    this.values = new ChunkedValues(kv, "latest", now);
    this.cached = new ReadCache(cache);
  }

  forget(): void {
    this.cached.forget();
  }

  async save(value: T): Promise<void> {
    const staged = await this.values.stage(this.id, encode(value));
    for (let i = 0; i < MAX_CONFLICTS; i++) {
      const replaced = await this.values.manifest(this.id);
      if ((await this.values.flip(this.kv.atomic(), this.id, replaced, staged).commit()).ok) {
        this.cached.forget();
        return this.values.discard(this.id, replaced.value);
      }
    }
    await this.values.discard(this.id, staged);
    throw new Error(`Deno KV: gave up after ${MAX_CONFLICTS} conflicting writes`);
  }

  latest(): Promise<T | null> {
    return this.cached.read(async () => decode<T>((await this.values.read(this.id)).bytes));
  }
}

/** The series and their heads, flipped together in one atomic operation that checks both. */
export class DenoSeriesStore implements SeriesStore {
  private readonly values: ChunkedValues;

  constructor(
    private readonly kv: Deno.Kv,
    now?: () => number,
  ) {
    this.values = new ChunkedValues(kv, "series", now);
  }

  async merge(incoming: Series[], options: ChangePointOptions) {
    for (let i = 0; i < MAX_CONFLICTS; i++) {
      const stored = await this.values.read("all");
      const heads = await this.values.manifest("heads");
      const merged = mergeSeries(decode<Series[]>(stored.bytes) ?? [], incoming, options);
      const answer = { imports: merged.imports, issues: merged.issues };
      if (merged.issues.length > 0) return answer;
      const staged: [ManifestEntry, Manifest][] = [
        [stored.entry, await this.values.stage("all", encode(merged.series))],
        [heads, await this.values.stage("heads", encode(merged.series.map(headOf)))],
      ];
      const op = this.kv.atomic();
      this.values.flip(op, "all", ...staged[0]);
      this.values.flip(op, "heads", ...staged[1]);
      const { ok } = await op.commit();
      const [all, head] = ok ? staged.map(([replaced]) => replaced.value) : staged.map(([, mine]) => mine);
      await this.values.discard("all", all);
      await this.values.discard("heads", head);
      if (ok) return answer;
    }
    throw new Error(`Deno KV: gave up after ${MAX_CONFLICTS} conflicting merges`);
  }

  async all(): Promise<Series[]> {
    return decode<Series[]>((await this.values.read("all")).bytes) ?? [];
  }

  async heads(): Promise<Series[]> {
    return decode<Series[]>((await this.values.read("heads")).bytes) ?? [];
  }
}
