/**
 * Cloudflare Workers adapters: every write goes to the ledger (ledger.ts), every read of a
 * projected document is one KV `get`, and artifacts and webhook bodies live in R2.
 */
import {
  standingOf,
  type Alert,
  type AlertSubject,
  type AlertWrite,
  type Standing,
  type WriteOutcome,
} from "../core/alert.ts";
import { sameBytes } from "../core/artifact.ts";
import type { ChangePointOptions } from "../core/changepoints/analysis.ts";
import type { Delivery } from "../core/delivery.ts";
import type { Dispatch } from "../core/dispatch.ts";
import { encodeCursor, entriesOf, HISTORY_PAGE, page, type Position } from "../core/history.ts";
import { firstPage, readNewestPage } from "../core/newest-page.ts";
import type { RecordOutcome, Run } from "../core/run.ts";
import type { Series } from "../core/series.ts";
import type { Settlement, UnsettledRun } from "../core/settle.ts";
import type { StatusDocument } from "../core/status.ts";
import type { CounterValue, HealthCounts } from "../core/health.ts";
import { KEYS, RECENT_RUNS, type Ledger, type RecentRuns } from "./ledger.ts";
import type {
  AlertStore,
  ArtifactStore,
  DeliveryStore,
  DispatchStore,
  HealthStore,
  Inbox,
  Latest,
  RunStore,
  SeriesStore,
  SettlementStore,
  StoredFile,
} from "./ports.ts";
import { StoreBusy } from "./ports.ts";
import { ReadCache, type CacheOptions } from "./read-cache.ts";

export type RunStoreOptions = CacheOptions;

/** Reports one isolate may have waiting on the ledger at once; each takes a few milliseconds there. */
const MAX_WRITES_WAITING = 32;

/** The ledger's methods, as this Worker calls them. */
type LedgerCalls = {
  [K in keyof Ledger]: Ledger[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<R> : never;
};

/**
 * The one ledger. Its RPC answers are typed as serialised copies (`Rpc.Result<T>`); every
 * method answers plain JSON values, whose copies are the values themselves, so the stub is
 * typed as the methods are, once, here.
 */
function ledgerOf(namespace: DurableObjectNamespace<Ledger>): LedgerCalls {
  return namespace.get(namespace.idFromName("ledger")) as unknown as LedgerCalls;
}

/**
 * A write the ledger refused because too many wait for it (the runtime's "Durable Object is
 * overloaded" error) is `StoreBusy`: the caller hears 429 and sends it again, rather than the
 * request failing or waiting in a queue without bound.
 */
async function unlessBusy<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (error instanceof Error && /overloaded/i.test(error.message)) throw new StoreBusy();
    throw error;
  }
}

export class WorkersRunStore implements RunStore {
  private readonly cachedStatus: ReadCache<StatusDocument | null>;

  constructor(
    private readonly kv: KVNamespace,
    private readonly ledger: DurableObjectNamespace<Ledger>,
    options: RunStoreOptions,
  ) {
    this.cachedStatus = new ReadCache(options);
  }

  run(id: string): Promise<Run | null> {
    return this.kv.get<Run>(KEYS.run(id), "json");
  }

  forget(): void {
    this.cachedStatus.forget();
  }

  async record(incoming: Run, options = { settled: false }): Promise<RecordOutcome> {
    const outcome = await this.write(() => ledgerOf(this.ledger).record(incoming, options.settled));
    this.cachedStatus.forget();
    return outcome;
  }

  async recordMany(incoming: Run[], options = { settled: false }): Promise<RecordOutcome[]> {
    const outcomes = await this.write(() => ledgerOf(this.ledger).recordMany(incoming, options.settled));
    this.cachedStatus.forget();
    return outcomes;
  }

  /** Writes this isolate has waiting on the ledger. */
  private waiting = 0;

  /**
   * A write to the ledger, unless this isolate already has `MAX_WRITES_WAITING` waiting: then it
   * is refused (`StoreBusy`, a 429) rather than queued, so a burst of uploads cannot take the
   * isolate's time from the reads.
   */
  private async write<T>(call: () => Promise<T>): Promise<T> {
    if (this.waiting >= MAX_WRITES_WAITING) throw new StoreBusy();
    this.waiting++;
    try {
      return await unlessBusy(call());
    } finally {
      this.waiting--;
    }
  }

