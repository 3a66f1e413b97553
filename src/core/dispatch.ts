/**
 * A dispatch: chimney asking GitHub to run the benchmark workflow, from the moment it is
 * claimed until the run it produced is known (or the night is given up as missed).
 */

export type DispatchState = "claimed" | "dispatched" | "failed" | "missed";

export interface Dispatch {
  /** Unique per dispatch, echoed by the workflow's run-name; for the nightly one, the night's lock. */
  correlation_id: string;
  kind: "nightly" | "manual" | "confirm" | "scheduled";
  /** The UTC night of a nightly dispatch. */
  night: string | null;
  /**
   * The suite other than smoke the dispatch runs (a scheduled slot, or a confirming rerun), with
   * its workflow; absent for the smoke suite's, which run `GITHUB_WORKFLOW` and are runs of the ledger.
   */
  suite?: string | null;
  workflow?: string | null;
  /** For a suite's confirming rerun: the series whose change it measures again, and that change's levels. */
  suspect?: Suspect | null;
  /** For a suite's confirming rerun: what its result said of the suspected change, once known. */
  rerun?: RerunOutcome | null;
  /** The branch the workflow runs on. */
  ref: string;
  /** The commit to benchmark (perf.yml's `ref` input), when it is not the branch's head. */
  sha?: string | null;
  /** For a confirming dispatch: the suspect run. */
  confirms?: string | null;
  pr_number: number | null;
  requested_at: string;
  updated_at: string;
  state: DispatchState;
  attempts: number;
  last_error: string | null;
  /** The GitHub workflow run, once known. */
  run_id: number | null;
}

/** The change a suite's confirming rerun measures again: its series (key and name) and the levels around it. */
export interface Suspect {
  series: string;
  name: string;
  mean_before: number;
  mean_after: number;
}

/** What a suite's confirming rerun said: on the new level, back on the old, or nothing to go by. */
export interface RerunOutcome {
  verdict: "confirmed" | "refuted" | "unconfirmed";
  /** The rerun's value for the moved series, when it gave one. */
  value: number | null;
  /** Why the change is unconfirmed (the rerun failed, or could not run). */
  reason: string | null;
}

/** After this many failed attempts a dispatch is given up and its night recorded as missed. */
export const MAX_DISPATCH_ATTEMPTS = 5;

/** A claim older than this without an outcome means the invocation that made it died. */
export const CLAIM_TIMEOUT_MS = 10 * 60_000;

/** A nightly trigger that did not fire is caught up this long after its time, no later. */
export const CATCH_UP_WINDOW_MS = 6 * 3_600_000;

/** A suite's scheduled slot is dispatched this long after its time, no later (a daily cron's next slot is due). */
export const SLOT_WINDOW_MS = 24 * 3_600_000;

/**
 * Why a nightly or scheduled dispatch not yet made must not be made now (it is past its catch-up
 * window and would run beside the next one), or null. A manual or confirming dispatch is never too late.
 */
export function tooLate(d: Pick<Dispatch, "kind" | "requested_at">, now: number): string | null {
  const window = d.kind === "nightly" ? CATCH_UP_WINDOW_MS : d.kind === "scheduled" ? SLOT_WINDOW_MS : null;
  if (window === null || now - Date.parse(d.requested_at) < window) return null;
  const what = d.kind === "nightly" ? "the night" : "the scheduled slot";
  return `${what} could not be dispatched within ${window / 3_600_000} hours of ${d.requested_at}`;
}

export type DispatchAction =
  | { kind: "dispatch" }
  | { kind: "find_run" }
  | { kind: "give_up"; reason: string }
  | { kind: "none" };

/** What the reconcile tick does with a dispatch. */
export function nextAction(d: Dispatch, now: number, staleAfterHours: number): DispatchAction {
  const age = now - Date.parse(d.requested_at);
  const idle = now - Date.parse(d.updated_at);
  switch (d.state) {
    case "claimed":
      return idle > CLAIM_TIMEOUT_MS ? { kind: "find_run" } : { kind: "none" };
    case "failed": {
      const late = tooLate(d, now);
      if (late) return { kind: "give_up", reason: late };
      return d.attempts >= MAX_DISPATCH_ATTEMPTS
        ? { kind: "give_up", reason: `the dispatch failed ${d.attempts} times (last: ${d.last_error ?? "unknown"})` }
        : { kind: "dispatch" };
    }
    case "dispatched":
      if (d.run_id !== null) return { kind: "none" };
      return age > staleAfterHours * 3_600_000
        ? { kind: "give_up", reason: `the dispatch produced no workflow run within ${staleAfterHours} hours` }
        : { kind: "find_run" };
    case "missed":
      return { kind: "none" };
  }
}

export function isUnsettled(d: Dispatch): boolean {
  if (awaitsRerun(d)) return true;
  return d.state === "claimed" || d.state === "failed" || (d.state === "dispatched" && d.run_id === null);
}

/** A suite's confirming rerun that has started but said nothing yet: its suspected change waits on it. */
function awaitsRerun(d: Dispatch): boolean {
  return d.kind === "confirm" && Boolean(d.suite) && d.state === "dispatched" && !d.rerun;
}

/** A dispatch as it is claimed, before GitHub has been asked. */
export function newDispatch(
  d: Pick<Dispatch, "kind" | "night" | "correlation_id" | "ref" | "pr_number" | "sha" | "confirms"> &
    Partial<Pick<Dispatch, "suite" | "workflow">>,
  at: string,
): Dispatch {
  return { ...d, requested_at: at, updated_at: at, state: "claimed", attempts: 0, last_error: null, run_id: null };
}
