import { Cron } from "croner";

/**
 * Rules about the benchmark workflow's runs: which runs are ours, what their correlation id
 * is, and what failed in a run that did not succeed.
 */

/** The step of perf.yml that runs `cargo +nightly run -p firewood-benchmark -- smoke`. */
export const BENCHMARK_STEP = /^run smoke benchmark$/i;

/** Conclusions of a completed run that produced no trustworthy result on their own. */
export const FAILED_CONCLUSIONS = ["failure", "timed_out", "cancelled", "startup_failure"] as const;

/** Whether `workflow_run.path` (`.github/workflows/perf.yml`, maybe with `@ref`) is the configured workflow file. */
export function isWorkflowFile(path: string | null, workflowFile: string): boolean {
  if (!path) return false;
  const file = path.split("@")[0].split("/").at(-1);
  return file === workflowFile;
}

export function sameRepository(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

// A suite's rerun comes first among the confirming ids: a 26-letter suite name must not read as a ULID.
const CORRELATION =
  /\bchimney-(?:nightly-\d{4}-\d{2}-\d{2}|manual-[0-9a-z]{26}|pr-\d{1,10}-\d{1,20}|suite-[a-z][a-z0-9-]{0,39}-\d{8}t\d{4}|confirm-(?:[a-z][a-z0-9-]{0,39}-[0-9a-f]{40}|\d{1,19}-\d{1,5}|[0-9a-z]{26}))\b/;

/** The correlation id chimney put into a run's `run-name`, if any. */
export function correlationIdIn(title: string | null): string | null {
  return title ? (CORRELATION.exec(title)?.[0] ?? null) : null;
}

/** The UTC night a time belongs to: `2026-11-29`. */
export function nightOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function nightlyCorrelationId(night: string): string {
  return `chimney-nightly-${night}`;
}

/** The correlation id of the run confirming a suspect run: one per suspect, whoever asks. */
export function confirmationCorrelationId(runId: string): string {
  return `chimney-confirm-${runId.toLowerCase()}`;
}

/** Whether a run is one chimney dispatched to benchmark a suspect night's commit again. */
export function isConfirmingRun(title: string | null): boolean {
  return correlationIdIn(title)?.startsWith(confirmationCorrelationId("")) ?? false;
}

/** The correlation id of a suite's scheduled slot (`lastScheduled` of its cron): one per slot, whoever fires. */
export function slotCorrelationId(suite: string, slot: Date): string {
  const iso = slot.toISOString();
  return `chimney-suite-${suite}-${iso.slice(0, 10).replaceAll("-", "")}t${iso.slice(11, 16).replace(":", "")}`;
}

/** The correlation id of a suite's rerun at the commit where a change starts: one per suite and commit. */
export function suiteConfirmationId(suite: string, sha: string): string {
  return `${confirmationCorrelationId(suite)}-${sha.toLowerCase()}`;
}

/** The correlation id of a pull request's run a comment asked for: one per comment, however often it is delivered. */
export function pullRequestCorrelationId(pr: number, commentId: number): string {
  return `chimney-pr-${pr}-${commentId}`;
}

export function manualCorrelationId(ulid: string): string {
  return `chimney-manual-${ulid.toLowerCase()}`;
}

export interface JobView {
  name: string;
  conclusion: string | null;
  html_url: string | null;
  steps: { name: string; conclusion: string | null; number: number }[];
}

export interface StepFailure {
  job: string;
  step: string | null;
  log_url: string | null;
  /**
   * The failing step comes before the benchmark step: checkout, toolchain, cache, fetching
   * dependencies. Firewood's runbook treats that as transient infrastructure: rerun first.
   */
  before_benchmark: boolean;
}

const FAILED_STEP = ["failure", "timed_out", "cancelled"];

/** The first failed job and its first failed step. */
export function findFailure(jobs: readonly JobView[]): StepFailure | null {
  const job = jobs.find((j) => j.conclusion !== null && FAILED_STEP.includes(j.conclusion));
  if (!job) return null;
  const steps = [...job.steps].sort((a, b) => a.number - b.number);
  const step = steps.find((s) => s.conclusion !== null && FAILED_STEP.includes(s.conclusion)) ?? null;
  const benchmark = steps.find((s) => BENCHMARK_STEP.test(s.name)) ?? null;
  return {
    job: job.name,
    step: step?.name ?? null,
    log_url: job.html_url,
    before_benchmark: step !== null && benchmark !== null && step.number < benchmark.number,
  };
}

/**
 * When a five-field cron expression (minute hour day-of-month month day-of-week, in UTC, as
 * Cloudflare's cron triggers read it) last fired at or before `now`; null when the expression is
 * not one. croner parses it: a cron grammar is not worth writing by hand.
 */
export function lastScheduled(cron: string, now: Date): Date | null {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return null;
  try {
    const job = new Cron(fields.join(" "), { timezone: "UTC", paused: true });
    // previousRuns looks strictly before its reference: a minute on lets "now" itself count.
    return job.previousRuns(1, new Date(now.getTime() + 1))[0] ?? null;
  } catch {
    return null;
  }
}
