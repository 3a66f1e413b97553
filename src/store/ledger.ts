/**
 * The ledger: the one Durable Object every Workers write goes through, since Workers KV has no
 * compare-and-set. Its SQLite storage is the record of truth (runs, dispatches, deliveries,
 * alerts and their outbox, settlements, imported series); what the read routes need is
 * projected into KV, where they find it with one `get`.
 *
 * Each write is synchronous SQL (`transactionSync`), so no other event interleaves with it; the
 * projection it needs is shared with the writes made while one is being written (`projectAfter`).
 * A write never awaits a projection inside `blockConcurrencyWhile`: the gate holds back the I/O
 * of the request that started that projection, and the two waited on each other until the
 * runtime reset the object (a burst of uploads while runs were settled, at 10 000 runs).
 *
 * One class past 300 lines: a Durable Object is one class, and its methods are the ledger's
 * transactions over one schema and one projection.
 */
import { DurableObject } from "cloudflare:workers";
import {
  claimable,
  leased,
  isListed,
  planSubjects,
  finishedWrite,
  type WriteOutcome,
  withIssue,
  type Alert,
  type AlertSubject,
  type AlertWrite,
} from "../core/alert.ts";
import type { ChangePointOptions } from "../core/changepoints/analysis.ts";
import { parseConfig } from "../core/config.ts";
import { shouldProcess, shouldRetry, startProcessing, type Delivery } from "../core/delivery.ts";
import { isUnsettled, type Dispatch } from "../core/dispatch.ts";
import { PageChanges, pageAfter, type PageAnswer, type PageVersion } from "../core/newest-page.ts";
import {
  HISTORY_PAGE,
  historyColumns,
  historyEntry,
  type HistoryColumns,
  type HistoryEntry,
  type Position,
} from "../core/history.ts";
import { structuredLog, type Log } from "../core/log.ts";
import { COMPLETED_STATES, mergeRun, OPEN_STATES, type RecordOutcome, type Run } from "../core/run.ts";
import { headOf, mergeSeries, type Series, type SeriesImport } from "../core/series.ts";
import type { Settlement, UnsettledRun } from "../core/settle.ts";
import { endsStatus, statusDocument } from "../core/status.ts";
import type { FieldIssue } from "../core/validation.ts";
import { COUNTERS, type CounterName, type CounterValue, type HealthCounts } from "../core/health.ts";

interface LedgerEnv {
  RUNS: KVNamespace;
}

/** KV keys of the projection. */
export const KEYS = {
  run: (id: string) => `run:${id}`,
  recent: "recent",
  status: "status",
  alerts: "alerts",
  series: "series",
  seriesHeads: "series:heads",
  changes: "changes",
} as const;

/** How long to wait before projecting again after KV refused a write. */
const PROJECTION_RETRY_MS = 10_000;

/**
 * Runs the `recent` document holds, newest first: the status page charts 90 nights and reads
 * three times as many runs for them, so it and the first page of /runs are one KV read. Older
 * pages come from the ledger's index. A bound, so a record costs the same at any history length.
 */
export const RECENT_RUNS = 300;

/** The newest runs and how many there are: what KV holds of the history. */
export interface RecentRuns {
  runs: HistoryEntry[];
  total: number;
}

export class Ledger extends DurableObject<LedgerEnv> {
  private readonly sql: SqlStorage;
  /**
   * The newest `HISTORY_PAGE` entries as the table holds them, kept in memory once read: a
   * settlement reads them back, and KV's `recent` is their first `RECENT_RUNS`.
   */
  private newest: HistoryEntry[] | null = null;
  /** Which entries of `newest` changed when, so a reader holding a copy is sent only those. */
  private readonly pageChanges = new PageChanges();
  /** The projection being written, and whether a change was merged since it began. */
  private projecting: Promise<void> | null = null;
  private unprojected = false;
  /** Through the same secret-scrubbing log as the rest of chimney. */
  private readonly log: Log;

