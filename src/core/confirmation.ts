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

/** What a settled confirming run says of its suspect. */
export function confirmationBy(suspect: Confirmation, confirming: Run): Confirmation {
  switch (confirming.state) {
    case "regressed":
      return { ...suspect, state: "confirmed", run_id: confirming.id, reason: null };
    case "passed":
      return { ...suspect, state: "refuted", run_id: confirming.id, reason: null };
    default:
      return {
        ...suspect,
        state: "unconfirmed",
        run_id: confirming.id,
        reason: `the confirming run ${confirming.id} ${confirming.state === "missed" ? "never ran" : "crashed"}`,
      };
  }
}
