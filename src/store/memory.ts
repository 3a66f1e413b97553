/** In-memory adapters for unit tests: the same semantics as the Workers ones, no runtime. */
import {
  claimable,
  leased,
  planSubjects,
  finishedWrite,
  type Standing,
  type WriteOutcome,
  withIssue,
  isListed,
  standingOf,
  type Alert,
  type AlertSubject,
  type AlertWrite,
} from "../core/alert.ts";
import { sameBytes } from "../core/artifact.ts";
import { shouldProcess, shouldRetry, startProcessing, type Delivery } from "../core/delivery.ts";
import { isUnsettled, type Dispatch } from "../core/dispatch.ts";
import type { ChangeReport } from "../core/drift.ts";
import { firstPage, PageChanges, pageAfter, readNewestPage } from "../core/newest-page.ts";
import {
  entriesOf,
  HISTORY_PAGE,
  historyColumns,
  historyEntry,
  newestFirst,
  page,
  type HistoryEntry,
  type Position,
} from "../core/history.ts";
import { COMPLETED_STATES, mergeRun, OPEN_STATES, type RecordOutcome, type Run } from "../core/run.ts";
import type { Settlement, UnsettledRun } from "../core/settle.ts";
import type { ChangePointOptions } from "../core/changepoints/analysis.ts";
import { headOf, mergeSeries, type Series } from "../core/series.ts";
import { endsStatus, statusDocument, type StatusDocument } from "../core/status.ts";
import type {
  AlertStore,
  ArtifactStore,
  DeliveryStore,
  DispatchStore,
  Inbox,
  Latest,
  RunStore,
  SeriesStore,
  SettlementStore,
  Stores,
  StoredFile,
} from "./ports.ts";

export class MemoryRunStore implements RunStore {
  readonly #runs = new Map<string, Run>();
  readonly #identities = new Map<string, string>();
  /** Each run's revision, counted up on every change. */
  readonly #revisions = new Map<string, number>();
  /** Runs in a final state waiting to be settled. */
  readonly #unsettled = new Set<string>();
  /** Newest first, as the ledger's index reads it. */
  readonly #history: HistoryEntry[] = [];
  /** Which entries of the newest page changed when, as the ledger numbers them. */
  readonly #pageChanges = new PageChanges();

  async run(id: string): Promise<Run | null> {
    return structuredClone(this.#runs.get(id) ?? null);
  }

  async record(incoming: Run, options = { settled: false }): Promise<RecordOutcome> {
    const knownId = incoming.identity ? this.#identities.get(incoming.identity) : undefined;
    const existing = this.#runs.get(knownId ?? incoming.id) ?? null;
    const outcome = mergeRun(existing, structuredClone(incoming));
    if (outcome.kind === "created" || outcome.kind === "updated") {
      this.#save(outcome.run);
      if (COMPLETED_STATES.includes(outcome.run.state) && !options.settled) this.#unsettled.add(outcome.run.id);
    }
    return structuredClone(outcome);
  }

  async recordMany(incoming: Run[], options = { settled: false }): Promise<RecordOutcome[]> {
    const outcomes: RecordOutcome[] = [];
    for (const run of incoming) outcomes.push(await this.record(run, options));
    return outcomes;
  }

  #save(run: Run): void {
    const stored = this.#runs.get(run.id);
    this.#runs.set(run.id, run);
    this.#revisions.set(run.id, (this.#revisions.get(run.id) ?? 0) + 1);
    if (run.identity) this.#identities.set(run.identity, run.id);
    const entry = historyEntry(run);
    const held = this.#history.slice(0, HISTORY_PAGE);
    if (stored) this.#history.splice(this.#position(stored), 1);
    this.#history.splice(this.#position(run), 0, entry);
    if (pageAfter(held, entry)) this.#pageChanges.changed(entry.id);
    else this.#pageChanges.reset();
  }

