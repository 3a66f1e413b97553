/**
 * chimney's health counts in Deno KV, kept on write as the Ledger keeps them in SQLite: runs by
 * state, the outbox's pending writes and the counters, each a `Deno.KvU64` that the write adding a
 * run, a write or a delivery outcome sums in its own atomic operation. A scrape reads a few keys,
 * whatever the history's length. A store written before the counts were kept is counted once, on
 * the first scrape.
 */
import { COUNTERS, type CounterName, type CounterValue, type HealthCounts } from "../core/health.ts";
import type { AlertWrite } from "../core/alert.ts";
import type { Run } from "../core/run.ts";
import type { HealthStore } from "./ports.ts";

const RUNS = ["health", "runs"] as const;
const OUTBOX = ["health", "outbox"] as const;
const COUNTER = ["health", "counter"] as const;
const COUNTED = ["health", "counted"] as const;

/** KvU64 sums wrap around at 2^64: adding 2^64 − 1 takes one away. */
const MINUS_ONE = 2n ** 64n - 1n;

/** Whether a write still waits in the outbox (the Ledger's `done = 0`). */
const waiting = (w: Pick<AlertWrite, "state">) => w.state !== "done" && w.state !== "abandoned";

/** Counts a run's record replacing `stored` (null for a new run). */
export function countRun(op: Deno.AtomicOperation, stored: Pick<Run, "state"> | null, run: Pick<Run, "state">): void {
  if (stored?.state === run.state) return;
  if (stored) op.sum([...RUNS, stored.state], MINUS_ONE);
  op.sum([...RUNS, run.state], 1n);
}

/** Counts an outbox write replacing `stored` (null for a new write). */
export function countWrite(
  op: Deno.AtomicOperation,
  stored: Pick<AlertWrite, "state"> | null,
  write: Pick<AlertWrite, "state">,
): void {
  const was = stored !== null && waiting(stored);
  if (was !== waiting(write)) op.sum([...OUTBOX], was ? MINUS_ONE : 1n);
}

/** Counts a webhook delivery's outcome, as each attempt finishes. */
export function countDelivery(op: Deno.AtomicOperation, state: "done" | "failed"): void {
  counterSum(op, COUNTERS.deliveries, { outcome: state === "done" ? "processed" : "failed" }, 1);
}

function counterSum(op: Deno.AtomicOperation, name: CounterName, labels: Record<string, string>, by: number): void {
  op.sum([...COUNTER, name, JSON.stringify(labels)], BigInt(by));
}

export class DenoHealthStore implements HealthStore {
  constructor(private readonly kv: Deno.Kv) {}

  async counts(): Promise<HealthCounts> {
    await this.countOnce();
    const runs: HealthCounts["runs"] = [];
    for await (const { key, value } of this.kv.list<Deno.KvU64>({ prefix: [...RUNS] })) {
      const count = Number(value.value);
      if (count > 0) runs.push({ state: String(key[2]), count });
    }
    const counters: CounterValue[] = [];
    for await (const { key, value } of this.kv.list<Deno.KvU64>({ prefix: [...COUNTER] }))
      counters.push({
        name: String(key[2]) as CounterName,
        labels: JSON.parse(String(key[3])) as Record<string, string>,
        value: Number(value.value),
      });
    const outbox = Number((await this.kv.get<Deno.KvU64>([...OUTBOX])).value?.value ?? 0n);
    return { runs: runs.sort((a, b) => a.state.localeCompare(b.state)), outbox, counters };
  }

  async add(deltas: CounterValue[]): Promise<void> {
    const op = this.kv.atomic();
    for (const { name, labels, value } of deltas) counterSum(op, name, labels, value);
    await op.commit();
  }

  /**
   * The runs and pending writes of a store made before the counts, counted once: the counts are
   * set, not added to, so what was summed on write since is not counted twice.
   */
  private async countOnce(): Promise<void> {
    if ((await this.kv.get([...COUNTED])).versionstamp !== null) return;
    const states = new Map<string, bigint>();
    for await (const { value } of this.kv.list<Run>({ prefix: ["run"] }))
      states.set(value.state, (states.get(value.state) ?? 0n) + 1n);
    let outbox = 0n;
    for await (const { value } of this.kv.list<AlertWrite>({ prefix: ["write"] })) if (waiting(value)) outbox++;
    const op = this.kv.atomic().check({ key: [...COUNTED], versionstamp: null });
    for await (const { key } of this.kv.list({ prefix: [...RUNS] })) if (!states.has(String(key[2]))) op.delete(key);
    for (const [state, n] of states) op.set([...RUNS, state], new Deno.KvU64(n));
    op.set([...OUTBOX], new Deno.KvU64(outbox)).set([...COUNTED], true);
    await op.commit();
  }
}
