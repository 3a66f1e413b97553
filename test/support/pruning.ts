/** Pruning results for tests: Firewood's fixtures at a chosen speed, consistent as the runner writes them. */

/**
 * A pruning-metrics file with every block `slowdown` times as long: throughput falls and the
 * durations grow by that factor, and the numbers stay consistent with each other.
 */
export function pruningAt(fixture: string, slowdown: number): string {
  const m = JSON.parse(fixture) as { per_block_ms: number[]; total_duration_ms: number; total_operations: number };
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  const total = round(m.total_duration_ms * slowdown);
  return JSON.stringify({
    ...m,
    per_block_ms: m.per_block_ms.map((ms) => round(ms * slowdown)),
    total_duration_ms: total,
    throughput_ops_per_sec: m.total_operations / (total / 1000),
    baseline: null,
  });
}