  /** Where a run's entry is, or goes, in the history: a binary search, as an index would do. */
  #position(run: { at: string; id: string }): number {
    let low = 0;
    let high = this.#history.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (newestFirst(this.#history[middle], run) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  unsettled(limit: number): UnsettledRun[] {
    const runs = [...this.#unsettled].map((id) => this.#runs.get(id) as Run).sort((a, b) => -newestFirst(a, b));
    return structuredClone(runs.slice(0, limit).map((run) => ({ run, revision: String(this.#revisions.get(run.id)) })));
  }

  /** The settlement's part of the runs, if it was made from the revision of its run that is stored. */
  commitRuns(settlement: Settlement): boolean {
    const { settles } = settlement;
    if (
      settles &&
      (!this.#unsettled.has(settles.run_id) || String(this.#revisions.get(settles.run_id)) !== settles.revision)
    ) {
      return false;
    }
    for (const changed of settlement.runs) {
      const outcome = mergeRun(this.#runs.get(changed.id) ?? null, structuredClone(changed));
      if (outcome.kind === "created" || outcome.kind === "updated") this.#save(outcome.run);
    }
    if (settles) this.#unsettled.delete(settles.run_id);
    return true;
  }

  /**
   * Copies made as the ledger's answers are: the newest page as the Worker's copy of it, sent
   * what changed since (core/newest-page.ts); older pages in columns.
   */
  async history(limit: number, after: Position | null) {
    if (!after && limit <= HISTORY_PAGE) {
      const newest = await readNewestPage(this, async (since) =>
        structuredClone(this.#pageChanges.answer(this.#history.slice(0, HISTORY_PAGE), this.#history.length, since)),
      );
      return firstPage(newest.page, newest.total, limit);
    }
    const { runs, cursor } = page(this.#history, limit, after);
    return { runs: entriesOf(structuredClone(historyColumns(runs))), cursor };
  }

  /** Read from the newest end of the history until the last settled night, as the ledger does. */
  async status(): Promise<StatusDocument | null> {
    if (this.#history.length === 0) return null;
    const end = this.#history.findIndex(endsStatus);
    const newest = end < 0 ? this.#history : this.#history.slice(0, end + 1);
    return structuredClone(statusDocument(newest, this.#history.length));
  }

  async open(): Promise<Run[]> {
    return structuredClone([...this.#runs.values()].filter((r) => OPEN_STATES.includes(r.state)));
  }
}

export class MemoryDispatchStore implements DispatchStore {
  readonly #dispatches = new Map<string, Dispatch>();

  async claim(dispatch: Dispatch): Promise<boolean> {
    if (this.#dispatches.has(dispatch.correlation_id)) return false;
    this.#dispatches.set(dispatch.correlation_id, structuredClone(dispatch));
    return true;
  }

  async save(dispatch: Dispatch): Promise<void> {
    this.#dispatches.set(dispatch.correlation_id, structuredClone(dispatch));
  }

  async get(correlationId: string): Promise<Dispatch | null> {
    return structuredClone(this.#dispatches.get(correlationId) ?? null);
  }

  async unsettled(): Promise<Dispatch[]> {
    return structuredClone([...this.#dispatches.values()].filter(isUnsettled));
  }
}

export class MemoryDeliveryStore implements DeliveryStore {
  readonly deliveries = new Map<string, Delivery>();

  async claim(id: string, event: string, at: string): Promise<boolean> {
    const existing = this.deliveries.get(id) ?? null;
    if (!shouldProcess(existing, Date.parse(at))) return false;
    this.deliveries.set(id, startProcessing(existing, id, event, at));
    return true;
  }

  async finish(id: string, outcome: { state: "done" | "failed"; error: string | null }, at: string): Promise<void> {
    const existing = this.deliveries.get(id);
    if (existing) this.deliveries.set(id, { ...existing, ...outcome, updated_at: at });
  }

  async retryable(now: number): Promise<Delivery[]> {
    return structuredClone([...this.deliveries.values()].filter((d) => shouldRetry(d, now)));
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
    // Never a SharedArrayBuffer here; the cast only widens what newer DOM typings accept.
    return { body: new Blob([file.bytes as Uint8Array<ArrayBuffer>]).stream(), size: file.bytes.byteLength };
  }
}

export class MemoryInbox implements Inbox {
  readonly items = new Map<string, Uint8Array>();

  async keep(id: string, body: Uint8Array): Promise<"kept" | "same" | "different"> {
    const kept = this.items.get(id);
    if (kept) return sameBytes(kept, body) ? "same" : "different";
    this.items.set(id, body.slice());
    return "kept";
  }

  async get(id: string): Promise<Uint8Array | null> {
    return this.items.get(id)?.slice() ?? null;
  }
}

export class MemoryAlertStore implements AlertStore {
  readonly alerts = new Map<string, Alert>();
  readonly writes = new Map<string, AlertWrite>();

  async plan(subject: AlertSubject, now: string): Promise<AlertWrite[]> {
    return structuredClone(this.planAll([subject], null, now));
  }

  /** The outbox's next place in line. */
  private nextSeq(): number {
    return Math.max(0, ...[...this.writes.values()].map((w) => w.seq)) + 1;
  }

  /** Applies subjects to the alerts and queues their writes (and a dispatch's), once each. */
  planAll(subjects: readonly AlertSubject[], dispatch: { correlation_id: string } | null, now: string): AlertWrite[] {
    const planned = planSubjects(this.alerts, subjects, dispatch, this.nextSeq(), now);
    const added = planned.writes.filter((w) => !this.writes.has(w.id));
    for (const alert of planned.alerts) this.alerts.set(alert.fingerprint, alert);
    for (const write of added) this.writes.set(write.id, write);
    return added;
  }

  async claim(now: number, limit: number): Promise<AlertWrite[]> {
    const ready = claimable([...this.writes.values()], now, limit).map((w) => leased(w, now));
    for (const write of ready) this.writes.set(write.id, write);
    return structuredClone(ready);
  }

  async finish(id: string, outcome: WriteOutcome): Promise<void> {
    const write = this.writes.get(id);
    if (!write) return;
    this.writes.set(id, finishedWrite(write, outcome));
    const then = outcome.error === null ? outcome.then : null;
    if (then && !this.writes.has(then.id)) this.writes.set(then.id, { ...then, seq: this.nextSeq() });
    const alert = this.alerts.get(write.fingerprint);
    if (alert) this.alerts.set(alert.fingerprint, withIssue(alert, outcome.issue));
  }

  async alert(fingerprint: string): Promise<Alert | null> {
    return structuredClone(this.alerts.get(fingerprint) ?? null);
  }

  async open(): Promise<readonly Alert[]> {
    return (await this.standing()).open;
  }

  async standing(): Promise<Standing> {
    return structuredClone(standingOf([...this.alerts.values()].filter(isListed)));
  }
}

export class MemoryLatest<T> implements Latest<T> {
  #latest: T | null = null;

  async save(value: T): Promise<void> {
    this.#latest = structuredClone(value);
  }

  async latest(): Promise<T | null> {
    return structuredClone(this.#latest);
  }
}

export class MemorySeriesStore implements SeriesStore {
  #series: Series[] = [];

  async merge(incoming: Series[], options: ChangePointOptions) {
    const merged = mergeSeries(this.#series, structuredClone(incoming), options);
    if (merged.issues.length === 0) this.#series = merged.series;
    return { imports: merged.imports, issues: merged.issues };
  }

  async all(): Promise<Series[]> {
    return structuredClone(this.#series);
  }

  async heads(): Promise<Series[]> {
    return structuredClone(this.#series.map(headOf));
  }
}

/** Settlements over the memory stores: nothing else runs while one is committed. */
export class MemorySettlementStore implements SettlementStore {
  constructor(
    private readonly runs: MemoryRunStore,
    private readonly alerts: MemoryAlertStore,
    private readonly dispatches: MemoryDispatchStore,
    private readonly changes: MemoryLatest<ChangeReport>,
  ) {}

  #lease: { holder: string; until: number } | null = null;

  async hold(holder: string, now: number, ms: number): Promise<boolean> {
    if (this.#lease && this.#lease.holder !== holder && this.#lease.until > now) return false;
    this.#lease = { holder, until: now + ms };
    return true;
  }

  async release(holder: string): Promise<void> {
    if (this.#lease?.holder === holder) this.#lease = null;
  }

  async unsettled(limit: number): Promise<UnsettledRun[]> {
    return this.runs.unsettled(limit);
  }

  async commit(settlement: Settlement, now: string): Promise<boolean> {
    if (!this.runs.commitRuns(settlement)) return false;
    if (settlement.analysis) await this.changes.save(settlement.analysis);
    const claimed = settlement.dispatch !== null && (await this.dispatches.claim(settlement.dispatch));
    this.alerts.planAll(settlement.subjects, claimed ? settlement.dispatch : null, now);
    return true;
  }
}

/** A fresh set of memory stores. */
export function memoryStores(): Stores {
  const runs = new MemoryRunStore();
  const alerts = new MemoryAlertStore();
  const dispatches = new MemoryDispatchStore();
  const changes = new MemoryLatest<ChangeReport>();
  return {
    runs,
    alerts,
    artifacts: new MemoryArtifactStore(),
    dispatches,
    deliveries: new MemoryDeliveryStore(),
    inbox: new MemoryInbox(),
    dashboards: new MemoryLatest(),
    pages: new MemoryLatest(),
    windows: new MemoryLatest(),
    changes,
    series: new MemorySeriesStore(),
    settlements: new MemorySettlementStore(runs, alerts, dispatches, changes),
  };
}
