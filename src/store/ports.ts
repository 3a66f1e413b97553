/**
 * The storage chimney needs, as small interfaces. Each runtime has an adapter:
 * Workers (KV + R2 + a Durable Object), memory (tests), Deno.
 */
import type { HistoryEntry, Position } from "../core/history.ts";
import type { RecordOutcome, Run } from "../core/run.ts";
import type { StatusDocument } from "../core/status.ts";

export interface RunStore {
  run(id: string): Promise<Run | null>;
  /**
   * Merges a report of a run into the ledger (see `mergeRun`), atomically with respect to
   * every other `record`, and updates the history and the status document with it.
   */
  record(incoming: Run): Promise<RecordOutcome>;
  /** Newest first, after `after` (exclusive). */
  history(limit: number, after: Position | null): Promise<{ runs: HistoryEntry[]; cursor: string | null }>;
  status(): Promise<StatusDocument | null>;
}

export interface StoredFile {
  body: ReadableStream<Uint8Array>;
  size: number;
}

/** Artifact bytes, addressed by their SHA-256: writing the same bytes twice is a no-op. */
export interface ArtifactStore {
  put(sha256: string, body: Uint8Array, contentType: string): Promise<void>;
  get(sha256: string): Promise<StoredFile | null>;
}
