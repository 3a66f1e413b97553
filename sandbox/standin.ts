/**
 * A stand-in for `cargo +nightly run -p firewood-benchmark -- smoke`, for laptops without a
 * Firewood checkout: the same shape of work and the same output. It commits 5 batches of 100
 * inserts to a real embedded key-value store (Deno KV, SQLite underneath), times each batch,
 * and writes `$FIREWOOD_SMOKE_OUTPUT` (default smoke-metrics.json) with the embedded baseline
 * report, exactly as the benchmark's smoke.rs and baseline.rs do.
 *
 *   deno run --unstable-kv -A sandbox/standin.ts
 *
 * CHIMNEY_STANDIN_SLOWDOWN_MS adds that long to every batch: a forced regression, to watch
 * chimney raise an alert.
 */
import bundled from "../baselines/smoke.json" with { type: "json" };
import { evaluate, p95, parseBaseline, type BaselineSource } from "../src/core/baseline.ts";

const BATCHES = 5;
const BATCH_SIZE = 100;

const output = Deno.env.get("FIREWOOD_SMOKE_OUTPUT") ?? "smoke-metrics.json";
const slowdown = Number(Deno.env.get("CHIMNEY_STANDIN_SLOWDOWN_MS") ?? 0);
const baselinePath = Deno.env.get("FIREWOOD_SMOKE_BASELINE");

const path = await Deno.makeTempFile({ prefix: "standin-", suffix: ".kv" });
const kv = await Deno.openKv(path);
const perBatch: number[] = [];
try {
  for (let batch = 0; batch < BATCHES; batch++) {
    const started = performance.now();
    const operation = kv.atomic();
    for (let i = 0; i < BATCH_SIZE; i++) {
      const key = crypto.getRandomValues(new Uint8Array(32));
      operation.set(["kv", key], crypto.getRandomValues(new Uint8Array(32)));
    }
    const committed = await operation.commit();
    if (!committed.ok) throw new Error(`batch ${batch} did not commit`);
    if (slowdown > 0) await new Promise((resolve) => setTimeout(resolve, slowdown));
    perBatch.push(performance.now() - started);
  }
} finally {
  kv.close();
  await Deno.remove(path).catch(() => {});
}

const totalOperations = BATCHES * BATCH_SIZE;
const totalDuration = perBatch.reduce((a, b) => a + b, 0);
const throughput = totalOperations / (totalDuration / 1000);
const parsed = parseBaseline(baselinePath ? JSON.parse(await Deno.readTextFile(baselinePath)) : bundled);
if (!parsed.ok) throw new Error(`baseline: ${parsed.issues[0].field}: ${parsed.issues[0].message}`);
const source: BaselineSource = baselinePath ? { type: "File", path: baselinePath } : { type: "Embedded" };
const report = evaluate(
  { throughput_ops_per_sec: throughput, total_duration_ms: totalDuration, per_batch_p95_ms: p95(perBatch) },
  parsed.value,
  source,
);

console.log(
  `SMOKE_BENCHMARK throughput_ops_per_sec=${throughput.toFixed(2)} total_batches=${BATCHES} batch_size=${BATCH_SIZE}`,
);
const metrics = {
  batches: BATCHES,
  batch_size: BATCH_SIZE,
  total_operations: totalOperations,
  total_duration_ms: totalDuration,
  per_batch_ms: perBatch,
  throughput_ops_per_sec: throughput,
  baseline: report,
};
await Deno.writeTextFile(output, JSON.stringify(metrics, null, 2));
