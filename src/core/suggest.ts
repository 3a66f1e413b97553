/**
 * Which runs a baseline is learned from: `chimney baseline suggest` and an accepted level
 * (`/chimney accept`) alike take the newest nights with a result and all three metrics, and
 * propose ±margin around their medians (`suggestBaseline`).
 */
import { suggestBaseline, type Actuals, type BaselineProposal } from "./baseline.ts";

/** A run as `/runs` and the history list it: enough to learn from. */
export interface SuggestionEntry {
  id: string;
  state: string;
  mainline?: boolean;
  throughput_ops_per_sec: number | null;
  total_duration_ms: number | null;
  per_batch_p95_ms: number | null;
}

/** Firewood's margin: "roughly ±15% from recent nightly runs". */
export const SUGGESTED_MARGIN = 0.15;
/** Runs a suggestion learns from at most, as the CLI's `--runs` default. */
export const SUGGESTED_RUNS = 14;

/** The newest `limit` runs of the tracked branch with a result, newest first, with their actuals. */
export function suggestionSamples<E extends SuggestionEntry>(
  newestFirst: readonly E[],
  limit: number,
): { entry: E; actuals: Actuals }[] {
  const samples: { entry: E; actuals: Actuals }[] = [];
  for (const e of newestFirst) {
    if (samples.length >= limit) break;
    if (!["passed", "regressed"].includes(e.state) || e.mainline === false) continue;
    if (e.throughput_ops_per_sec === null || e.total_duration_ms === null || e.per_batch_p95_ms === null) continue;
    samples.push({
      entry: e,
      actuals: {
        throughput_ops_per_sec: e.throughput_ops_per_sec,
        total_duration_ms: e.total_duration_ms,
        per_batch_p95_ms: e.per_batch_p95_ms,
      },
    });
  }
  return samples;
}

/** The proposal for those runs, or null when none has a result. */
export function suggestFrom<E extends SuggestionEntry>(
  newestFirst: readonly E[],
): { proposal: BaselineProposal; runs: E[] } | null {
  const samples = suggestionSamples(newestFirst, SUGGESTED_RUNS);
  if (samples.length === 0) return null;
  return {
    proposal: suggestBaseline(
      samples.map((s) => s.actuals),
      SUGGESTED_MARGIN,
    ),
    runs: samples.map((s) => s.entry),
  };
}
