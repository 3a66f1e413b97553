/**
 * Deno adapters of the records, in Deno KV (what outgrows a value is in deno-blobs.ts). Where the
 * Workers adapters get consistency from one Durable Object, these get it from Deno KV's atomic
 * operations: every write checks the versionstamps of what it read (compare-and-set) and is
 * retried on conflict.
 * Past 300 lines by one adapter per port, each a few transactions long.
 */
import {
  claimable,
  leased,
  isListed,
  standingOf,
  planSubjects,
  planWrites,
  finishedWrite,
  type Standing,
  type WriteOutcome,
  withIssue,
  type Alert,
  type AlertSubject,
  type AlertWrite,
} from "../core/alert.ts";
import { shouldProcess, shouldRetry, startProcessing, type Delivery } from "../core/delivery.ts";
import { isUnsettled, type Dispatch } from "../core/dispatch.ts";
import { encodeCursor, historyEntry, type HistoryEntry, type Position } from "../core/history.ts";
import { COMPLETED_STATES, mergeRun, OPEN_STATES, type RecordOutcome, type Run } from "../core/run.ts";
import type { ChangeReport } from "../core/drift.ts";
import type { Settlement, UnsettledRun } from "../core/settle.ts";
import { endsStatus, statusDocument, type StatusDocument } from "../core/status.ts";
import { countDelivery, countRun, countWrite } from "./deno-health.ts";
import { NO_CACHE, ReadCache, type CacheOptions } from "./read-cache.ts";
import type { AlertStore, DeliveryStore, DispatchStore, Latest, RunStore, SettlementStore } from "./ports.ts";

/** Optimistic transactions give up after this many conflicts in a row. */
const MAX_CONFLICTS = 50;

async function transact<T>(attempt: () => Promise<{ commit: Deno.AtomicOperation | null; result: T }>): Promise<T> {
  for (let i = 0; i < MAX_CONFLICTS; i++) {
    const { commit, result } = await attempt();
    if (!commit || (await commit.commit()).ok) return result;
  }
  throw new Error(`Deno KV: gave up after ${MAX_CONFLICTS} conflicting writes`);
}

async function all<T>(kv: Deno.Kv, prefix: Deno.KvKey): Promise<Deno.KvEntry<T>[]> {
  const entries: Deno.KvEntry<T>[] = [];
  for await (const entry of kv.list<T>({ prefix })) entries.push(entry);
  return entries;
}

export class DenoRunStore implements RunStore {
  private readonly cachedStatus: ReadCache<StatusDocument | null>;

  constructor(
    private readonly kv: Deno.Kv,
    cache: CacheOptions = NO_CACHE,
  ) {
    this.cachedStatus = new ReadCache(cache);
  }

  forget(): void {
    this.cachedStatus.forget();
  }

  async run(id: string): Promise<Run | null> {
    return (await this.kv.get<Run>(["run", id])).value;
  }

  async record(incoming: Run, options = { settled: false }): Promise<RecordOutcome> {
    const outcome = await this.merge(incoming, options);
    this.cachedStatus.forget();
    return outcome;
  }

  private merge(incoming: Run, options: { settled: boolean }): Promise<RecordOutcome> {
    return transact(async () => {
      const identity = incoming.identity ? await this.kv.get<string>(["identity", incoming.identity]) : null;
      const stored = await this.kv.get<Run>(["run", identity?.value ?? incoming.id]);
      const outcome = mergeRun(stored.value, incoming);
      if (outcome.kind !== "created" && outcome.kind !== "updated") return { commit: null, result: outcome };
      const run = outcome.run;
      const op = this.kv.atomic().check(stored);
      if (identity && incoming.identity) op.check(identity).set(["identity", incoming.identity], run.id);
      stageRun(op, stored.value, run);
      if (stored.value) op.delete(["unsettled", stored.value.at, run.id]);
      if (COMPLETED_STATES.includes(run.state) && !options.settled) op.set(["unsettled", run.at, run.id], true);
      return { commit: op, result: outcome };
    });
  }

  /**
   * One atomic operation per run: Deno KV caps an operation's mutations (1 000) and size (800
   * KiB), which a batch of runs, each with its index keys, would pass.
   */
  async recordMany(incoming: Run[], options = { settled: false }): Promise<RecordOutcome[]> {
    const outcomes: RecordOutcome[] = [];
    for (const run of incoming) outcomes.push(await this.record(run, options));
    return outcomes;
  }

