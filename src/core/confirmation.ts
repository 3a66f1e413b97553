/**
 * Noise: a single night out of its band, with no change point behind it, is suspect. chimney
 * benchmarks the same commit once more, and the confirming run decides whether to alert.
 */
import type { RunChange } from "./drift.ts";
import { confirmationCorrelationId } from "./workflow.ts";
import type { Confirmation, Run } from "./run.ts";

export interface SuspectContext {
  /** CONFIRM_REGRESSIONS, and GitHub is there to dispatch the confirming run. */
  enabled: boolean;
  /** A regression alert is open already: another bad night is news for it, not noise. */
  regressionOpen: boolean;
  /** The change points that begin at the run and are evidence (`evidenceAt`): a young one is not. */
  changes: readonly RunChange[];
}

/** Whether a settled run is suspect: its confirming run, not the run itself, speaks to the alert. */
export function isSuspect(run: Run, ctx: SuspectContext): boolean {
  return (
    ctx.enabled &&
    run.state === "regressed" &&
    run.mainline &&
    !run.dispatch?.pr_number &&
    run.dispatch?.kind !== "confirm" &&
    // Only a run chimney dispatched and GitHub reported is benchmarked again: the runner must
    // never check out a commit that whoever holds an upload token chose.
    run.github !== null &&
    run.dispatch !== null &&
    run.sha !== null &&
    run.confirmation === null &&
    !ctx.regressionOpen &&
    !ctx.changes.some((c) => c.direction === "worse")
  );
}

export function pendingConfirmation(run: Run): Confirmation {
  return { state: "pending", correlation_id: confirmationCorrelationId(run.id), run_id: null, reason: null };
}

/** Whether a suspect still waits for its confirming run or for the next night. */
export function isUndecided(confirmation: Confirmation | null): boolean {
  return confirmation?.state === "pending" || confirmation?.state === "next_night";
}

/**
 * What a settled confirming run says of its suspect. One that gave no result says nothing of
 * speed, and reporting the suspect as it is would bring back the lone-slow-night issue: the
 * next night with a result decides instead (`nextNightSays`). A crash before the benchmark is
 * rerun, and the rerun speaks.
 */
export function confirmationBy(suspect: Confirmation, confirming: Run): Confirmation {
  switch (confirming.state) {
    case "regressed":
      return { ...suspect, state: "confirmed", run_id: confirming.id, reason: null };
    case "passed":
      return { ...suspect, state: "refuted", run_id: confirming.id, reason: null };
    default:
      if (confirming.failure?.rerun_requested) return suspect;
      return {
        ...suspect,
        state: "next_night",
        run_id: confirming.id,
        reason: `the confirming run ${confirming.id} ${confirming.state === "missed" ? "never ran" : "crashed"}`,
      };
  }
}

/**
 * The suspect `run` confirms, as `run` leaves it: null when `run` is no confirming run of an
 * undecided suspect, or leaves it as it was (a crash that is rerun). Decided once, by the settle
 * job, which analyses the history with it and hands it to the plan.
 */
export function suspectAfter(run: Run, suspect: Run | null): Run | null {
  const confirms = run.dispatch?.kind === "confirm" ? run.dispatch.confirms : null;
  if (!confirms || suspect?.id !== confirms || !suspect.confirmation || !isUndecided(suspect.confirmation)) return null;
  const confirmation = confirmationBy(suspect.confirmation, run);
  return confirmation === suspect.confirmation ? null : { ...suspect, confirmation };
}

/**
 * What the next night with a result says of the suspect before it: out of band too, two nights
 * in a row are a regression (for a pending suspect as well: no need to wait for its rerun); in
 * band, a suspect its rerun could not decide was noise. Null when the night says nothing of it.
 */
export function nextNightSays(suspect: Confirmation, night: Run): Confirmation | null {
  if (night.state === "regressed") return { ...suspect, state: "confirmed", run_id: night.id };
  if (night.state === "passed" && suspect.state === "next_night")
    return { ...suspect, state: "refuted", run_id: night.id, reason: null };
  return null;
}
