import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeCursor,
  encodeCursor,
  entriesOf,
  historyColumns,
  newestFirst,
  page,
  upsertEntry,
  type HistoryEntry,
} from "../../src/core/history.ts";
import { nightEntry } from "../support/entries.ts";

const entry = (id: string, at: string): HistoryEntry => nightEntry({ id, at, completed_at: at, ref: null });

describe("the history", () => {
  it("keeps the newest first whatever the order of arrival, ties broken by id", () => {
    let h: HistoryEntry[] = [];
    h = upsertEntry(h, entry("2-1", "2026-11-02T03:00:00.000Z"));
    h = upsertEntry(h, entry("1-1", "2026-11-01T03:00:00.000Z"));
    h = upsertEntry(h, entry("3-1", "2026-11-03T03:00:00.000Z"));
    h = upsertEntry(h, entry("3-2", "2026-11-03T03:00:00.000Z"));
    expect(h.map((e) => e.id)).toEqual(["3-2", "3-1", "2-1", "1-1"]);
  });

  it("replaces an entry rather than adding a second one", () => {
    let h = [entry("1-1", "2026-11-01T03:00:00.000Z")];
    h = upsertEntry(h, { ...entry("1-1", "2026-11-01T03:00:00.000Z"), state: "regressed" });
    expect(h).toHaveLength(1);
    expect(h[0].state).toBe("regressed");
  });

  it("pages with a cursor that survives new runs arriving in between", () => {
    let h: HistoryEntry[] = [];
    for (let day = 1; day <= 5; day++) h = upsertEntry(h, entry(`${day}-1`, `2026-11-0${day}T03:00:00.000Z`));
    const first = page(h, 2, null);
    expect(first.runs.map((e) => e.id)).toEqual(["5-1", "4-1"]);
    h = upsertEntry(h, entry("6-1", "2026-11-06T03:00:00.000Z"));
    const second = page(h, 2, decodeCursor(first.cursor!));
    expect(second.runs.map((e) => e.id)).toEqual(["3-1", "2-1"]);
    const third = page(h, 2, decodeCursor(second.cursor!));
    expect(third).toEqual({ runs: [h[5]], cursor: null });
  });

  it("has no next page when the last page is exactly full", () => {
    const h = [entry("2-1", "2026-11-02T03:00:00.000Z"), entry("1-1", "2026-11-01T03:00:00.000Z")];
    expect(page(h, 2, null).cursor).toBe(null);
    expect(page([], 5, null)).toEqual({ runs: [], cursor: null });
  });

  it("refuses cursors it did not make", () => {
    expect(decodeCursor(encodeCursor({ at: "2026-11-01T03:00:00.000Z", id: "1-1" }))).toEqual({
      at: "2026-11-01T03:00:00.000Z",
      id: "1-1",
    });
    for (const bad of ["", "!!!", "bm90IGpzb24", btoa("[1,2]"), "a".repeat(5000)]) expect(decodeCursor(bad)).toBe(null);
  });

  it("orders by time, then id", () => {
    expect(newestFirst({ at: "b", id: "1" }, { at: "a", id: "9" })).toBeLessThan(0);
    expect(newestFirst({ at: "a", id: "2" }, { at: "a", id: "1" })).toBeLessThan(0);
    expect(newestFirst({ at: "a", id: "1" }, { at: "a", id: "1" })).toBe(0);
  });

  it("crosses a copy as columns and comes back the same entries, in order", () => {
    const entries = [
      nightEntry({
        id: "3-1",
        at: "2026-11-03T03:00:00.000Z",
        out_of_range: ["throughput_ops_per_sec"],
        sha: "c".repeat(40),
      }),
      nightEntry({
        id: "2-1",
        at: "2026-11-02T03:00:00.000Z",
        state: "crashed",
        per_batch_p95_ms: null,
        superseded: true,
      }),
      nightEntry({ id: "1-1", at: "2026-11-01T03:00:00.000Z", mainline: false, confirmation: "refuted", rerun: "9-1" }),
    ];
    const columns = structuredClone(historyColumns(entries));
    expect(columns.id).toEqual(["3-1", "2-1", "1-1"]);
    expect(entriesOf(columns)).toEqual(entries);
    expect(entriesOf(historyColumns([]))).toEqual([]);
  });

  it("gives back every entry it was given, of any field values, after a clone", () => {
    const text = fc.string({ unit: "binary", maxLength: 30 });
    const measurement = fc.option(fc.double({ noNaN: true }), { nil: null });
    const arbitraryEntry = fc.record({
      id: text,
      state: fc.constantFrom("dispatched", "running", "passed", "regressed", "crashed", "missed"),
      at: text,
      completed_at: fc.option(text, { nil: null }),
      sha: fc.option(text, { nil: null }),
      ref: fc.option(text, { nil: null }),
      mainline: fc.boolean(),
      throughput_ops_per_sec: measurement,
      total_duration_ms: measurement,
      per_batch_p95_ms: measurement,
      out_of_range: fc.subarray(["throughput_ops_per_sec", "total_duration_ms", "per_batch_p95_ms"] as const),
      confirmation: fc.constantFrom(null, "pending", "next_night", "confirmed", "refuted"),
      rerun: fc.option(text, { nil: null }),
      dispatch_kind: fc.constantFrom(null, "nightly", "manual", "confirm", "scheduled"),
      superseded: fc.boolean(),
    }) as fc.Arbitrary<HistoryEntry>;
    fc.assert(
      fc.property(fc.array(arbitraryEntry, { maxLength: 40 }), (entries) => {
        expect(entriesOf(structuredClone(historyColumns(entries)))).toEqual(entries);
      }),
    );
  });
});
