import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { upsertEntry, type HistoryEntry } from "../../src/core/history.ts";
import {
  applyAnswer,
  copyVersion,
  forgetPageCopies,
  PageChanges,
  pageAfter,
  type PageAnswer,
} from "../../src/core/newest-page.ts";
import { nightEntry } from "../support/entries.ts";

/** A small page, so that runs leave it and come back within a short history. */
const CAPACITY = 8;

const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString();

/** A writer as the ledger is one: every run, its newest page held, and the changes numbered. */
function writer() {
  let all: HistoryEntry[] = [];
  let page: HistoryEntry[] | null = [];
  // Few changes remembered, so that readers fall behind them too.
  let changes = new PageChanges(6);
  return {
    save(entry: HistoryEntry) {
      all = upsertEntry(all, entry);
      page = pageAfter(page ?? all.slice(0, CAPACITY), entry, CAPACITY);
      if (page) changes.changed(entry.id);
      else changes.reset();
    },
    /** A new instance: the same runs, the page read again, a new epoch. */
    restart() {
      page = null;
      changes = new PageChanges(6);
    },
    answer(reader: object): PageAnswer {
      page ??= all.slice(0, CAPACITY);
      // Through a copy, as an RPC answer is.
      return structuredClone(changes.answer(page, all.length, copyVersion(reader)));
    },
    truth: () => all.slice(0, CAPACITY),
    total: () => all.length,
  };
}

type Step =
  | { kind: "save"; id: number; at: number; state: "passed" | "regressed" }
  | { kind: "read" }
  | { kind: "race" }
  | { kind: "restart" };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("save" as const),
      id: fc.integer({ min: 0, max: 30 }),
      at: fc.integer({ min: 0, max: 40 }),
      state: fc.constantFrom("passed" as const, "regressed" as const),
    }),
  },
  { weight: 3, arbitrary: fc.constant({ kind: "read" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "race" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "restart" as const }) },
);

describe("a copy of the newest page", () => {
  it("is always the page, however runs arrive, move, leave the page and the writer restarts", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 40, maxLength: 160 }), (steps) => {
        forgetPageCopies();
        const w = writer();
        const reader = {};
        const read = () => {
          const got = applyAnswer(reader, w.answer(reader), CAPACITY);
          expect(got?.page).toEqual(w.truth());
          expect(got?.total).toBe(w.total());
        };
        for (const s of steps) {
          if (s.kind === "save") w.save(nightEntry({ id: `run-${s.id}`, at: day(s.at), state: s.state }));
          else if (s.kind === "restart") w.restart();
          else if (s.kind === "read") read();
          else {
            // Two reads asked together, answered in the opposite order: the later answer first.
            const racer = (state: "passed" | "regressed") => nightEntry({ id: "racer", at: day(41), state });
            w.save(racer("passed"));
            const early = w.answer(reader);
            w.save(racer("regressed"));
            applyAnswer(reader, w.answer(reader), CAPACITY);
            const late = applyAnswer(reader, early, CAPACITY);
            expect(late?.page).toEqual(w.truth());
          }
        }
        read();
      }),
      { numRuns: 300 },
    );
  });

  it("is sent only what changed since it was read", () => {
    forgetPageCopies();
    const w = writer();
    const reader = {};
    for (let n = 0; n < 20; n++) w.save(nightEntry({ id: `run-${n}`, at: day(n) }));
    const first = w.answer(reader);
    expect(first.whole).toBe(true);
    expect(first.columns.id).toHaveLength(CAPACITY);
    applyAnswer(reader, first, CAPACITY);
    w.save(nightEntry({ id: "run-20", at: day(20) }));
    w.save(nightEntry({ id: "run-19", at: day(19), state: "regressed" }));
    const next = w.answer(reader);
    expect(next.whole).toBe(false);
    expect(next.columns.id).toEqual(["run-20", "run-19"]);
    expect(applyAnswer(reader, next, CAPACITY)?.page.map((e) => e.id)).toEqual(w.truth().map((e) => e.id));
  });

  it("is read whole by a fresh isolate, and never handed out to be changed", () => {
    forgetPageCopies();
    const w = writer();
    const reader = {};
    w.save(nightEntry({ id: "run-1", at: day(1) }));
    const copy = applyAnswer(reader, w.answer(reader), CAPACITY);
    expect(() => {
      (copy!.page[0] as { state: string }).state = "crashed";
    }).toThrow(TypeError);
    forgetPageCopies();
    expect(copyVersion(reader)).toBeNull();
    expect(w.answer(reader).whole).toBe(true);
  });

  it("asks again, whole, for changes that came for a copy another epoch's answer replaced", () => {
    forgetPageCopies();
    const w = writer();
    const reader = {};
    w.save(nightEntry({ id: "run-1", at: day(1) }));
    applyAnswer(reader, w.answer(reader), CAPACITY);
    w.save(nightEntry({ id: "run-2", at: day(2) }));
    const changes = w.answer(reader);
    w.restart();
    applyAnswer(reader, w.answer(reader), CAPACITY);
    expect(applyAnswer(reader, changes, CAPACITY)).toBeNull();
  });
});
