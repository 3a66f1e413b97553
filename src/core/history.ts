/**
 * The history: one compact entry per run, newest first, paged by an opaque cursor that
 * stays valid when new runs arrive.
 */
import { base64Of, bytesOfBase64 } from "./base64.ts";
import type { MetricKey } from "./baseline.ts";
import { outOfRangeMetrics, type Confirmation, type Run, type RunState } from "./run.ts";

export interface HistoryEntry {
  id: string;
  state: RunState;
  at: string;
  completed_at: string | null;
  sha: string | null;
  ref: string | null;
  mainline: boolean;
  throughput_ops_per_sec: number | null;
  total_duration_ms: number | null;
  per_batch_p95_ms: number | null;
  out_of_range: MetricKey[];
  /** A suspect run's confirmation, while or after it is measured again. */
  confirmation: Confirmation["state"] | null;
  /** A suspect run's confirming run, once it has settled the confirmation. */
  rerun: string | null;
  /** How chimney started the run; a `confirm` run is a second sample of a night, not a night. */
  dispatch_kind: NonNullable<Run["dispatch"]>["kind"] | null;
  /** A crash chimney asked GitHub to rerun: the next attempt speaks for the night. */
  superseded: boolean;
}

export function historyEntry(run: Run): HistoryEntry {
  const m = run.measurements;
  return {
    id: run.id,
    state: run.state,
    at: run.at,
    completed_at: run.completed_at,
    sha: run.sha,
    ref: run.ref,
    mainline: run.mainline,
    throughput_ops_per_sec: m ? m.throughput_ops_per_sec : null,
    total_duration_ms: m ? m.total_duration_ms : null,
    per_batch_p95_ms: m ? m.per_batch_p95_ms : null,
    out_of_range: outOfRangeMetrics(run),
    confirmation: run.confirmation?.state ?? null,
    rerun: run.confirmation?.run_id ?? null,
    dispatch_kind: run.dispatch?.kind ?? null,
    superseded: run.failure?.rerun_requested ?? false,
  };
}

/**
 * A page of entries in columns: how a page crosses a copy (the ledger's RPC, a structured
 * clone). The clone's cost is per value it walks, so each column is as few values as it can
 * be: strings of many values (ids, times, commits) are one string and where each ends, values
 * of few (states, refs, the metrics out of range) a table and each entry's place in it, and
 * measurements bytes. A page of 600 is 67 values rather than 9 700, and the Worker's side of its
 * crossing (deserialized, made entries) costs 0.15 ms rather than 0.33 (`pageCrossingCpu` in
 * bench/cpu.ts); the ledger's side, the columns made and serialized, stays at 0.2 ms.
 */
export type HistoryColumns = { [K in TextField]: TextColumn } & { [K in MeasurementField]: MeasurementColumn } & {
  [K in CodedField]: CodedColumn<HistoryEntry[K]>;
};

type TextField = "id" | "at" | "completed_at" | "sha" | "rerun";
type MeasurementField = "throughput_ops_per_sec" | "total_duration_ms" | "per_batch_p95_ms";
type CodedField = Exclude<keyof HistoryEntry, TextField | MeasurementField>;

/**
 * Strings, one after the other, and where each ends; a null ends where the string before it did,
 * bit-flipped (`~end`, so negative).
 */
interface TextColumn {
  text: string;
  ends: Int32Array;
}

/** Measurements as Float64 bits (a -0 stays itself), and which are present. */
interface MeasurementColumn {
  values: Float64Array;
  present: Uint8Array;
}

/** The distinct values, and each entry's place among them. */
interface CodedColumn<T> {
  table: T[];
  codes: Uint32Array;
}

function textColumn(values: readonly (string | null)[]): TextColumn {
  const ends = new Int32Array(values.length);
  let end = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null) end += v.length;
    ends[i] = v === null ? ~end : end;
  }
  return { text: values.join(""), ends };
}

