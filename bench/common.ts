/** What the bench's parts share: rounding, medians, and a consistent metrics file of any size. */
import autocannon from "autocannon";

export const round3 = (x: number) => Math.round(x * 1000) / 1000;
export const median = (xs: number[]) => round3([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);

/** A consistent smoke-metrics.json with `n` batch timings (deterministic pseudo-random). */
export function metricsText(n: number): string {
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const per_batch_ms = Array.from({ length: n }, () => 8 + random() * 4);
  const total = per_batch_ms.reduce((a, b) => a + b, 0);
  const ops = n * 100;
  return JSON.stringify(
    {
      batches: n,
      batch_size: 100,
      total_operations: ops,
      total_duration_ms: total,
      per_batch_ms,
      throughput_ops_per_sec: ops / (total / 1000),
    },
    null,
    2,
  );
}

export type Load = {
  rps: number;
  /** Answers with a 2xx per second: what was taken, not what was refused with a 429. */
  ok_rps: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  errors: number;
  non2xx: number;
  /** Of the non-2xx, the 429s: a write refused on purpose, to be sent again. */
  refused_429: number;
};

export async function load(url: string, options: Partial<autocannon.Options>): Promise<Load> {
  const result = await autocannon({ url, ...options });
  return {
    rps: round3(result.requests.average),
    ok_rps: round3(result["2xx"] / result.duration),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    refused_429: result.statusCodeStats?.["429"]?.count ?? 0,
  };
}

/** A route's figures over all rounds: total requests and errors, median rate and latencies. */
export function summary(loads: Load[]) {
  return {
    rps: median(loads.map((l) => l.rps)),
    p50_ms: median(loads.map((l) => l.p50_ms)),
    p99_ms: median(loads.map((l) => l.p99_ms)),
    requests: loads.reduce((n, l) => n + l.requests, 0),
    errors: loads.reduce((n, l) => n + l.errors, 0),
    non2xx: loads.reduce((n, l) => n + l.non2xx, 0),
  };
}

/** The median CPU time of `fn` in microseconds, over `iterations` calls after three warm-ups. */
export function cpuMicros(fn: () => unknown, iterations: number): number {
  for (let i = 0; i < 3; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.cpuUsage();
    fn();
    const used = process.cpuUsage(start);
    samples.push(used.user + used.system);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/** CPU per call of `fn`, garbage collection included: what it keeps is let go by the next call. */
export function amortizedMicros(fn: () => unknown, calls: number): number {
  let kept: unknown;
  for (let i = 0; i < calls / 10; i++) kept = fn();
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) kept = fn();
  const used = process.cpuUsage(start);
  if (kept === undefined) throw new Error("nothing was made");
  return round3((used.user + used.system) / calls);
}

/** Firewood's 5-batch result, read once: `nightResult` makes every night from it. */
let fiveBatches: { per_batch_ms: number[]; total_operations: number } | null = null;

/** Night `i`'s result: Firewood's 5-batch result, a few percent apart from the nights around it. */
export function nightResult(i: number) {
  fiveBatches ??= JSON.parse(metricsText(5)) as { per_batch_ms: number[]; total_operations: number };
  const result = fiveBatches;
  // Every figure consistent with the others.
  const per_batch_ms = result.per_batch_ms.map((ms) => ms * (1 + ((i * 7919) % 61) / 1000));
  const total = per_batch_ms.reduce((a, b) => a + b, 0);
  return {
    ...result,
    per_batch_ms,
    total_duration_ms: total,
    throughput_ops_per_sec: result.total_operations / (total / 1000),
  };
}

/** `n` nightly results a few percent apart, one a night, oldest first. */
export function importRows(n: number): string {
  const start = Date.UTC(2000, 0, 1);
  const rows = Array.from({ length: n }, (_, i) => ({
    at: new Date(start + i * 86_400_000).toISOString(),
    sha: (0x10000000 + i).toString(16).repeat(5),
    result: nightResult(i),
  }));
  return JSON.stringify(rows);
}