  async history(limit: number, after: Position | null) {
    const selector = after ? { prefix: ["history"], end: ["history", after.at, after.id] } : { prefix: ["history"] };
    const runs: HistoryEntry[] = [];
    for await (const entry of this.kv.list<HistoryEntry>(selector, { reverse: true, limit: limit + 1 }))
      runs.push(entry.value);
    const more = runs.length > limit;
    const page = runs.slice(0, limit);
    return { runs: page, cursor: more ? encodeCursor(page.at(-1)!) : null };
  }

  /** Read from the newest end of the history until the last settled night. */
  status(): Promise<StatusDocument | null> {
    return this.cachedStatus.read(() => this.readStatus());
  }

  private async readStatus(): Promise<StatusDocument | null> {
    const count = (await this.kv.get<Deno.KvU64>(["count"])).value;
    if (!count) return null;
    const newest: HistoryEntry[] = [];
    // Small batches: the last settled night is almost always among the newest few, and a list
    // fetches a whole batch (500 entries by default) before the first is looked at.
    for await (const { value } of this.kv.list<HistoryEntry>(
      { prefix: ["history"] },
      { reverse: true, batchSize: 8 },
    )) {
      newest.push(value);
      if (value.mainline && endsStatus(value)) break;
    }
    return statusDocument(newest, Number(count.value));
  }

  async open(): Promise<Run[]> {
    const ids = await all<boolean>(this.kv, ["open"]);
    const runs = await Promise.all(ids.map((e) => this.run(String(e.key[1]))));
    return runs.filter((r): r is Run => r !== null && OPEN_STATES.includes(r.state));
  }
}

/** A run's record and the keys that index it, in an atomic operation that checked the stored record. */
function stageRun(op: Deno.AtomicOperation, stored: Run | null, run: Run): void {
  countRun(op, stored, run);
  if (stored) op.delete(["history", stored.at, run.id]);
  else op.sum(["count"], 1n);
  op.set(["run", run.id], run).set(["history", run.at, run.id], historyEntry(run));
  if (OPEN_STATES.includes(run.state)) op.set(["open", run.id], true);
  else op.delete(["open", run.id]);
}

/**
 * New outbox writes numbered after `seq`, in an atomic operation that checks the sequence and
 * that no write has their ids yet.
 */
function stageWrites(op: Deno.AtomicOperation, seq: Deno.KvEntryMaybe<number>, writes: readonly AlertWrite[]): void {
  op.check(seq);
  for (const write of writes) {
    op.check({ key: ["write", write.id], versionstamp: null }).set(["write", write.id], write);
    countWrite(op, null, write);
  }
  op.set(["write-seq"], (seq.value ?? 0) + writes.length);
}

/**
 * Settlements in one Deno KV atomic operation. The analysis is chunked (it outgrows a KV value):
 * written first, so a settled run always has its analysis; a plan that then loses to a newer
 * revision is replaced by that revision's own settlement, analysis and all.
 */
export class DenoSettlementStore implements SettlementStore {
  constructor(
    private readonly kv: Deno.Kv,
    private readonly changes: Latest<ChangeReport>,
    /** The cached reads a settlement changes (the status, the open alerts): forgotten once it is committed. */
    private readonly cached: { forget(): void }[] = [],
  ) {}

  async hold(holder: string, now: number, ms: number): Promise<boolean> {
    return transact(async () => {
      const lease = await this.kv.get<{ holder: string; until: number }>(["lease", "settle"]);
      if (lease.value && lease.value.holder !== holder && lease.value.until > now)
        return { commit: null, result: false };
      const op = this.kv
        .atomic()
        .check(lease)
        .set(["lease", "settle"], { holder, until: now + ms });
      return { commit: op, result: true };
    });
  }

  async release(holder: string): Promise<void> {
    await transact(async () => {
      const lease = await this.kv.get<{ holder: string; until: number }>(["lease", "settle"]);
      if (lease.value?.holder !== holder) return { commit: null, result: undefined };
      return { commit: this.kv.atomic().check(lease).delete(["lease", "settle"]), result: undefined };
    });
  }