  /**
   * The first page from KV's recent runs when it holds the whole page. A longer first page (a
   * settlement reads 600) from this isolate's copy of the ledger's newest page, which the
   * ledger sends only what changed since, and older pages from the ledger's index: neither
   * reads KV first.
   */
  async history(limit: number, after: Position | null) {
    if (!after && limit <= RECENT_RUNS) {
      const recent = await this.kv.get<RecentRuns>(KEYS.recent, "json");
      if (!recent) return { runs: [], cursor: null };
      if (limit < recent.runs.length || recent.runs.length === recent.total) return page(recent.runs, limit, null);
    }
    if (!after && limit <= HISTORY_PAGE) {
      const ledger = ledgerOf(this.ledger);
      const newest = await readNewestPage(this, (since) => ledger.newestPage(since));
      return firstPage(newest.page, newest.total, limit);
    }
    const { columns, more } = await ledgerOf(this.ledger).historyPage(limit, after);
    const runs = entriesOf(columns);
    const last = runs.at(-1);
    return { runs, cursor: more && last ? encodeCursor(last) : null };
  }

  status(): Promise<StatusDocument | null> {
    return this.cachedStatus.read(() => this.kv.get<StatusDocument>(KEYS.status, "json"));
  }

  async open(): Promise<Run[]> {
    return await ledgerOf(this.ledger).openRuns();
  }
}

export class WorkersSettlementStore implements SettlementStore {
  constructor(
    private readonly ledger: DurableObjectNamespace<Ledger>,
    /** The isolate's cached reads a settlement changes (the status, the open alerts, the analysis). */
    private readonly cached: { forget(): void }[],
  ) {}

  unsettled(limit: number): Promise<UnsettledRun[]> {
    return ledgerOf(this.ledger).unsettledRuns(limit);
  }

  hold(holder: string, now: number, ms: number): Promise<boolean> {
    return ledgerOf(this.ledger).holdSettling(holder, now, ms);
  }

  release(holder: string): Promise<void> {
    return ledgerOf(this.ledger).releaseSettling(holder);
  }

  async commit(settlement: Settlement, now: string): Promise<boolean> {
    const committed = await ledgerOf(this.ledger).commitSettlement(settlement, now);
    for (const c of this.cached) c.forget();
    return committed;
  }
}

export class WorkersDispatchStore implements DispatchStore {
  constructor(private readonly ledger: DurableObjectNamespace<Ledger>) {}

  claim(dispatch: Dispatch): Promise<boolean> {
    return ledgerOf(this.ledger).claimDispatch(dispatch);
  }

  save(dispatch: Dispatch): Promise<void> {
    return ledgerOf(this.ledger).saveDispatch(dispatch);
  }

  async get(correlationId: string): Promise<Dispatch | null> {
    return await ledgerOf(this.ledger).getDispatch(correlationId);
  }

  async unsettled(): Promise<Dispatch[]> {
    return await ledgerOf(this.ledger).unsettledDispatches();
  }
}

export class WorkersDeliveryStore implements DeliveryStore {
  constructor(private readonly ledger: DurableObjectNamespace<Ledger>) {}

  claim(id: string, event: string, at: string): Promise<boolean> {
    return ledgerOf(this.ledger).claimDelivery(id, event, at);
  }

  finish(id: string, outcome: { state: "done" | "failed"; error: string | null }, at: string): Promise<void> {
    return ledgerOf(this.ledger).finishDelivery(id, outcome, at);
  }

  async retryable(now: number): Promise<Delivery[]> {
    return await ledgerOf(this.ledger).retryableDeliveries(now);
  }
}

export class WorkersAlertStore implements AlertStore {
  private readonly cachedOpen: ReadCache<Alert[]>;

  constructor(
    private readonly kv: KVNamespace,
    private readonly ledger: DurableObjectNamespace<Ledger>,
    options: RunStoreOptions,
  ) {
    this.cachedOpen = new ReadCache(options);
  }

  forget(): void {
    this.cachedOpen.forget();
  }

  async plan(subject: AlertSubject, now: string): Promise<AlertWrite[]> {
    const writes = await ledgerOf(this.ledger).planAlerts(subject, now);
    this.cachedOpen.forget();
    return writes;
  }

