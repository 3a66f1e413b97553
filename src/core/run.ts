/**
 * A run of the smoke benchmark as chimney records it, and how a new report of a run merges
 * with what is already recorded. Reports of one run may arrive in any order and any number
 * of times (webhooks, reconciliation, a runner's upload): merging is order-independent.
 */
import type { Dispatch } from "./dispatch.ts";
import { outOfRange, type BaselineReport, type Disagreement, type MetricKey } from "./baseline.ts";
import { sameMeasurements, type Measurements } from "./metrics.ts";
import { laterRead, type ReadRetry } from "./read-retry.ts";

export type RunState = "dispatched" | "running" | "passed" | "regressed" | "crashed" | "missed";

export const COMPLETED_STATES: readonly RunState[] = ["passed", "regressed", "crashed", "missed"];
export const OPEN_STATES: readonly RunState[] = ["dispatched", "running"];

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
  /** The run's page, as GitHub gave it; null when only the id is known. */
  html_url: string | null;
}

/** Why a run has no result, or what failed around it. */
export interface RunFailure {
  reason: string;
  job: string | null;
  step: string | null;
  log_url: string | null;
  /** chimney asked GitHub to rerun the failed jobs; the next attempt is a run of its own. */
  rerun_requested: boolean;
}

/** How chimney started the run, when it did. */
export interface RunDispatch {
  correlation_id: string;
  kind: Dispatch["kind"];
  pr_number: number | null;
  /** For a confirming run: the suspect run it measures again. */
  confirms?: string | null;
}

/**
 * A suspect run: out of its band on a single night, with no change point behind it. chimney
 * benchmarks the same commit once more before alerting; the confirming run settles it. When
 * that run gives no result (`next_night`), the next night with a result settles it instead.
 */
export interface Confirmation {
  state: "pending" | "next_night" | "confirmed" | "refuted";
  correlation_id: string;
  /** The run that settled it (the confirming run, or the next night), or the confirming run that gave no result. */
  run_id: string | null;
  /** Why the confirming run gave no result, for `next_night`. */
  reason: string | null;
}

export interface Run {
  id: string;
  suite: "smoke";
  state: RunState;
  /** When the run began (or was first recorded); orders the history. */
  at: string;
  completed_at: string | null;
  github: GitHubRunRef | null;
  sha: string | null;
  ref: string | null;
  /** Whether the run measures the tracked branch (GITHUB_REF) and so counts for /status. */
  mainline: boolean;
  dispatch: RunDispatch | null;
  /** Which file the result was read from. */
  input: "smoke-metrics.json" | "smoke-summary.json" | null;
  measurements: Measurements | null;
  /** chimney's own evaluation against its `baselines/smoke.json`: the one that counts. */
  report: BaselineReport | null;
  /** The evaluation the runner embedded or summarized, kept as received. */
  runner_report: BaselineReport | null;
  disagreements: Disagreement[];
  failure: RunFailure | null;
  artifacts: Artifact[];
  /** Set when the run was suspect (see `Confirmation`). */
  confirmation: Confirmation | null;
  /**
   * The suspect night this run bears out by being out of its band too on the next night:
   * two such nights in a row are a regression, reported at once with both named.
   */
  corroborates: string | null;
  /** For uploads without a GitHub run id: a digest of the result that makes re-uploads idempotent. */
  identity: string | null;
  /** While a completed run's result is being read: its attempts (`core/read-retry.ts`). */
  read_retry: ReadRetry | null;
}

export function githubRunId(ref: GitHubRunRef): string {
  return `${ref.run_id}-${ref.run_attempt}`;
}

/** The GitHub run and attempt a run id names, when it is one (`githubRunId` read back). */
export function githubRunOf(id: string): GitHubRunRef | null {
  const m = /^(\d+)-(\d+)$/.exec(id);
  return m ? { run_id: Number(m[1]), run_attempt: Number(m[2]), html_url: null } : null;
}

const RUN_ID = /^(?:[1-9]\d{0,18}-[1-9]\d{0,4}|[0-9A-HJKMNP-TV-Z]{26})$/;

/** Whether a string can be a run id at all (a GitHub run id and attempt, or a ULID). */
export function isRunId(id: string): boolean {
  return RUN_ID.test(id);
}

export function stateOfReport(report: BaselineReport): "passed" | "regressed" {
  return outOfRange(report).length === 0 ? "passed" : "regressed";
}

