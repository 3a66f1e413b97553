/**
 * The newest page of the history (`HISTORY_PAGE` entries) as a reader holds a copy of it. Every
 * settlement reads the whole page back, and copying 600 entries out of the ledger (an RPC on
 * Workers) cost more than the analysis they feed. The ledger numbers each change to its page,
 * so a reader that holds a copy is sent only the entries changed since: one or two a night.
 *
 * The writer (`PageChanges`) remembers which entries changed at which version, and answers a
 * reader with the whole page when it cannot say what changed: a reader with no copy, a copy of
 * another epoch (the writer started afresh: a Durable Object's new instance), one older than the
 * changes remembered, or after an entry left the page (the entry that took its place changed
 * nowhere). The copy (`applyAnswer`) is this isolate's, like the window memo: a fresh isolate
 * holds none and reads the page whole.
 */
import {
  encodeCursor,
  entriesOf,
  historyColumns,
  HISTORY_PAGE,
  upsertEntry,
  type HistoryColumns,
  type HistoryEntry,
} from "./history.ts";

/**
 * The newest page after `entry` is saved, or null when it must be read again: a held run whose
 * time moved to the end of a full page may have passed runs the page does not hold.
 */
export function pageAfter(
  held: readonly HistoryEntry[],
  entry: HistoryEntry,
  capacity = HISTORY_PAGE,
): HistoryEntry[] | null {
  const page = upsertEntry(held, entry);
  const left = held.length === capacity && page.indexOf(entry) >= capacity - 1 && held.some((e) => e.id === entry.id);
  return left ? null : page.slice(0, capacity);
}

export interface PageVersion {
  epoch: string;
  version: number;
}

/** The writer's answer: the whole page, or the entries of it changed since the reader's version. */
export interface PageAnswer extends PageVersion {
  /** The runs in the whole history, for whether a longer read has more. */
  total: number;
  whole: boolean;
  columns: HistoryColumns;
  /** Changed since the reader's version, and no longer in the page. */
  gone: string[];
}

/** Changes remembered: a reader further behind reads the page whole. */
const REMEMBERED = 256;

export class PageChanges {
  readonly epoch = crypto.randomUUID();
  #version = 0;
  /** The oldest version a reader can be sent changes since. */
  #since = 0;
  #changed: { version: number; id: string }[] = [];

  constructor(private readonly remembered = REMEMBERED) {}

  /** An entry of the page changed (or joined it). */
  changed(id: string): void {
    this.#changed.push({ version: ++this.#version, id });
    // A reader at the forgotten change's version or later still learns all it lacks.
    if (this.#changed.length > this.remembered) this.#since = this.#changed.shift()?.version ?? this.#since;
  }

  /** The page changed in a way no entry says: every reader reads it whole. */
  reset(): void {
    this.#since = ++this.#version;
    this.#changed = [];
  }

  answer(page: readonly HistoryEntry[], total: number, reader: PageVersion | null): PageAnswer {
    const known = { epoch: this.epoch, version: this.#version, total };
    if (!reader || reader.epoch !== this.epoch || reader.version < this.#since || reader.version > this.#version) {
      return { ...known, whole: true, columns: historyColumns(page), gone: [] };
    }
    const ids = new Set<string>();
    for (const c of this.#changed) if (c.version > reader.version) ids.add(c.id);
    const changed = ids.size ? page.filter((e) => ids.delete(e.id)) : [];
    return { ...known, whole: false, columns: historyColumns(changed), gone: [...ids] };
  }
}

interface Copy extends PageVersion {
  total: number;
  page: readonly HistoryEntry[];
}

/** This isolate's copies, by their reader (a store): weak, so a store let go takes its copy along. */
let copies = new WeakMap<object, Copy>();

/** The version of the copy `reader` holds, to ask the writer for what changed since. */
export function copyVersion(reader: object): PageVersion | null {
  const copy = copies.get(reader);
  return copy ? { epoch: copy.epoch, version: copy.version } : null;
}

/**
 * The page as `answer` brings it, the copy brought up to date. Entries are frozen: every reader
 * is given the same ones. Null when changes came for a copy no longer held (another answer, of a
 * new epoch, replaced it meanwhile): ask again for the whole page.
 */
export function applyAnswer(reader: object, answer: PageAnswer, capacity = HISTORY_PAGE): Copy | null {
  const held = copies.get(reader);
  const entries = entriesOf(answer.columns).map((e) => Object.freeze(e));
  const current = held?.epoch === answer.epoch && held.version >= answer.version;
  if (answer.whole) {
    if (current) return held;
    const copy = { epoch: answer.epoch, version: answer.version, total: answer.total, page: entries };
    copies.set(reader, copy);
    return copy;
  }
  if (!held || held.epoch !== answer.epoch) return null;
  // A copy already as new was brought up to date by an answer that came first.
  if (current) return held;
  const gone = new Set(answer.gone);
  const kept = gone.size ? held.page.filter((e) => !gone.has(e.id)) : held.page;
  const page = entries.reduce((p: readonly HistoryEntry[], e) => upsertEntry(p, e), kept).slice(0, capacity);
  const copy = { epoch: answer.epoch, version: answer.version, total: answer.total, page };
  copies.set(reader, copy);
  return copy;
}

/**
 * The newest page through `reader`'s copy: `ask` the writer for what changed since the copy's
 * version, and for the whole page when those changes came for a copy no longer held.
 */
export async function readNewestPage(
  reader: object,
  ask: (since: PageVersion | null) => Promise<PageAnswer>,
): Promise<Copy> {
  const copy = applyAnswer(reader, await ask(copyVersion(reader))) ?? applyAnswer(reader, await ask(null));
  if (!copy) throw new Error("a reader with no copy was sent changes, not the page");
  return copy;
}

/** The first `limit` entries of the newest page, as `RunStore.history` answers them. */
export function firstPage(page: readonly HistoryEntry[], total: number, limit: number) {
  const runs = page.slice(0, limit);
  const last = runs.at(-1);
  return { runs, cursor: total > limit && last ? encodeCursor(last) : null };
}

/** Forgets every copy: what a fresh isolate holds. */
export function forgetPageCopies(): void {
  copies = new WeakMap();
}