  async unsettled(limit: number): Promise<UnsettledRun[]> {
    const waiting: UnsettledRun[] = [];
    for await (const { key } of this.kv.list({ prefix: ["unsettled"] }, { limit })) {
      const entry = await this.kv.get<Run>(["run", String(key[2])]);
      if (entry.value && entry.versionstamp) waiting.push({ run: entry.value, revision: entry.versionstamp });
    }
    return waiting;
  }

  async commit(settlement: Settlement, now: string): Promise<boolean> {
    if (settlement.analysis) await this.changes.save(settlement.analysis);
    const committed = await this.committed(settlement, now);
    for (const c of this.cached) c.forget();
    return committed;
  }

  private committed(settlement: Settlement, now: string): Promise<boolean> {
    return transact(async () => {
      const op = this.kv.atomic();
      const { settles } = settlement;
      const checked = new Map<string, Deno.KvEntryMaybe<Run>>();
      if (settles) {
        const run = await this.kv.get<Run>(["run", settles.run_id]);
        if (!run.value || run.versionstamp !== settles.revision) return { commit: null, result: false };
        const waiting = await this.kv.get(["unsettled", run.value.at, run.value.id]);
        if (waiting.versionstamp === null) return { commit: null, result: false };
        op.check(run, waiting).delete(["unsettled", run.value.at, run.value.id]);
        checked.set(settles.run_id, run);
      }
      for (const changed of settlement.runs) {
        const stored = checked.get(changed.id) ?? (await this.kv.get<Run>(["run", changed.id]));
        const outcome = mergeRun(stored.value, changed);
        if (outcome.kind !== "created" && outcome.kind !== "updated") continue;
        if (!checked.has(changed.id)) op.check(stored);
        stageRun(op, stored.value, outcome.run);
      }
      let dispatch: Dispatch | null = null;
      if (settlement.dispatch) {
        const key = ["dispatch", settlement.dispatch.correlation_id];
        const existing = await this.kv.get(key);
        op.check(existing);
        if (existing.versionstamp === null) {
          op.set(key, settlement.dispatch);
          dispatch = settlement.dispatch;
        }
      }
      const alerts = await all<Alert>(this.kv, ["alert"]);
      const seq = await this.kv.get<number>(["write-seq"]);
      const planned = planSubjects(
        new Map(alerts.map((e) => [e.value.fingerprint, e.value])),
        settlement.subjects,
        dispatch,
        (seq.value ?? 0) + 1,
        now,
      );
      op.check(...alerts);
      for (const alert of planned.alerts) op.set(["alert", alert.fingerprint], alert);
      stageWrites(op, seq, planned.writes);
      return { commit: op, result: true };
    });
  }
}

export class DenoDispatchStore implements DispatchStore {
  constructor(private readonly kv: Deno.Kv) {}

  async claim(dispatch: Dispatch): Promise<boolean> {
    const key = ["dispatch", dispatch.correlation_id];
    return (await this.kv.atomic().check({ key, versionstamp: null }).set(key, dispatch).commit()).ok;
  }

  async save(dispatch: Dispatch): Promise<void> {
    await this.kv.set(["dispatch", dispatch.correlation_id], dispatch);
  }

  async get(correlationId: string): Promise<Dispatch | null> {
    return (await this.kv.get<Dispatch>(["dispatch", correlationId])).value;
  }

  async unsettled(): Promise<Dispatch[]> {
    return (await all<Dispatch>(this.kv, ["dispatch"])).map((e) => e.value).filter(isUnsettled);
  }
}

export class DenoDeliveryStore implements DeliveryStore {
  constructor(private readonly kv: Deno.Kv) {}

  claim(id: string, event: string, at: string): Promise<boolean> {
    return transact(async () => {
      const stored = await this.kv.get<Delivery>(["delivery", id]);
      if (!shouldProcess(stored.value, Date.parse(at))) return { commit: null, result: false };
      return {
        commit: this.kv
          .atomic()
          .check(stored)
          .set(["delivery", id], startProcessing(stored.value, id, event, at)),
        result: true,
      };
    });
  }

  async finish(id: string, outcome: { state: "done" | "failed"; error: string | null }, at: string): Promise<void> {
    await transact(async () => {
      const stored = await this.kv.get<Delivery>(["delivery", id]);
      if (!stored.value) return { commit: null, result: undefined };
      const op = this.kv
        .atomic()
        .check(stored)
        .set(["delivery", id], { ...stored.value, ...outcome, updated_at: at });
      countDelivery(op, outcome.state);
      return { commit: op, result: undefined };
    });
  }