function textsOf({ text, ends }: TextColumn): (string | null)[] {
  const texts: (string | null)[] = new Array(ends.length);
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    const end = ends[i];
    if (end < 0) {
      texts[i] = null;
    } else {
      texts[i] = text.slice(start, end);
      start = end;
    }
  }
  return texts;
}

function measurementColumn(values: readonly (number | null)[]): MeasurementColumn {
  const column = { values: new Float64Array(values.length), present: new Uint8Array(values.length) };
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) continue;
    column.values[i] = v;
    column.present[i] = 1;
  }
  return column;
}

function measurementsOf({ values, present }: MeasurementColumn): (number | null)[] {
  const measurements: (number | null)[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) measurements[i] = present[i] ? values[i] : null;
  return measurements;
}

/** `key` says when two values are the same (arrays are compared by their items). */
function codedColumn<T>(values: readonly T[], key: (value: T) => unknown = (v) => v): CodedColumn<T> {
  const places = new Map<unknown, number>();
  const column: CodedColumn<T> = { table: [], codes: new Uint32Array(values.length) };
  for (let i = 0; i < values.length; i++) {
    const k = key(values[i]);
    let place = places.get(k);
    if (place === undefined) {
      place = column.table.push(values[i]) - 1;
      places.set(k, place);
    }
    column.codes[i] = place;
  }
  return column;
}

function decoded<T>({ table, codes }: CodedColumn<T>): T[] {
  const values: T[] = new Array(codes.length);
  for (let i = 0; i < codes.length; i++) values[i] = table[codes[i]];
  return values;
}

export function historyColumns(entries: readonly HistoryEntry[]): HistoryColumns {
  // One pass reading each field by name: a read by a field held in a variable is several times slower.
  const fields = {
    id: [] as string[],
    state: [] as RunState[],
    at: [] as string[],
    completed_at: [] as (string | null)[],
    sha: [] as (string | null)[],
    ref: [] as (string | null)[],
    mainline: [] as boolean[],
    throughput_ops_per_sec: [] as (number | null)[],
    total_duration_ms: [] as (number | null)[],
    per_batch_p95_ms: [] as (number | null)[],
    out_of_range: [] as MetricKey[][],
    confirmation: [] as HistoryEntry["confirmation"][],
    rerun: [] as (string | null)[],
    dispatch_kind: [] as HistoryEntry["dispatch_kind"][],
    superseded: [] as boolean[],
  };
  for (const e of entries) {
    fields.id.push(e.id);
    fields.state.push(e.state);
    fields.at.push(e.at);
    fields.completed_at.push(e.completed_at);
    fields.sha.push(e.sha);
    fields.ref.push(e.ref);
    fields.mainline.push(e.mainline);
    fields.throughput_ops_per_sec.push(e.throughput_ops_per_sec);
    fields.total_duration_ms.push(e.total_duration_ms);
    fields.per_batch_p95_ms.push(e.per_batch_p95_ms);
    fields.out_of_range.push(e.out_of_range);
    fields.confirmation.push(e.confirmation);
    fields.rerun.push(e.rerun);
    fields.dispatch_kind.push(e.dispatch_kind);
    fields.superseded.push(e.superseded);
  }
  return {
    id: textColumn(fields.id),
    state: codedColumn(fields.state),
    at: textColumn(fields.at),
    completed_at: textColumn(fields.completed_at),
    sha: textColumn(fields.sha),
    ref: codedColumn(fields.ref),
    mainline: codedColumn(fields.mainline),
    throughput_ops_per_sec: measurementColumn(fields.throughput_ops_per_sec),
    total_duration_ms: measurementColumn(fields.total_duration_ms),
    per_batch_p95_ms: measurementColumn(fields.per_batch_p95_ms),
    out_of_range: codedColumn(fields.out_of_range, (metrics) => metrics.join()),
    confirmation: codedColumn(fields.confirmation),
    rerun: textColumn(fields.rerun),
    dispatch_kind: codedColumn(fields.dispatch_kind),
    superseded: codedColumn(fields.superseded),
  };
}

