/**
 * A read kept for a few seconds (STATUS_CACHE_SECONDS): what /status, /badge and the pages read
 * on every request, where a value a few seconds old costs nothing (KV itself may take a minute
 * to show a write elsewhere). The store forgets it on its own writes.
 */
export interface CacheOptions {
  /** How long a read is kept (0: read every time). */
  statusCacheMs: number;
  now: () => number;
}

/** Every read reaches the store: for tests and tools that read what they just wrote elsewhere. */
export const NO_CACHE: CacheOptions = { statusCacheMs: 0, now: () => 0 };

/**
 * Each reader that finds nothing kept loads on its own, however many ask at once: on Workers a
 * load is I/O of the request that began it, and a request awaiting another's load hangs when that
 * one is canceled (the runtime then fails it: "the Worker's code had hung"), which a burst of
 * uploads made happen to /status.
 */
export class ReadCache<T> {
  private kept: { value: T; until: number } | null = null;
  /** Counts `forget`s, so that a load begun before one is not kept after it. */
  private generation = 0;

  constructor(private readonly options: CacheOptions) {}

  async read(load: () => Promise<T>): Promise<T> {
    const now = this.options.now();
    if (this.kept && now < this.kept.until) return this.kept.value;
    if (this.options.statusCacheMs <= 0) return load();
    const generation = this.generation;
    const value = await load();
    if (generation === this.generation) this.kept = { value, until: now + this.options.statusCacheMs };
    return value;
  }

  forget(): void {
    this.kept = null;
    this.generation++;
  }
}
