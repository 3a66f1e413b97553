/**
 * Firewood's pruning benchmark (`pruning-metrics-<backend>-bf<branch factor>.json`, core/pruning.ts):
 * one bench per pruning metric (`PRUNING_METRICS`), named `<variant> - <metric key>`
 * (`standard-bf16 - per_block_p95_ms`), the keys of the baseline file's profiles. Throughput is
 * bigger-is-better; the block P95 latency and the total duration are smaller-is-better. The
 * block P95 is computed from `per_block_ms` as the baseline evaluation computes it.
 */
import { p95 } from "../baseline.ts";
import { PRUNING_METRICS, parsePruningMetrics, variantOf, type PruningKey, type PruningMetrics } from "../pruning.ts";
import type { Parsed } from "../validation.ts";
import { collect, documentJson, type Bench, type Found } from "./bench.ts";

/** The files of a pruning artifact that hold results; the rest (summaries, logs) are left. */
export const PRUNING_RESULT_FILE = /(^|\/)pruning-metrics[^/]*\.json$/;

const UNITS: Record<PruningKey, { unit: string; bigger_is_better: boolean }> = {
  throughput_ops_per_sec: { unit: "ops/sec", bigger_is_better: true },
  per_block_p95_ms: { unit: "ms", bigger_is_better: false },
  total_duration_ms: { unit: "ms", bigger_is_better: false },
};

function metricValue(m: PruningMetrics, key: PruningKey): number {
  return key === "per_block_p95_ms" ? p95(m.per_block_ms) : m[key];
}

/** The variant and metric a pruning bench's name (`standard-bf16 - per_block_p95_ms`) stands for. */
export function pruningBenchOf(name: string): { variant: string; key: PruningKey } | null {
  const at = name.lastIndexOf(" - ");
  const key = name.slice(at + 3);
  const metric = PRUNING_METRICS.find((m) => m.key === key);
  return at > 0 && metric ? { variant: name.slice(0, at), key: metric.key } : null;
}

export function parsePruning(input: string): Parsed<Bench[]> {
  const json = documentJson(input);
  if (!json.ok) return json;
  const metrics = parsePruningMetrics(json.value);
  if (!metrics.ok) return metrics;
  const m = metrics.value;
  const variant = variantOf(m);
  const found: Found[] = PRUNING_METRICS.map(({ key }) => ({
    at: key,
    bench: {
      name: `${variant} - ${key}`,
      ...UNITS[key],
      value: metricValue(m, key),
      range: null,
      extra: `${m.blocks} blocks × ${m.ops_per_block} ops`,
    },
  }));
  return collect(found, [], "expected a pruning-metrics.json document");
}