/** A run counts for the signal when it measures the tracked branch and is not a pull request's. */
export function isMainline(ref: string | null, prNumber: number | null, trackedRef: string): boolean {
  if (prNumber !== null) return false;
  return ref === null || ref === trackedRef || ref === `refs/heads/${trackedRef}`;
}

export type RecordOutcome =
  | { kind: "created" | "updated" | "unchanged"; run: Run }
  | { kind: "conflict"; run: Run; reason: string };

/** How far along a run is; a later report never moves it back. */
const PROGRESS: Record<RunState, number> = {
  dispatched: 0,
  running: 1,
  missed: 2,
  crashed: 3,
  passed: 4,
  regressed: 4,
};

/** Of two reports of one result, the one read from smoke-metrics.json (the full file) is kept. */
function standing(run: Run): number {
  return PROGRESS[run.state] * 2 + (run.input === "smoke-metrics.json" ? 1 : 0);
}

/**
 * Merges a new report of a run into the recorded one:
 * - a result (measurements) wins over any state without one, and keeps what else is known
 *   (when it began and first completed, how it was dispatched, what failed around it);
 * - a second report of the same result is idempotent and may only add files the run lacks;
 * - a different result for a run that has one is refused, so stored data never changes;
 * - without results, the state only moves forward: dispatched → running → missed → crashed.
 */
export function mergeRun(existing: Run | null, incoming: Run): RecordOutcome {
  if (!existing) return { kind: "created", run: incoming };
  if (
    existing.measurements &&
    incoming.measurements &&
    !sameMeasurements(existing.measurements, incoming.measurements)
  ) {
    return {
      kind: "conflict",
      run: existing,
      reason: `run ${existing.id} already has a different result; nothing was changed`,
    };
  }
  const [first, second] = standing(incoming) > standing(existing) ? [incoming, existing] : [existing, incoming];
  const merged: Run = {
    ...first,
    id: existing.id,
    at: earlier(existing.at, incoming.at),
    completed_at: earliest(first.completed_at, second.completed_at),
    github: first.github ?? second.github,
    sha: first.sha ?? second.sha,
    ref: first.ref ?? second.ref,
    mainline: existing.mainline && incoming.mainline,
    dispatch: first.dispatch ?? second.dispatch,
    failure: first.failure ?? second.failure,
    artifacts: mergeArtifacts(existing.artifacts, incoming.artifacts),
    confirmation: laterConfirmation(existing.confirmation, incoming.confirmation),
    corroborates: existing.corroborates ?? incoming.corroborates ?? null,
    identity: existing.identity ?? incoming.identity,
    // Only an open run is still being read; a final one keeps no attempts.
    read_retry: OPEN_STATES.includes(first.state)
      ? laterRead(existing.read_retry ?? null, incoming.read_retry ?? null)
      : null,
  };
  return sameRecord(merged, existing) ? { kind: "unchanged", run: existing } : { kind: "updated", run: merged };
}

function earlier(a: string, b: string): string {
  return a <= b ? a : b;
}

function earliest(a: string | null, b: string | null): string | null {
  return a === null ? b : b === null ? a : earlier(a, b);
}

/** A confirmation only moves forward: none → pending → next_night → settled; a settled one is kept. */
function laterConfirmation(a: Confirmation | null, b: Confirmation | null): Confirmation | null {
  const RANKS = { pending: 1, next_night: 2, confirmed: 3, refuted: 3 };
  const rank = (c: Confirmation | null) => (c === null ? 0 : RANKS[c.state]);
  return rank(b) > rank(a) ? b : a;
}

function mergeArtifacts(kept: Artifact[], offered: Artifact[]): Artifact[] {
  const names = new Set(kept.map((a) => a.name));
  return [...kept, ...offered.filter((a) => !names.has(a.name))];
}

/** Structural equality, whatever order the two records' keys were written in. */
export function sameRecord(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) => Object.hasOwn(b, k) && sameRecord((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

export function outOfRangeMetrics(run: Run): MetricKey[] {
  return run.report ? outOfRange(run.report) : [];
}

/** A run record with nothing known beyond what is given. */
export function newRun(known: Pick<Run, "id" | "state" | "at" | "mainline"> & Partial<Run>): Run {
  return {
    suite: "smoke",
    completed_at: null,
    github: null,
    sha: null,
    ref: null,
    dispatch: null,
    input: null,
    measurements: null,
    report: null,
    runner_report: null,
    disagreements: [],
    failure: null,
    artifacts: [],
    confirmation: null,
    corroborates: null,
    identity: null,
    read_retry: null,
    ...known,
  };
}
