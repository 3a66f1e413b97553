/**
 * Cloudflare Workers adapters. Workers KV has no compare-and-set, so every write goes through
 * one Durable Object, the ledger: it merges reports of runs in its SQLite storage (the record
 * of truth) and projects the result into KV, where the read routes find it with one `get`.
 */
import { DurableObject } from "cloudflare:workers";
import {
  claimable,
  leased,
  planWrites,
  settledWrite,
  withIssue,
  type Alert,
  type AlertSubject,
  type AlertWrite,
} from "../core/alert.ts";
import { shouldProcess, shouldRetry, startProcessing, type Delivery } from "../core/delivery.ts";
import { isUnsettled, type Dispatch } from "../core/dispatch.ts";
import { historyEntry, page, upsertEntry, type HistoryEntry, type Position } from "../core/history.ts";
import { mergeRun, OPEN_STATES, type RecordOutcome, type Run } from "../core/run.ts";
import type { ChangePointOptions } from "../core/changepoints.ts";
import { mergeSeries, type Series, type SeriesImport } from "../core/series.ts";
import { statusDocument, type StatusDocument } from "../core/status.ts";
import type { FieldIssue } from "../core/validation.ts";
import type {
  AlertStore,
  ArtifactStore,
  DeliveryStore,
  DispatchStore,
  Inbox,
  Latest,
  RunStore,
  SeriesStore,
  StoredFile,
} from "./ports.ts";

interface LedgerEnv {
  RUNS: KVNamespace;
}

/** KV keys of the projection. */
const KEYS = {
  run: (id: string) => `run:${id}`,
  history: "history",
  status: "status",
  alerts: "alerts",
  series: "series",
} as const;

/** How long to wait before projecting again after KV refused a write. */
const PROJECTION_RETRY_MS = 10_000;

export class Ledger extends DurableObject<LedgerEnv> {
  private readonly sql: SqlStorage;
  /** The history as the table holds it, kept in memory once read. */
  private history: HistoryEntry[] | null = null;

