/**
 * Deno adapters that keep files under a data directory: artifacts, webhook bodies, and the
 * documents that outgrow a Deno KV value (64 KiB): the change analysis and imported series.
 */
import type { ChangePointOptions } from "../core/changepoints/analysis.ts";
import { headOf, mergeSeries, type Series } from "../core/series.ts";
import { NO_CACHE, ReadCache, type CacheOptions } from "./read-cache.ts";
import { sameBytes } from "../core/artifact.ts";
import type { ArtifactStore, Inbox, Latest, SeriesStore, StoredFile } from "./ports.ts";

/**
 * A JSON document kept in a file, for documents that outgrow a Deno KV value (64 KiB): a long
 * history's change points, imported series. Writes replace the file whole (write, then rename).
 */
class JsonFile<T> {
  private readonly folder: Folder;

  constructor(
    dir: string,
    private readonly name: string,
  ) {
    this.folder = new Folder(dir);
  }

  write(value: T): Promise<void> {
    return this.folder.write(this.name, new TextEncoder().encode(JSON.stringify(value)));
  }

  async read(): Promise<T | null> {
    const bytes = await this.folder.read(this.name);
    return bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as T) : null;
  }
}

export class FileLatest<T> implements Latest<T> {
  private readonly file: JsonFile<T>;
  private readonly cached: ReadCache<T | null>;

  constructor(dir: string, name: string, cache: CacheOptions = NO_CACHE) {
    this.file = new JsonFile(dir, name);
    this.cached = new ReadCache(cache);
  }

  forget(): void {
    this.cached.forget();
  }

  async save(value: T): Promise<void> {
    await this.file.write(value);
    this.cached.forget();
  }

  latest(): Promise<T | null> {
    return this.cached.read(() => this.file.read());
  }
}

/** One Deno process serves chimney, so merges are serialized in it: each waits for the one before. */
export class FileSeriesStore implements SeriesStore {
  private readonly file: JsonFile<Series[]>;
  private readonly headsFile: JsonFile<Series[]>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(dir: string) {
    this.file = new JsonFile(dir, "series.json");
    this.headsFile = new JsonFile(dir, "series-heads.json");
  }

  merge(incoming: Series[], options: ChangePointOptions) {
    const run = this.queue.then(async () => {
      const merged = mergeSeries((await this.file.read()) ?? [], incoming, options);
      if (merged.issues.length === 0) {
        await this.file.write(merged.series);
        await this.headsFile.write(merged.series.map(headOf));
      }
      return { imports: merged.imports, issues: merged.issues };
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async all(): Promise<Series[]> {
    return (await this.file.read()) ?? [];
  }

  async heads(): Promise<Series[]> {
    return (await this.headsFile.read()) ?? [];
  }
}

/** Files under a directory, named by what addresses them (a digest, a delivery id). */
class Folder {
  constructor(private readonly dir: string) {}

  path(name: string): string {
    if (!/^[\w.-]{1,200}$/.test(name) || name.startsWith("."))
      throw new Error(`not a file name: ${JSON.stringify(name)}`);
    return `${this.dir}/${name}`;
  }

  async write(name: string, bytes: Uint8Array): Promise<void> {
    await Deno.mkdir(this.dir, { recursive: true });
    const temporary = `${this.path(name)}.${crypto.randomUUID()}.partial`;
    await Deno.writeFile(temporary, bytes);
    await Deno.rename(temporary, this.path(name));
  }

  /** The file's bytes, or null when there is none. */
  async read(name: string): Promise<Uint8Array | null> {
    try {
      return await Deno.readFile(this.path(name));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  }

  async exists(name: string): Promise<boolean> {
    try {
      await Deno.stat(this.path(name));
      return true;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw error;
    }
  }
}

export class FileArtifactStore implements ArtifactStore {
  private readonly folder: Folder;

  constructor(dir: string) {
    this.folder = new Folder(dir);
  }

  async put(sha256: string, body: Uint8Array): Promise<void> {
    if (!(await this.folder.exists(sha256))) await this.folder.write(sha256, body);
  }

  async get(sha256: string): Promise<StoredFile | null> {
    try {
      const file = await Deno.open(this.folder.path(sha256), { read: true });
      const { size } = await file.stat();
      return { body: file.readable, size };
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  }
}

export class FileInbox implements Inbox {
  private readonly folder: Folder;

  constructor(dir: string) {
    this.folder = new Folder(dir);
  }

  /** One Deno process serves chimney, so looking before writing cannot race another writer. */
  async keep(id: string, body: Uint8Array): Promise<"kept" | "same" | "different"> {
    const kept = await this.folder.read(id);
    if (kept) return sameBytes(kept, body) ? "same" : "different";
    await this.folder.write(id, body);
    return "kept";
  }

  get(id: string): Promise<Uint8Array | null> {
    return this.folder.read(id);
  }
}
