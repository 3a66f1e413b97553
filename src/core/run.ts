/**
 * A run of the smoke benchmark as chimney records it, and how a new report of a run
 * merges with what is already recorded.
 */
import { outOfRange, type BaselineReport, type Disagreement, type MetricKey } from "./baseline.ts";
import { sameMeasurements, type Measurements } from "./metrics.ts";

export type RunState = "dispatched" | "running" | "passed" | "regressed" | "crashed" | "missed";

export const COMPLETED_STATES: readonly RunState[] = ["passed", "regressed", "crashed", "missed"];

/** A file kept with a run. The bytes are stored once per content digest. */
export interface Artifact {
  name: string;
  content_type: string;
  size: number;
  sha256: string;
}

export interface GitHubRunRef {
  run_id: number;
  run_attempt: number;
}

export interface Run {
  id: string;
  suite: "smoke";
  state: RunState;
  /** When the run was first recorded; orders the history. */
  at: string;
  completed_at: string | null;
  github: GitHubRunRef | null;
  sha: string | null;
  ref: string | null;
  /** Which file the result was read from. */
  input: "smoke-metrics.json" | "smoke-summary.json" | null;
  measurements: Measurements | null;
  /** chimney's own evaluation against its `baselines/smoke.json`: the one that counts. */
  report: BaselineReport | null;
  /** The evaluation the runner embedded or summarized, kept as received. */
  runner_report: BaselineReport | null;
  disagreements: Disagreement[];
  artifacts: Artifact[];
  /** For uploads without a GitHub run id: a digest of the result that makes re-uploads idempotent. */
  identity: string | null;
}

export function githubRunId(ref: GitHubRunRef): string {
  return `${ref.run_id}-${ref.run_attempt}`;
}

const RUN_ID = /^(?:[1-9]\d{0,18}-[1-9]\d{0,4}|[0-9A-HJKMNP-TV-Z]{26})$/;

/** Whether a string can be a run id at all (a GitHub run id and attempt, or a ULID). */
export function isRunId(id: string): boolean {
  return RUN_ID.test(id);
}

export function stateOfReport(report: BaselineReport): "passed" | "regressed" {
  return outOfRange(report).length === 0 ? "passed" : "regressed";
}

export type RecordOutcome =
  | { kind: "created" | "updated" | "unchanged"; run: Run }
  | { kind: "conflict"; run: Run; reason: string };

/**
 * Merges a new report of a run into the recorded one. A result replaces a run that has none
 * yet; a second report of the same result is idempotent and may only add artifacts the run
 * lacks; a different result for a completed run is refused, so stored data never changes.
 */
export function mergeRun(existing: Run | null, incoming: Run): RecordOutcome {
  if (!existing) return { kind: "created", run: incoming };
  if (!existing.measurements) {
    if (!incoming.measurements) return { kind: "unchanged", run: existing };
    return {
      kind: "updated",
      run: { ...incoming, id: existing.id, at: existing.at, artifacts: mergeArtifacts(existing.artifacts, incoming.artifacts) },
    };
  }
  if (!incoming.measurements || !sameMeasurements(existing.measurements, incoming.measurements)) {
    return {
      kind: "conflict",
      run: existing,
      reason: `run ${existing.id} already has a different result; nothing was changed`,
    };
  }
  const artifacts = mergeArtifacts(existing.artifacts, incoming.artifacts);
  if (artifacts.length === existing.artifacts.length) return { kind: "unchanged", run: existing };
  return { kind: "updated", run: { ...existing, artifacts } };
}

function mergeArtifacts(kept: Artifact[], offered: Artifact[]): Artifact[] {
  const names = new Set(kept.map((a) => a.name));
  return [...kept, ...offered.filter((a) => !names.has(a.name))];
}

export function outOfRangeMetrics(run: Run): MetricKey[] {
  return run.report ? outOfRange(run.report) : [];
}
