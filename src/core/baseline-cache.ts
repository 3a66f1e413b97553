import type { Baseline } from "./baseline.ts";
import type { Parsed } from "./validation.ts";

/**
 * Parsed baseline files by blob sha. A blob sha names the bytes, so what they parse to never
 * changes: a file unchanged across commits is parsed once per isolate. (The one request per run
 * that learns the file's blob sha at its commit brings the bytes too, so a shared store would
 * save no request: memory suffices.)
 */
export class BaselineCache {
  private readonly parsed = new Map<string, Parsed<Baseline>>();
  constructor(private readonly capacity = 64) {}

  get(blobSha: string): Parsed<Baseline> | undefined {
    return this.parsed.get(blobSha);
  }

  put(blobSha: string, baseline: Parsed<Baseline>): void {
    if (this.parsed.size >= this.capacity) this.parsed.delete(this.parsed.keys().next().value!);
    this.parsed.set(blobSha, baseline);
  }
}
