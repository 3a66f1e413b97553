/** Nights of the smoke benchmark for tests: results at a chosen speed, and whole nights on the emulator. */
import passing from "../fixtures/smoke-metrics.json" with { type: "json" };

/**
 * Firewood's passing fixture with every batch `slowdown` times as long: throughput falls and
 * the durations grow by that factor, and the numbers stay consistent with each other.
 */
export function metricsAt(slowdown: number): Record<string, unknown> {
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  const perBatch = passing.per_batch_ms.map((ms) => round(ms * slowdown));
  const total = round(passing.total_duration_ms * slowdown);
  return {
    ...passing,
    per_batch_ms: perBatch,
    total_duration_ms: total,
    throughput_ops_per_sec: passing.total_operations / (total / 1000),
    baseline: null,
  };
}

/** A small, repeatable wobble around 1 (±1%), as a quiet benchmark machine shows. */
export function wobble(i: number): number {
  return 1 + (((i * 7919) % 11) - 5) / 500;
}

/**
 * Ordinary night-to-night noise of about ±3%, as Firewood's benchmark machine shows between
 * segments: a repeatable pseudo-random draw for night `i`, never two nights alike.
 */
export function noise(i: number): number {
  const x = Math.sin((i + 1) * 12.9898) * 43758.5453;
  return 1 + (x - Math.floor(x) - 0.5) * 0.06;
}