/**
 * The entries of `historyColumns`, in order. Entries whose metrics out of range are the same
 * share one array of them.
 */
export function entriesOf(c: HistoryColumns): HistoryEntry[] {
  const ids = textsOf(c.id);
  const [at, completedAt, sha, rerun] = [c.at, c.completed_at, c.sha, c.rerun].map(textsOf);
  const [throughput, duration, p95] = [c.throughput_ops_per_sec, c.total_duration_ms, c.per_batch_p95_ms].map(
    measurementsOf,
  );
  const [state, ref, mainline, outOfRange, confirmation, dispatchKind, superseded] = [
    decoded(c.state),
    decoded(c.ref),
    decoded(c.mainline),
    decoded(c.out_of_range),
    decoded(c.confirmation),
    decoded(c.dispatch_kind),
    decoded(c.superseded),
  ];
  return ids.map((id, i) => ({
    id: id as string,
    state: state[i],
    at: at[i] as string,
    completed_at: completedAt[i],
    sha: sha[i],
    ref: ref[i],
    mainline: mainline[i],
    throughput_ops_per_sec: throughput[i],
    total_duration_ms: duration[i],
    per_batch_p95_ms: p95[i],
    out_of_range: outOfRange[i],
    confirmation: confirmation[i],
    rerun: rerun[i],
    dispatch_kind: dispatchKind[i],
    superseded: superseded[i],
  }));
}

/**
 * Whether an entry is a night of the tracked branch: a mainline run that is neither a second
 * sample of another night (a confirming run) nor an attempt a rerun took over from.
 */
export function isNight(e: HistoryEntry): boolean {
  return e.mainline && e.dispatch_kind !== "confirm" && !e.superseded;
}

/** Newest first: later `at`, then the larger id. */
export function newestFirst(a: { at: string; id: string }, b: { at: string; id: string }): number {
  if (a.at !== b.at) return a.at < b.at ? 1 : -1;
  return a.id === b.id ? 0 : a.id < b.id ? 1 : -1;
}

/** Inserts or replaces the entry for a run, keeping the order. */
export function upsertEntry(history: readonly HistoryEntry[], entry: HistoryEntry): HistoryEntry[] {
  const rest = history.filter((e) => e.id !== entry.id);
  const at = rest.findIndex((e) => newestFirst(entry, e) < 0);
  return at < 0 ? [...rest, entry] : [...rest.slice(0, at), entry, ...rest.slice(at)];
}

export interface Position {
  at: string;
  id: string;
}

export const MAX_PAGE = 100;

/**
 * Runs a settlement reads back at once: its analysis span (10 windows of 50 nights and up to 24
 * more) and some pull requests' runs, in one page. The ledger keeps as many in memory.
 */
export const HISTORY_PAGE = 600;

export function encodeCursor(p: Position): string {
  return base64url(JSON.stringify([p.at, p.id]));
}

export function decodeCursor(cursor: string): Position | null {
  try {
    const value = JSON.parse(fromBase64url(cursor));
    if (Array.isArray(value) && value.length === 2 && value.every((x) => typeof x === "string")) {
      return { at: value[0], id: value[1] };
    }
  } catch {
    // not a cursor chimney made
  }
  return null;
}

/** The entries after `after` (exclusive), at most `limit`, and the cursor of the next page. */
export function page(history: readonly HistoryEntry[], limit: number, after: Position | null) {
  const start = after ? history.findIndex((e) => newestFirst(e, after) > 0) : 0;
  const runs = start < 0 ? [] : history.slice(start, start + limit);
  const last = runs.at(-1);
  const more = start >= 0 && start + limit < history.length;
  return { runs, cursor: more && last ? encodeCursor(last) : null };
}

function base64url(s: string): string {
  return base64Of(new TextEncoder().encode(s)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64url(s: string): string {
  const bytes = /^[A-Za-z0-9_-]{1,2048}$/.test(s) ? bytesOfBase64(s.replaceAll("-", "+").replaceAll("_", "/")) : null;
  if (!bytes) throw new Error("not base64url");
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
}
