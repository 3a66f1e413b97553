/** History entries for tests, as `historyEntry` makes them of a run. */
import type { HistoryEntry } from "../../src/core/history.ts";

/** A nightly run of the tracked branch that passed, settled and unsuspected; `fields` say the rest. */
export function nightEntry(fields: Pick<HistoryEntry, "id" | "at"> & Partial<HistoryEntry>): HistoryEntry {
  return {
    state: "passed",
    completed_at: null,
    sha: null,
    ref: "main",
    mainline: true,
    throughput_ops_per_sec: 10_000,
    total_duration_ms: 50,
    per_batch_p95_ms: 11,
    out_of_range: [],
    confirmation: null,
    rerun: null,
    dispatch_kind: "nightly",
    superseded: false,
    ...fields,
  };
}
