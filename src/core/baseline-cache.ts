import type { Baseline } from "./baseline.ts";
import type { PruningBaseline } from "./pruning.ts";
import type { Parsed } from "./validation.ts";

/**
 * Parsed baseline files by blob sha. A blob sha names the bytes, so what they parse to never
 * changes: a file unchanged across commits is parsed once per isolate. (The one request per run
 * that learns the file's blob sha at its commit brings the bytes too, so a shared store would
 * save no request: memory suffices.) One cache per baseline format, as the same bytes parse
 * differently as a smoke and as a pruning baseline.
 */
export class BaselineCache<T> {
  private readonly parsed = new Map<string, Parsed<T>>();
  constructor(private readonly capacity = 64) {}

  get(blobSha: string): Parsed<T> | undefined {
    return this.parsed.get(blobSha);
  }

  put(blobSha: string, baseline: Parsed<T>): void {
    if (this.parsed.size >= this.capacity) this.parsed.delete(this.parsed.keys().next().value!);
    this.parsed.set(blobSha, baseline);
  }
}

/** The caches of the baseline formats chimney reads from repositories. */
export interface BaselineCaches {
  smoke: BaselineCache<Baseline>;
  pruning: BaselineCache<PruningBaseline>;
}

export function baselineCaches(): BaselineCaches {
  return { smoke: new BaselineCache(), pruning: new BaselineCache() };
}
