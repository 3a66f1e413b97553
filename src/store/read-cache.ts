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
  /** The load under way: readers asking meanwhile share it (/status asks for the alerts twice at once). */
  private loading: Promise<T> | null = null;
  /** Counts `forget`s, so that a load begun before one is not kept after it. */
  private generation = 0;

  constructor(private readonly options: CacheOptions) {}

  read(load: () => Promise<T>): Promise<T> {
    const now = this.options.now();
    if (this.kept && now < this.kept.until) return Promise.resolve(this.kept.value);
    if (this.options.statusCacheMs <= 0) return load();
    if (this.loading) return this.loading;
    const generation = this.generation;
    const loading = load()
      .then((value) => {
        if (generation === this.generation) this.kept = { value, until: now + this.options.statusCacheMs };
        return value;
      })
      .finally(() => {
        if (this.loading === loading) this.loading = null;
      });
    this.loading = loading;
    return loading;
  }

  forget(): void {
    this.kept = null;
    this.loading = null;
    this.generation++;
  }
}
