/**
 * The storage chimney needs, as small interfaces. Each runtime has an adapter:
 * Workers (KV + R2 + a Durable Object), memory (tests), Deno.
 */
import type { KeptWindow } from "../core/changepoints/window-memo.ts";
import type { Alert, AlertSubject, AlertWrite, Standing, WriteOutcome } from "../core/alert.ts";
import type { DashboardCheck } from "../core/dashboards.ts";
import type { ChangePointOptions } from "../core/changepoints/analysis.ts";
import type { ChangeReport } from "../core/drift.ts";
import type { PublishedPage } from "../core/published-page.ts";
import type { Series, SeriesImport } from "../core/series.ts";
import type { FieldIssue } from "../core/validation.ts";
import type { CounterValue, HealthCounts } from "../core/health.ts";
import type { Delivery } from "../core/delivery.ts";
import type { Dispatch } from "../core/dispatch.ts";
import type { HistoryEntry, Position } from "../core/history.ts";
import type { RecordOutcome, Run } from "../core/run.ts";
import type { Settlement, UnsettledRun } from "../core/settle.ts";
import type { StatusDocument } from "../core/status.ts";

/**
 * The record of truth has more writes waiting than it takes: the write was not made, and may
 * be sent again in `retryAfterSeconds`. Answered as a 429, never queued without bound.
 */
export class StoreBusy extends Error {
  constructor(readonly retryAfterSeconds = 1) {
    super("the ledger has more writes waiting than it takes; send this again shortly");
    this.name = "StoreBusy";
  }
}

export interface RunStore {
  run(id: string): Promise<Run | null>;
  /**
   * Merges a report of a run into the ledger (see `mergeRun`), atomically with respect to
   * every other `record`, and updates the history and the status document with it. A run that
   * the report brings to a final state waits to be settled, unless `settled` says it needs no
   * settling (history being imported).
   */
  record(incoming: Run, options?: { settled: boolean }): Promise<RecordOutcome>;
  /** `record` for each run of a batch (an import), in order, at once where the store can. */
  recordMany(incoming: Run[], options?: { settled: boolean }): Promise<RecordOutcome[]>;
  /** Newest first, after `after` (exclusive). */
  history(limit: number, after: Position | null): Promise<{ runs: HistoryEntry[]; cursor: string | null }>;
  status(): Promise<StatusDocument | null>;
  /** Runs still dispatched or running, read from the record of truth. */
  open(): Promise<Run[]>;
}

export interface DispatchStore {
  /** Inserts the dispatch unless one with its correlation id exists: the nightly lock. */
  claim(dispatch: Dispatch): Promise<boolean>;
  save(dispatch: Dispatch): Promise<void>;
  get(correlationId: string): Promise<Dispatch | null>;
  /** Dispatches that are not settled: claimed, failed, or dispatched with no run known. */
  unsettled(): Promise<Dispatch[]>;
}

