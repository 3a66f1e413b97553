/** In-memory adapters for unit tests: the same semantics as the Workers ones, no runtime. */
import { historyEntry, page, upsertEntry, type HistoryEntry, type Position } from "../core/history.ts";
import { mergeRun, type RecordOutcome, type Run } from "../core/run.ts";
import { statusDocument, type StatusDocument } from "../core/status.ts";
import type { ArtifactStore, RunStore, StoredFile } from "./ports.ts";

export class MemoryRunStore implements RunStore {
  readonly #runs = new Map<string, Run>();
  readonly #identities = new Map<string, string>();
  #history: HistoryEntry[] = [];
  #status: StatusDocument | null = null;

  async run(id: string): Promise<Run | null> {
    return structuredClone(this.#runs.get(id) ?? null);
  }

  async record(incoming: Run): Promise<RecordOutcome> {
    const knownId = incoming.identity ? this.#identities.get(incoming.identity) : undefined;
    const existing = this.#runs.get(knownId ?? incoming.id) ?? null;
    const outcome = mergeRun(existing, structuredClone(incoming));
    if (outcome.kind === "created" || outcome.kind === "updated") {
      const run = outcome.run;
      this.#runs.set(run.id, run);
      if (run.identity) this.#identities.set(run.identity, run.id);
      this.#history = upsertEntry(this.#history, historyEntry(run));
      this.#status = statusDocument(this.#history);
    }
    return structuredClone(outcome);
  }

  async history(limit: number, after: Position | null) {
    return structuredClone(page(this.#history, limit, after));
  }

  async status(): Promise<StatusDocument | null> {
    return structuredClone(this.#status);
  }
}

export class MemoryArtifactStore implements ArtifactStore {
  readonly files = new Map<string, { bytes: Uint8Array; contentType: string }>();

  async put(sha256: string, body: Uint8Array, contentType: string): Promise<void> {
    this.files.set(sha256, { bytes: body.slice(), contentType });
  }

  async get(sha256: string): Promise<StoredFile | null> {
    const file = this.files.get(sha256);
    if (!file) return null;
    return { body: new Blob([file.bytes]).stream(), size: file.bytes.byteLength };
  }
}