  constructor(ctx: DurableObjectState, env: LedgerEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS runs (
        id TEXT PRIMARY KEY,
        at TEXT NOT NULL,
        identity TEXT UNIQUE,
        record TEXT NOT NULL,
        entry TEXT NOT NULL,
        projected INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX IF NOT EXISTS runs_newest_first ON runs (at DESC, id DESC);
      CREATE TABLE IF NOT EXISTS dispatches (correlation_id TEXT PRIMARY KEY, record TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, record TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS alerts (fingerprint TEXT PRIMARY KEY, record TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS alert_writes (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0, record TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS series (key TEXT PRIMARY KEY, record TEXT NOT NULL);
    `);
  }

  /** Merges a report of a run and projects the change before answering. */
  async record(incoming: Run): Promise<RecordOutcome> {
    // Nothing else runs in this object until the merge and its projection are done, so two
    // reports never interleave and a projection never overwrites a newer one.
    return this.ctx.blockConcurrencyWhile(async () => {
      const known = incoming.identity
        ? this.one<{ id: string }>("SELECT id FROM runs WHERE identity = ?", incoming.identity)
        : null;
      const stored = this.one<{ record: string }>("SELECT record FROM runs WHERE id = ?", known?.id ?? incoming.id);
      const outcome = mergeRun(stored ? (JSON.parse(stored.record) as Run) : null, incoming);
      if (outcome.kind === "created" || outcome.kind === "updated") {
        const run = outcome.run;
        const entry = historyEntry(run);
        this.sql.exec(
          `INSERT INTO runs (id, at, identity, record, entry, projected) VALUES (?, ?, ?, ?, ?, 0)
           ON CONFLICT (id) DO UPDATE SET at = excluded.at, identity = excluded.identity,
             record = excluded.record, entry = excluded.entry, projected = 0`,
          run.id,
          run.at,
          run.identity,
          JSON.stringify(run),
          JSON.stringify(entry),
        );
        this.history = upsertEntry(this.readHistory(), entry);
        await this.project();
      }
      return outcome;
    });
  }

  /** Runs still dispatched or running. */
  async openRuns(): Promise<Run[]> {
    return this.sql
      .exec<{ record: string }>(
        "SELECT record FROM runs WHERE json_extract(record, '$.state') IN (?, ?)",
        ...OPEN_STATES,
      )
      .toArray()
      .map((row) => JSON.parse(row.record) as Run);
  }

  /** The nightly lock: the primary key admits one dispatch per correlation id. */
  async claimDispatch(dispatch: Dispatch): Promise<boolean> {
    const inserted = this.sql.exec(
      "INSERT INTO dispatches (correlation_id, record) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING correlation_id",
      dispatch.correlation_id,
      JSON.stringify(dispatch),
    );
    return inserted.toArray().length === 1;
  }

  async saveDispatch(dispatch: Dispatch): Promise<void> {
    this.sql.exec(
      "INSERT INTO dispatches (correlation_id, record) VALUES (?, ?) ON CONFLICT (correlation_id) DO UPDATE SET record = excluded.record",
      dispatch.correlation_id,
      JSON.stringify(dispatch),
    );
  }

  async getDispatch(correlationId: string): Promise<Dispatch | null> {
    const row = this.one<{ record: string }>("SELECT record FROM dispatches WHERE correlation_id = ?", correlationId);
    return row ? (JSON.parse(row.record) as Dispatch) : null;
  }

  async unsettledDispatches(): Promise<Dispatch[]> {
    return this.sql
      .exec<{ record: string }>("SELECT record FROM dispatches")
      .toArray()
      .map((row) => JSON.parse(row.record) as Dispatch)
      .filter(isUnsettled);
  }

  async claimDelivery(id: string, event: string, at: string): Promise<boolean> {
    const row = this.one<{ record: string }>("SELECT record FROM deliveries WHERE id = ?", id);
    const existing = row ? (JSON.parse(row.record) as Delivery) : null;
    if (!shouldProcess(existing, Date.parse(at))) return false;
    this.saveDelivery(startProcessing(existing, id, event, at));
    return true;
  }

  async finishDelivery(
    id: string,
    outcome: { state: "done" | "failed"; error: string | null },
    at: string,
  ): Promise<void> {
    const row = this.one<{ record: string }>("SELECT record FROM deliveries WHERE id = ?", id);
    if (row) this.saveDelivery({ ...(JSON.parse(row.record) as Delivery), ...outcome, updated_at: at });
  }

  async retryableDeliveries(now: number): Promise<Delivery[]> {
    return this.sql
      .exec<{ record: string }>("SELECT record FROM deliveries WHERE json_extract(record, '$.state') != 'done'")
      .toArray()
      .map((row) => JSON.parse(row.record) as Delivery)
      .filter((d) => shouldRetry(d, now));
  }

  private saveDelivery(delivery: Delivery): void {
    this.sql.exec(
      "INSERT INTO deliveries (id, record) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record",
      delivery.id,
      JSON.stringify(delivery),
    );
  }

  /** Applies a settled run to its alerts and queues the writes, in one step (nothing interleaves). */
  async planAlerts(subject: AlertSubject, now: string): Promise<AlertWrite[]> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const alerts = new Map(this.allAlerts().map((a) => [a.fingerprint, a]));
      const nextSeq = (this.one<{ seq: number | null }>("SELECT MAX(seq) AS seq FROM alert_writes")?.seq ?? 0) + 1;
      const planned = planWrites(alerts, subject, nextSeq, now);
      const added: AlertWrite[] = [];
      for (const write of planned.writes) {
        const inserted = this.sql.exec(
          "INSERT INTO alert_writes (id, seq, record) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
          write.id,
          write.seq,
          JSON.stringify(write),
        );
        if (inserted.toArray().length === 1) added.push(write);
      }
      for (const alert of planned.alerts) this.saveAlert(alert);
      if (planned.alerts.length > 0) await this.projectAlerts();
      return added;
    });
  }

  async claimWrites(now: number, limit: number): Promise<AlertWrite[]> {
    const open = this.sql
      .exec<{ record: string }>("SELECT record FROM alert_writes WHERE done = 0 ORDER BY seq")
      .toArray()
      .map((row) => JSON.parse(row.record) as AlertWrite);
    const ready = claimable(open, now, limit).map((w) => leased(w, now));
    for (const write of ready) this.saveWrite(write);
    return ready;
  }

  async settleWrite(
    id: string,
    outcome: { error: string | null; issue: { number: number; url: string } | null },
  ): Promise<void> {
    await this.ctx.blockConcurrencyWhile(async () => {
      const row = this.one<{ record: string }>("SELECT record FROM alert_writes WHERE id = ?", id);
      if (!row) return;
      const write = settledWrite(JSON.parse(row.record) as AlertWrite, outcome.error);
      this.saveWrite(write);
      const alert = this.one<{ record: string }>("SELECT record FROM alerts WHERE fingerprint = ?", write.fingerprint);
      if (alert && outcome.issue) {
        this.saveAlert(withIssue(JSON.parse(alert.record) as Alert, outcome.issue));
        await this.projectAlerts();
      }
    });
  }

  async getAlert(fingerprint: string): Promise<Alert | null> {
    const row = this.one<{ record: string }>("SELECT record FROM alerts WHERE fingerprint = ?", fingerprint);
    return row ? (JSON.parse(row.record) as Alert) : null;
  }

  private allAlerts(): Alert[] {
    return this.sql
      .exec<{ record: string }>("SELECT record FROM alerts")
      .toArray()
      .map((row) => JSON.parse(row.record) as Alert);
  }

  private saveAlert(alert: Alert): void {
    this.sql.exec(
      "INSERT INTO alerts (fingerprint, record) VALUES (?, ?) ON CONFLICT (fingerprint) DO UPDATE SET record = excluded.record",
      alert.fingerprint,
      JSON.stringify(alert),
    );
  }

  private saveWrite(write: AlertWrite): void {
    this.sql.exec(
      "UPDATE alert_writes SET record = ?, done = ? WHERE id = ?",
      JSON.stringify(write),
      write.state === "done" || write.state === "abandoned" ? 1 : 0,
      write.id,
    );
  }

  /** Merges imported series; with issues nothing is written. The series are projected to KV. */
  async mergeSeries(
    incoming: Series[],
    options: ChangePointOptions,
  ): Promise<{ imports: SeriesImport[]; issues: FieldIssue[] }> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const stored = this.sql
        .exec<{ record: string }>("SELECT record FROM series ORDER BY rowid")
        .toArray()
        .map((row) => JSON.parse(row.record) as Series);
      const merged = mergeSeries(stored, incoming, options);
      if (merged.issues.length > 0) return { imports: merged.imports, issues: merged.issues };
      const changed = new Set(merged.imports.filter((i) => i.added > 0).map((i) => i.key));
      for (const series of merged.series.filter((s) => changed.has(s.key))) {
        this.sql.exec(
          "INSERT INTO series (key, record) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET record = excluded.record",
          series.key,
          JSON.stringify(series),
        );
      }
      // Written every time, so an import repeated after a failed projection repairs it.
      await this.env.RUNS.put(KEYS.series, JSON.stringify(merged.series));
      return { imports: merged.imports, issues: [] };
    });
  }

  /** The open alerts, where /status reads them. A failed write is repaired by the next change. */
  private async projectAlerts(): Promise<void> {
    const open = this.allAlerts().filter((a) => a.state === "open");
    try {
      await this.env.RUNS.put(KEYS.alerts, JSON.stringify(open));
    } catch (error) {
      console.error(
        JSON.stringify({ event: "projection_failed", key: KEYS.alerts, message: (error as Error).message }),
      );
    }
  }

  async alarm(): Promise<void> {
    await this.ctx.blockConcurrencyWhile(() => this.project());
  }

  /** Writes every run not yet in KV, the history and the status; on failure, tries again later. */
  private async project(): Promise<void> {
    const pending = this.sql
      .exec<{ id: string; record: string }>("SELECT id, record FROM runs WHERE projected = 0")
      .toArray();
    const history = this.readHistory();
    try {
      await Promise.all([
        ...pending.map(({ id, record }) => this.env.RUNS.put(KEYS.run(id), record)),
        this.env.RUNS.put(KEYS.history, JSON.stringify(history)),
        this.env.RUNS.put(KEYS.status, JSON.stringify(statusDocument(history))),
      ]);
      for (const { id, record } of pending)
        this.sql.exec("UPDATE runs SET projected = 1 WHERE id = ? AND record = ?", id, record);
    } catch (error) {
      console.error(JSON.stringify({ event: "projection_failed", message: (error as Error).message }));
      await this.ctx.storage.setAlarm(Date.now() + PROJECTION_RETRY_MS);
    }
  }

  private readHistory(): HistoryEntry[] {
    this.history ??= this.sql
      .exec<{ entry: string }>("SELECT entry FROM runs ORDER BY at DESC, id DESC")
      .toArray()
      .map((row) => JSON.parse(row.entry) as HistoryEntry);
    return this.history;
  }

  private one<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: SqlStorageValue[]): T | null {
    return this.sql.exec<T>(query, ...bindings).toArray()[0] ?? null;
  }
}

export interface RunStoreOptions {
  /** How long this isolate may reuse the status document it last read (0: read KV every time). */
  statusCacheMs: number;
  now: () => number;
}

function ledgerOf(namespace: DurableObjectNamespace<Ledger>): DurableObjectStub<Ledger> {
  return namespace.get(namespace.idFromName("ledger"));
}

export class WorkersRunStore implements RunStore {
  /** KV itself may take up to 60 s to show a write elsewhere; a few seconds here cost nothing more. */
  private cachedStatus: { doc: StatusDocument | null; until: number } | null = null;

  constructor(
    private readonly kv: KVNamespace,
    private readonly ledger: DurableObjectNamespace<Ledger>,
    private readonly options: RunStoreOptions,
  ) {}

  run(id: string): Promise<Run | null> {
    return this.kv.get<Run>(KEYS.run(id), "json");
  }

  async record(incoming: Run): Promise<RecordOutcome> {
    const outcome = (await ledgerOf(this.ledger).record(incoming)) as RecordOutcome;
    this.cachedStatus = null;
    return outcome;
  }

  async history(limit: number, after: Position | null) {
    return page((await this.kv.get<HistoryEntry[]>(KEYS.history, "json")) ?? [], limit, after);
  }

  async status(): Promise<StatusDocument | null> {
    const now = this.options.now();
    if (this.cachedStatus && now < this.cachedStatus.until) return this.cachedStatus.doc;
    const doc = await this.kv.get<StatusDocument>(KEYS.status, "json");
    if (this.options.statusCacheMs > 0) this.cachedStatus = { doc, until: now + this.options.statusCacheMs };
    return doc;
  }

  async open(): Promise<Run[]> {
    return (await ledgerOf(this.ledger).openRuns()) as Run[];
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
    return (await ledgerOf(this.ledger).getDispatch(correlationId)) as Dispatch | null;
  }

  async unsettled(): Promise<Dispatch[]> {
    return (await ledgerOf(this.ledger).unsettledDispatches()) as Dispatch[];
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
    return (await ledgerOf(this.ledger).retryableDeliveries(now)) as Delivery[];
  }
}

export class WorkersAlertStore implements AlertStore {
  private cachedOpen: { alerts: Alert[]; until: number } | null = null;

  constructor(
    private readonly kv: KVNamespace,
    private readonly ledger: DurableObjectNamespace<Ledger>,
    private readonly options: RunStoreOptions,
  ) {}

  async plan(subject: AlertSubject, now: string): Promise<AlertWrite[]> {
    const writes = (await ledgerOf(this.ledger).planAlerts(subject, now)) as AlertWrite[];
    this.cachedOpen = null;
    return writes;
  }

  async claim(now: number, limit: number): Promise<AlertWrite[]> {
    return (await ledgerOf(this.ledger).claimWrites(now, limit)) as AlertWrite[];
  }

  async settle(
    id: string,
    outcome: { error: string | null; issue: { number: number; url: string } | null },
  ): Promise<void> {
    await ledgerOf(this.ledger).settleWrite(id, outcome);
    this.cachedOpen = null;
  }

  async alert(fingerprint: string): Promise<Alert | null> {
    return (await ledgerOf(this.ledger).getAlert(fingerprint)) as Alert | null;
  }

  async open(): Promise<Alert[]> {
    const now = this.options.now();
    if (this.cachedOpen && now < this.cachedOpen.until) return this.cachedOpen.alerts;
    const alerts = (await this.kv.get<Alert[]>(KEYS.alerts, "json")) ?? [];
    if (this.options.statusCacheMs > 0) this.cachedOpen = { alerts, until: now + this.options.statusCacheMs };
    return alerts;
  }
}

/** One KV key holding the latest document, cached in the isolate like the status. */
export class KVLatest<T> implements Latest<T> {
  private cached: { value: T | null; until: number } | null = null;

  constructor(
    private readonly kv: KVNamespace,
    private readonly key: "dashboards" | "changes",
    private readonly options: RunStoreOptions,
  ) {}

  async save(value: T): Promise<void> {
    await this.kv.put(this.key, JSON.stringify(value));
    this.cached = null;
  }

  async latest(): Promise<T | null> {
    const now = this.options.now();
    if (this.cached && now < this.cached.until) return this.cached.value;
    const value = await this.kv.get<T>(this.key, "json");
    if (this.options.statusCacheMs > 0) this.cached = { value, until: now + this.options.statusCacheMs };
    return value;
  }
}

export class WorkersSeriesStore implements SeriesStore {
  constructor(
    private readonly kv: KVNamespace,
    private readonly ledger: DurableObjectNamespace<Ledger>,
  ) {}

  merge(incoming: Series[], options: ChangePointOptions) {
    return ledgerOf(this.ledger).mergeSeries(incoming, options) as Promise<{
      imports: SeriesImport[];
      issues: FieldIssue[];
    }>;
  }

  async all(): Promise<Series[]> {
    return (await this.kv.get<Series[]>(KEYS.series, "json")) ?? [];
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

  async put(id: string, body: Uint8Array): Promise<void> {
    await this.bucket.put(`${this.prefix}/${id}`, body);
  }

  async get(id: string): Promise<Uint8Array | null> {
    const object = await this.bucket.get(`${this.prefix}/${id}`);
    return object ? new Uint8Array(await object.arrayBuffer()) : null;
  }
}