  async claim(now: number, limit: number): Promise<AlertWrite[]> {
    return await ledgerOf(this.ledger).claimWrites(now, limit);
  }

  async finish(id: string, outcome: WriteOutcome): Promise<void> {
    await ledgerOf(this.ledger).finishWrite(id, outcome);
    this.cachedOpen.forget();
  }

  async alert(fingerprint: string): Promise<Alert | null> {
    return await ledgerOf(this.ledger).getAlert(fingerprint);
  }

  async open(): Promise<readonly Alert[]> {
    return (await this.standing()).open;
  }

  async standing(): Promise<Standing> {
    return standingOf(await this.listed());
  }

  /** The open and accepted alerts, as the ledger projects them. */
  private listed(): Promise<Alert[]> {
    return this.cachedOpen.read(async () => (await this.kv.get<Alert[]>(KEYS.alerts, "json")) ?? []);
  }
}

/** One KV key holding the latest document, cached in the isolate like the status. */
export class KVLatest<T> implements Latest<T> {
  private readonly cached: ReadCache<T | null>;

  constructor(
    private readonly kv: KVNamespace,
    private readonly key: "dashboards" | "changes" | "status-page" | "windows",
    options: RunStoreOptions,
  ) {
    this.cached = new ReadCache(options);
  }

  forget(): void {
    this.cached.forget();
  }

  async save(value: T): Promise<void> {
    await this.kv.put(this.key, JSON.stringify(value));
    this.cached.forget();
  }

  latest(): Promise<T | null> {
    return this.cached.read(() => this.kv.get<T>(this.key, "json"));
  }
}

export class WorkersSeriesStore implements SeriesStore {
  constructor(
    private readonly kv: KVNamespace,
    private readonly ledger: DurableObjectNamespace<Ledger>,
  ) {}

  merge(incoming: Series[], options: ChangePointOptions) {
    return ledgerOf(this.ledger).mergeSeries(incoming, options);
  }

  async all(): Promise<Series[]> {
    return (await this.kv.get<Series[]>(KEYS.series, "json")) ?? [];
  }

  async heads(): Promise<Series[]> {
    return (await this.kv.get<Series[]>(KEYS.seriesHeads, "json")) ?? [];
  }
}

export class R2ArtifactStore implements ArtifactStore {
  constructor(private readonly bucket: R2Bucket) {}

  async put(sha256: string, body: Uint8Array, contentType: string): Promise<void> {
    const key = `artifacts/${sha256}`;
    if (await this.bucket.head(key)) return;
    // R2 checks the digest on arrival, so a corrupted upload is refused rather than stored.
    await this.bucket.put(key, body, { sha256, httpMetadata: { contentType } });
  }

  async get(sha256: string): Promise<StoredFile | null> {
    const object = await this.bucket.get(`artifacts/${sha256}`);
    return object ? { body: object.body, size: object.size } : null;
  }
}

export class R2Inbox implements Inbox {
  constructor(
    private readonly bucket: R2Bucket,
    private readonly prefix: string,
  ) {}

  /** R2 writes only when no object has the key (`etagDoesNotMatch: "*"`), so the first body stays. */
  async keep(id: string, body: Uint8Array): Promise<"kept" | "same" | "different"> {
    const key = `${this.prefix}/${id}`;
    if (await this.bucket.put(key, body, { onlyIf: { etagDoesNotMatch: "*" } })) return "kept";
    const kept = await this.bucket.get(key);
    return kept && sameBytes(new Uint8Array(await kept.arrayBuffer()), body) ? "same" : "different";
  }

  async get(id: string): Promise<Uint8Array | null> {
    const object = await this.bucket.get(`${this.prefix}/${id}`);
    return object ? new Uint8Array(await object.arrayBuffer()) : null;
  }
}

/** The health counts, kept in the ledger's SQLite: one call per scrape, one per flushed tally. */
export class WorkersHealthStore implements HealthStore {
  constructor(private readonly ledger: DurableObjectNamespace<Ledger>) {}

  counts(): Promise<HealthCounts> {
    return ledgerOf(this.ledger).healthCounts();
  }

  add(deltas: CounterValue[]): Promise<void> {
    return ledgerOf(this.ledger).addCounters(deltas);
  }
}