export interface DeliveryStore {
  /**
   * Records that a delivery arrived and whether to process it (`shouldProcess`), atomically:
   * of twenty copies arriving at once, one is processed.
   */
  claim(id: string, event: string, at: string): Promise<boolean>;
  finish(id: string, outcome: { state: "done" | "failed"; error: string | null }, at: string): Promise<void>;
  /** Deliveries the reconcile tick should take up again (`shouldRetry`). */
  retryable(now: number): Promise<Delivery[]>;
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

/** Raw inputs, kept before they are processed so that a failure midway can be retried. */
export interface Inbox {
  /**
   * Keeps the first body of an id: `kept` the first time, `same` for the same bytes again,
   * `different` (and nothing written) for other bytes under an id already kept.
   */
  keep(id: string, body: Uint8Array): Promise<"kept" | "same" | "different">;
  get(id: string): Promise<Uint8Array | null>;
}

/** The alerts and their outbox of GitHub writes, kept where concurrent reports cannot race. */
export interface AlertStore {
  /**
   * Applies what a settled run says to the alerts it concerns and queues the writes that needs
   * (`planWrites`), atomically: racing reports of a run queue its writes once.
   */
  plan(subject: AlertSubject, now: string): Promise<AlertWrite[]>;
  /** Reserves the writes to send now (`claimable`), each for a short lease. */
  claim(now: number, limit: number): Promise<AlertWrite[]>;
  /** Records a write's outcome; a new issue becomes its alert's issue. */
  finish(id: string, outcome: WriteOutcome): Promise<void>;
  alert(fingerprint: string): Promise<Alert | null>;
  /** Open alerts, for the badges and /metrics. */
  open(): Promise<readonly Alert[]>;
  /**
   * For /status, in one read: the open alerts, and those whose last episode a maintainer
   * accepted (`Alert.accepted`).
   */
  standing(): Promise<Standing>;
}

/** Settling recorded runs (`core/settle.ts`): the runs waiting, and the plans committed. */
export interface SettlementStore {
  /** Recorded runs in a final state that are not settled yet, oldest first. */
  unsettled(limit: number): Promise<UnsettledRun[]>;
  /**
   * Takes the settling until `now + ms` unless another holder has it (a holder taking it again
   * extends it): one drain settles at a time, so a burst of uploads does not analyse each run
   * once per drain. A holder that dies loses it when it runs out.
   */
  hold(holder: string, now: number, ms: number): Promise<boolean>;
  /** Gives the settling up, if `holder` has it. */
  release(holder: string): Promise<void>;
  /**
   * Commits a settlement at once: the run records it changes, the analysis, its subjects
   * applied to the alerts (`planWrites`), the confirming dispatch claimed and queued in the
   * outbox, and the run marked settled. A plan made from an earlier revision of its run (the
   * run was recorded again, or settled by someone else meanwhile) changes nothing: false.
   */
  commit(settlement: Settlement, now: string): Promise<boolean>;
}

/** A document of which only the latest matters, read by the pages. */
export interface Projected<T> {
  latest(): Promise<T | null>;
}

/** A latest document that one job writes. */
export interface Latest<T> extends Projected<T> {
  save(value: T): Promise<void>;
}

/** The last dashboard check (the nightly cron). */
export type DashboardStore = Latest<DashboardCheck>;

/** The status page as last rendered, written when what it shows changes (http/pages/publish.ts). */
export type PageStore = Latest<PublishedPage>;

/**
 * The change-point windows the last settlement used (`keepingWindows`): the next settlement,
 * usually in a fresh isolate, finds them instead of computing each again.
 */
export type WindowStore = Latest<KeptWindow[]>;

/** The last change-point analysis of the history, written only by settlements. */
export type ChangeStore = Projected<ChangeReport>;

/** Imported series (github-action-benchmark history), merged where concurrent imports cannot race. */
export interface SeriesStore {
  /** Merges imported series (`mergeSeries`) atomically; with issues, nothing is stored. */
  merge(incoming: Series[], options: ChangePointOptions): Promise<{ imports: SeriesImport[]; issues: FieldIssue[] }>;
  all(): Promise<Series[]>;
  /** Every series as it stands (`headOf`): its newest point alone. */
  heads(): Promise<Series[]>;
}

/** The counts /metrics serves, each kept on write (`core/health.ts`). */
export interface HealthStore {
  counts(): Promise<HealthCounts>;
  /** Adds tallies kept in one isolate (GitHub requests by outcome) to the shared counters. */
  add(deltas: CounterValue[]): Promise<void>;
}

/** Every store the app needs: what each entry builds for its runtime. */
export interface Stores {
  runs: RunStore;
  alerts: AlertStore;
  artifacts: ArtifactStore;
  dispatches: DispatchStore;
  deliveries: DeliveryStore;
  inbox: Inbox;
  dashboards: DashboardStore;
  changes: ChangeStore;
  pages: PageStore;
  windows: WindowStore;
  series: SeriesStore;
  settlements: SettlementStore;
  /** chimney's own health counts (the Ledger on Workers, Deno KV on Deno); without them /metrics answers 404. */
  health?: HealthStore;
}