  async retryable(now: number): Promise<Delivery[]> {
    return (await all<Delivery>(this.kv, ["delivery"])).map((e) => e.value).filter((d) => shouldRetry(d, now));
  }
}

export class DenoAlertStore implements AlertStore {
  private readonly cachedOpen: ReadCache<Alert[]>;

  constructor(
    private readonly kv: Deno.Kv,
    cache: CacheOptions = NO_CACHE,
  ) {
    this.cachedOpen = new ReadCache(cache);
  }

  forget(): void {
    this.cachedOpen.forget();
  }

  async plan(subject: AlertSubject, now: string): Promise<AlertWrite[]> {
    const writes = await this.planned(subject, now);
    this.cachedOpen.forget();
    return writes;
  }

  private planned(subject: AlertSubject, now: string): Promise<AlertWrite[]> {
    return transact(async () => {
      const alerts = await all<Alert>(this.kv, ["alert"]);
      const seq = await this.kv.get<number>(["write-seq"]);
      const planned = planWrites(
        new Map(alerts.map((e) => [e.value.fingerprint, e.value])),
        subject,
        (seq.value ?? 0) + 1,
        now,
      );
      if (planned.alerts.length === 0 && planned.writes.length === 0) return { commit: null, result: [] };
      const op = this.kv.atomic().check(...alerts);
      for (const alert of planned.alerts) op.set(["alert", alert.fingerprint], alert);
      stageWrites(op, seq, planned.writes);
      return { commit: op, result: planned.writes };
    });
  }

  claim(now: number, limit: number): Promise<AlertWrite[]> {
    return transact(async () => {
      const entries = (await all<AlertWrite>(this.kv, ["write"])).filter(
        (e) => e.value.state === "pending" || e.value.state === "sending",
      );
      const ready = claimable(
        entries.map((e) => e.value),
        now,
        limit,
      );
      if (ready.length === 0) return { commit: null, result: [] };
      const op = this.kv.atomic();
      const claimed = ready.map((w) => leased(w, now));
      for (const write of claimed)
        op.check(entries.find((e) => e.value.id === write.id)!).set(["write", write.id], write);
      return { commit: op, result: claimed };
    });
  }

  async finish(id: string, outcome: WriteOutcome): Promise<void> {
    await transact(async () => {
      const write = await this.kv.get<AlertWrite>(["write", id]);
      if (!write.value) return { commit: null, result: undefined };
      const alert = await this.kv.get<Alert>(["alert", write.value.fingerprint]);
      const finished = finishedWrite(write.value, outcome);
      const op = this.kv.atomic().check(write, alert).set(["write", id], finished);
      countWrite(op, write.value, finished);
      const then = outcome.error === null ? outcome.then : null;
      if (then) {
        const seq = await this.kv.get<number>(["write-seq"]);
        stageWrites(op, seq, [{ ...then, seq: (seq.value ?? 0) + 1 }]);
      }
      if (alert.value && outcome.issue)
        op.set(["alert", alert.value.fingerprint], withIssue(alert.value, outcome.issue));
      return { commit: op, result: undefined };
    });
    this.cachedOpen.forget();
  }

  async alert(fingerprint: string): Promise<Alert | null> {
    return (await this.kv.get<Alert>(["alert", fingerprint])).value;
  }

  async open(): Promise<readonly Alert[]> {
    return (await this.standing()).open;
  }

  async standing(): Promise<Standing> {
    return standingOf(await this.listed());
  }

  /** The open and accepted alerts. */
  private listed(): Promise<Alert[]> {
    return this.cachedOpen.read(async () =>
      (await all<Alert>(this.kv, ["alert"])).map((e) => e.value).filter(isListed),
    );
  }
}

export class DenoLatest<T> implements Latest<T> {
  private readonly cached: ReadCache<T | null>;

  constructor(
    private readonly kv: Deno.Kv,
    private readonly key: "dashboards",
    cache: CacheOptions = NO_CACHE,
  ) {
    this.cached = new ReadCache(cache);
  }

  async save(value: T): Promise<void> {
    await this.kv.set([this.key], value);
    this.cached.forget();
  }

  latest(): Promise<T | null> {
    return this.cached.read(async () => (await this.kv.get<T>([this.key])).value);
  }
}