  constructor(ctx: DurableObjectState, env: LedgerEnv) {
    super(ctx, env);
    this.log = structuredLog(parseConfig(env as unknown as Record<string, unknown>).config, console.error, Date.now);
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
      CREATE TABLE IF NOT EXISTS documents (key TEXT PRIMARY KEY, body TEXT NOT NULL, projected INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE IF NOT EXISTS leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, until INTEGER NOT NULL);
    `);
    // Ledgers made before the settle stage: their runs were settled as they were recorded.
    const columns = this.sql
      .exec<{ name: string }>("PRAGMA table_info(runs)")
      .toArray()
      .map((c) => c.name);
    if (!columns.includes("settled")) {
      this.sql.exec("ALTER TABLE runs ADD COLUMN settled INTEGER NOT NULL DEFAULT 1");
      this.sql.exec("ALTER TABLE runs ADD COLUMN revision INTEGER NOT NULL DEFAULT 0");
    }
    this.sql.exec("CREATE INDEX IF NOT EXISTS runs_unsettled ON runs (settled, at, id)");
    // A projection reads the runs KV lacks, a few, by this index: a scan reads every run's record.
    this.sql.exec("CREATE INDEX IF NOT EXISTS runs_unprojected ON runs (id) WHERE projected = 0");
    this.createHealthCounts();
  }

  /**
   * The counts /metrics reads, kept on write: runs by state (counted once from the runs of a
   * ledger made before them), counters, and the outbox's pending writes by an index.
   */
  private createHealthCounts(): void {
    const had = this.one<{ n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'run_states'")?.n === 1;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS run_states (state TEXT PRIMARY KEY, n INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS counters (name TEXT NOT NULL, labels TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (name, labels));
      CREATE INDEX IF NOT EXISTS alert_writes_pending ON alert_writes (done);
    `);
    if (!had)
      this.sql.exec(
        "INSERT INTO run_states (state, n) SELECT json_extract(record, '$.state'), COUNT(*) FROM runs GROUP BY 1",
      );
  }

  /**
   * Merges a report of a run and projects the change before answering. A run the report
   * brings to a final state waits to be settled, unless it comes settled (an import).
   */
  async record(incoming: Run, settled: boolean): Promise<RecordOutcome> {
    // The merge is synchronous SQL, so no other event interleaves with it; the projection is
    // shared with the reports merged while one was being written (see `projectAfter`).
    const outcome = this.transaction(() => this.merge(incoming, settled));
    if (outcome.kind === "created" || outcome.kind === "updated") await this.projectAfter();
    return outcome;
  }

  private merge(incoming: Run, settled: boolean): RecordOutcome {
    const known = incoming.identity
      ? this.one<{ id: string }>("SELECT id FROM runs WHERE identity = ?", incoming.identity)
      : null;
    const stored = this.storedRun(known?.id ?? incoming.id);
    const outcome = mergeRun(stored, incoming);
    if (outcome.kind === "created" || outcome.kind === "updated") {
      this.saveRun(outcome.run, stored, COMPLETED_STATES.includes(outcome.run.state) && !settled ? 0 : 1);
    }
    return outcome;
  }

  /**
   * Records a batch (an import) in one transaction with one projection: a thousand rows cost a
   * thousand inserts, not a thousand projections.
   */
  async recordMany(incoming: Run[], settled: boolean): Promise<RecordOutcome[]> {
    const outcomes = this.transaction(() => incoming.map((run) => this.merge(run, settled)));
    if (outcomes.some((o) => o.kind === "created" || o.kind === "updated")) await this.projectAfter();
    return outcomes;
  }

  /**
   * A page of the history, newest first, after `after` (exclusive), by the runs' index; in
   * columns, the cheapest shape to copy back to the Worker. The newest page is `newestPage`.
   */
  async historyPage(limit: number, after: Position | null): Promise<{ columns: HistoryColumns; more: boolean }> {
    const rows = after
      ? this.sql.exec<{ entry: string }>(
          "SELECT entry FROM runs WHERE at < ? OR (at = ? AND id < ?) ORDER BY at DESC, id DESC LIMIT ?",
          after.at,
          after.at,
          after.id,
          limit + 1,
        )
      : this.sql.exec<{ entry: string }>("SELECT entry FROM runs ORDER BY at DESC, id DESC LIMIT ?", limit + 1);
    const entries = rows.toArray().map((row) => JSON.parse(row.entry) as HistoryEntry);
    return { columns: historyColumns(entries.slice(0, limit)), more: entries.length > limit };
  }

  /** The newest page, or what changed in it since the version of the reader's copy (core/newest-page.ts). */
  async newestPage(reader: PageVersion | null): Promise<PageAnswer> {
    return this.pageChanges.answer(this.readNewest(), this.count(), reader);
  }

  /** Recorded runs in a final state that are not settled yet, oldest first. */
  async unsettledRuns(limit: number): Promise<UnsettledRun[]> {
    return this.sql
      .exec<{ record: string; revision: number }>(
        "SELECT record, revision FROM runs WHERE settled = 0 ORDER BY at, id LIMIT ?",
        limit,
      )
      .toArray()
      .map((row) => ({ run: JSON.parse(row.record) as Run, revision: String(row.revision) }));
  }

  /** The settling lease (see `SettlementStore.hold`): synchronous SQL, so two holds never interleave. */
  async holdSettling(holder: string, now: number, ms: number): Promise<boolean> {
    const lease = this.one<{ holder: string; until: number }>("SELECT holder, until FROM leases WHERE name = 'settle'");
    if (lease && lease.holder !== holder && lease.until > now) return false;
    this.sql.exec(
      "INSERT INTO leases (name, holder, until) VALUES ('settle', ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until",
      holder,
      now + ms,
    );
    return true;
  }

  async releaseSettling(holder: string): Promise<void> {
    this.sql.exec("DELETE FROM leases WHERE name = 'settle' AND holder = ?", holder);
  }

  /** Commits a settlement at once (see `SettlementStore.commit`). */
  async commitSettlement(settlement: Settlement, now: string): Promise<boolean> {
    const committed = this.transaction(() => {
      const { settles } = settlement;
      if (settles) {
        const row = this.one<{ settled: number; revision: number }>(
          "SELECT settled, revision FROM runs WHERE id = ?",
          settles.run_id,
        );
        if (!row || row.settled === 1 || String(row.revision) !== settles.revision) return false;
      }
      for (const changed of settlement.runs) {
        const stored = this.storedRun(changed.id);
        const outcome = mergeRun(stored, changed);
        if (outcome.kind === "created" || outcome.kind === "updated") this.saveRun(outcome.run, stored, null);
      }
      if (settles) this.sql.exec("UPDATE runs SET settled = 1 WHERE id = ?", settles.run_id);
      if (settlement.analysis) {
        this.sql.exec(
          "INSERT INTO documents (key, body, projected) VALUES (?, ?, 0) ON CONFLICT (key) DO UPDATE SET body = excluded.body, projected = 0",
          KEYS.changes,
          JSON.stringify(settlement.analysis),
        );
      }
      const claimed = settlement.dispatch !== null && this.insertDispatch(settlement.dispatch);
      this.planAll(settlement.subjects, claimed ? settlement.dispatch : null, now);
      return true;
    });
    if (committed) await this.projectAfter();
    return committed;
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
    return this.insertDispatch(dispatch);
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
    if (!row) return;
    this.saveDelivery({ ...(JSON.parse(row.record) as Delivery), ...outcome, updated_at: at });
    this.addTo(COUNTERS.deliveries, { outcome: outcome.state === "done" ? "processed" : "failed" }, 1);
  }

  /** What /metrics serves (`HealthCounts`): a few rows, whatever the history's length. */
  async healthCounts(): Promise<HealthCounts> {
    const runs = this.sql
      .exec<{ state: string; n: number }>("SELECT state, n FROM run_states WHERE n > 0 ORDER BY state")
      .toArray()
      .map((r) => ({ state: r.state, count: r.n }));
    const counters = this.sql
      .exec<{ name: string; labels: string; value: number }>(
        "SELECT name, labels, value FROM counters ORDER BY name, labels",
      )
      .toArray()
      .map((r) => ({
        name: r.name as CounterName,
        labels: JSON.parse(r.labels) as Record<string, string>,
        value: r.value,
      }));
    const outbox = this.one<{ n: number }>("SELECT COUNT(*) AS n FROM alert_writes WHERE done = 0")?.n ?? 0;
    return { runs, outbox, counters };
  }

  /** Adds an isolate's tallies (GitHub requests by outcome) to the counters, at once. */
  async addCounters(deltas: CounterValue[]): Promise<void> {
    this.transaction(() => {
      for (const { name, labels, value } of deltas) this.addTo(name, labels, value);
    });
  }

  private addTo(name: CounterName, labels: Record<string, string>, by: number): void {
    this.sql.exec(
      "INSERT INTO counters (name, labels, value) VALUES (?, ?, ?) ON CONFLICT (name, labels) DO UPDATE SET value = value + excluded.value",
      name,
      JSON.stringify(labels),
      by,
    );
  }

  async retryableDeliveries(now: number): Promise<Delivery[]> {
    return this.sql
      .exec<{ record: string }>("SELECT record FROM deliveries WHERE json_extract(record, '$.state') != 'done'")
      .toArray()
      .map((row) => JSON.parse(row.record) as Delivery)
      .filter((d) => shouldRetry(d, now));
  }

  /** Applies an alert subject (a dashboard check) to its alerts and queues the writes, in one step. */
  async planAlerts(subject: AlertSubject, now: string): Promise<AlertWrite[]> {
    const planned = this.transaction(() => this.planAll([subject], null, now));
    if (planned.alertsChanged) await this.projectAfter();
    return planned.added;
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

  async finishWrite(id: string, outcome: WriteOutcome): Promise<void> {
    const alertChanged = this.transaction(() => {
      const row = this.one<{ record: string }>("SELECT record FROM alert_writes WHERE id = ?", id);
      if (!row) return false;
      const write = finishedWrite(JSON.parse(row.record) as AlertWrite, outcome);
      this.saveWrite(write);
      const then = outcome.error === null ? outcome.then : null;
      if (then) this.queueWrite({ ...then, seq: this.nextSeq() });
      const alert = this.one<{ record: string }>("SELECT record FROM alerts WHERE fingerprint = ?", write.fingerprint);
      if (!alert || !outcome.issue) return false;
      this.saveAlert(withIssue(JSON.parse(alert.record) as Alert, outcome.issue));
      return true;
    });
    if (alertChanged) await this.projectAfter();
  }

  async getAlert(fingerprint: string): Promise<Alert | null> {
    const row = this.one<{ record: string }>("SELECT record FROM alerts WHERE fingerprint = ?", fingerprint);
    return row ? (JSON.parse(row.record) as Alert) : null;
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
      await Promise.all([
        this.env.RUNS.put(KEYS.series, JSON.stringify(merged.series)),
        this.env.RUNS.put(KEYS.seriesHeads, JSON.stringify(merged.series.map(headOf))),
      ]);
      return { imports: merged.imports, issues: [] };
    });
  }

  async alarm(): Promise<void> {
    await this.projectAfter();
  }

  private storedRun(id: string): Run | null {
    const row = this.one<{ record: string }>("SELECT record FROM runs WHERE id = ?", id);
    return row ? (JSON.parse(row.record) as Run) : null;
  }

  /**
   * Saves a run's record at its next revision over `was`, the record it replaces (read by the
   * caller to merge); `settled` null keeps whether it is settled.
   */
  private saveRun(run: Run, was: Run | null, settled: 0 | 1 | null): void {
    const entry = historyEntry(run);
    if (was?.state !== run.state) {
      if (was) this.sql.exec("UPDATE run_states SET n = n - 1 WHERE state = ?", was.state);
      this.sql.exec(
        "INSERT INTO run_states (state, n) VALUES (?, 1) ON CONFLICT (state) DO UPDATE SET n = n + 1",
        run.state,
      );
    }
    this.sql.exec(
      `INSERT INTO runs (id, at, identity, record, entry, projected, settled, revision) VALUES (?, ?, ?, ?, ?, 0, ?, 1)
       ON CONFLICT (id) DO UPDATE SET at = excluded.at, identity = excluded.identity, record = excluded.record,
         entry = excluded.entry, projected = 0, settled = COALESCE(?, settled), revision = revision + 1`,
      run.id,
      run.at,
      run.identity,
      JSON.stringify(run),
      JSON.stringify(entry),
      settled ?? 1,
      settled,
    );
    this.newest = pageAfter(this.readNewest(), entry);
    if (this.newest) this.pageChanges.changed(entry.id);
    else this.pageChanges.reset();
  }

  private insertDispatch(dispatch: Dispatch): boolean {
    const inserted = this.sql.exec(
      "INSERT INTO dispatches (correlation_id, record) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING correlation_id",
      dispatch.correlation_id,
      JSON.stringify(dispatch),
    );
    return inserted.toArray().length === 1;
  }

  /** Applies subjects to the alerts and queues their writes (and a dispatch's), each write once. */
  private planAll(
    subjects: readonly AlertSubject[],
    dispatch: Dispatch | null,
    now: string,
  ): { added: AlertWrite[]; alertsChanged: boolean } {
    const alerts = new Map(this.allAlerts().map((a) => [a.fingerprint, a]));
    const planned = planSubjects(alerts, subjects, dispatch, this.nextSeq(), now);
    const added = planned.writes.filter((write) => this.queueWrite(write));
    for (const alert of planned.alerts) this.saveAlert(alert);
    return { added, alertsChanged: planned.alerts.length > 0 };
  }

  /** The outbox's next place in line. */
  private nextSeq(): number {
    return (this.one<{ seq: number | null }>("SELECT MAX(seq) AS seq FROM alert_writes")?.seq ?? 0) + 1;
  }

  /** Queues a write in the outbox unless it is there already (each write once); whether it was added. */
  private queueWrite(write: AlertWrite): boolean {
    return (
      this.sql
        .exec(
          "INSERT INTO alert_writes (id, seq, record) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
          write.id,
          write.seq,
          JSON.stringify(write),
        )
        .toArray().length === 1
    );
  }

  private allAlerts(): Alert[] {
    return this.sql
      .exec<{ record: string }>("SELECT record FROM alerts")
      .toArray()
      .map((row) => JSON.parse(row.record) as Alert);
  }

  /** Saves an alert, and the open alerts as /status reads them, to be projected with the rest. */
  private saveAlert(alert: Alert): void {
    this.sql.exec(
      "INSERT INTO alerts (fingerprint, record) VALUES (?, ?) ON CONFLICT (fingerprint) DO UPDATE SET record = excluded.record",
      alert.fingerprint,
      JSON.stringify(alert),
    );
    this.sql.exec(
      "INSERT INTO documents (key, body, projected) VALUES (?, ?, 0) ON CONFLICT (key) DO UPDATE SET body = excluded.body, projected = 0",
      KEYS.alerts,
      JSON.stringify(this.allAlerts().filter(isListed)),
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

  private saveDelivery(delivery: Delivery): void {
    this.sql.exec(
      "INSERT INTO deliveries (id, record) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record",
      delivery.id,
      JSON.stringify(delivery),
    );
  }

  /**
   * Resolves once a projection that began after this call has been written. Reports arriving
   * while one is being written share the next, so a burst of uploads costs a few projections,
   * not one each queued behind the other, and each report still answers after KV shows it.
   */
  private async projectAfter(): Promise<void> {
    this.unprojected = true;
    while (this.projecting) await this.projecting;
    if (!this.unprojected) return;
    this.unprojected = false;
    this.projecting = this.project().finally(() => {
      this.projecting = null;
    });
    await this.projecting;
  }

  /**
   * Writes every run and document not yet in KV, the recent runs and the status; on failure,
   * tries again later. Bounded: what it writes does not grow with the history.
   */
  private async project(): Promise<void> {
    const pending = this.sql
      .exec<{ id: string; record: string }>("SELECT id, record FROM runs WHERE projected = 0")
      .toArray();
    const documents = this.sql
      .exec<{ key: string; body: string }>("SELECT key, body FROM documents WHERE projected = 0")
      .toArray();
    const recent: RecentRuns = { runs: this.readNewest().slice(0, RECENT_RUNS), total: this.count() };
    try {
      await Promise.all([
        ...pending.map(({ id, record }) => this.env.RUNS.put(KEYS.run(id), record)),
        ...documents.map(({ key, body }) => this.env.RUNS.put(key, body)),
        this.env.RUNS.put(KEYS.recent, JSON.stringify(recent)),
        this.env.RUNS.put(KEYS.status, JSON.stringify(statusDocument(this.newestToStatus(recent.runs), recent.total))),
      ]);
      for (const { id, record } of pending) {
        this.sql.exec("UPDATE runs SET projected = 1 WHERE id = ? AND record = ?", id, record);
      }
      for (const { key, body } of documents) {
        this.sql.exec("UPDATE documents SET projected = 1 WHERE key = ? AND body = ?", key, body);
      }
    } catch (error) {
      this.log({ event: "projection_failed", error: (error as Error).message });
      await this.ctx.storage.setAlarm(Date.now() + PROJECTION_RETRY_MS);
    }
  }

  /** The newest entries up to the last settled night, which is all `statusDocument` reads. */
  private newestToStatus(recent: HistoryEntry[]): HistoryEntry[] {
    const end = recent.findIndex(endsStatus);
    if (end >= 0) return recent.slice(0, end + 1);
    const older: HistoryEntry[] = [];
    for (const row of this.sql.exec<{ entry: string }>(
      "SELECT entry FROM runs ORDER BY at DESC, id DESC LIMIT -1 OFFSET ?",
      recent.length,
    )) {
      const entry = JSON.parse(row.entry) as HistoryEntry;
      older.push(entry);
      if (endsStatus(entry)) break;
    }
    return [...recent, ...older];
  }

  /**
   * A write in one transaction. When SQLite refuses it, it rolls the transaction back, and the
   * newest page held in memory, which the write may have changed, is read again.
   */
  private transaction<T>(write: () => T): T {
    try {
      return this.ctx.storage.transactionSync(write);
    } catch (error) {
      this.newest = null;
      this.pageChanges.reset();
      throw error;
    }
  }

  /** The runs kept, from the counts by state: `COUNT(*)` reads every row. */
  private count(): number {
    return this.one<{ n: number | null }>("SELECT SUM(n) AS n FROM run_states")?.n ?? 0;
  }

  private readNewest(): HistoryEntry[] {
    this.newest ??= this.sql
      .exec<{ entry: string }>("SELECT entry FROM runs ORDER BY at DESC, id DESC LIMIT ?", HISTORY_PAGE)
      .toArray()
      .map((row) => JSON.parse(row.entry) as HistoryEntry);
    return this.newest;
  }

  private one<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: SqlStorageValue[]): T | null {
    return this.sql.exec<T>(query, ...bindings).toArray()[0] ?? null;
  }
}
