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

export class ReadCache<T> {
  private kept: { value: T; until: number } | null = null;

  constructor(private readonly options: CacheOptions) {}

  async read(load: () => Promise<T>): Promise<T> {
    const now = this.options.now();
    if (this.kept && now < this.kept.until) return this.kept.value;
    const value = await load();
    if (this.options.statusCacheMs > 0) this.kept = { value, until: now + this.options.statusCacheMs };
    return value;
  }

  forget(): void {
    this.kept = null;
  }
}
