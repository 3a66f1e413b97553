/**
 * What `npm start` does after it runs the nightly tick: wait for the run it dispatched, dispatch
 * one by hand when the state directory remembers tonight's as already dispatched (a second
 * `npm start` the same day), or stop at once with the reason the loop cannot go on.
 */

/** The `dispatch` part of the nightly tick's report (src/jobs/ticks.ts), as JSON. */
export type NightlyReport =
  | { kind: "dispatched"; dispatch: { state: string; last_error: string | null; correlation_id: string } }
  | { kind: "skipped"; reason: string; already_claimed?: true }
  | { error: string };

export type NextStep =
  | { kind: "wait"; correlationId: string }
  | { kind: "dispatch_by_hand"; why: string }
  | { kind: "stop"; reason: string };

export function afterNightlyTick(report: NightlyReport | undefined): NextStep {
  if (!report) return { kind: "stop", reason: "the nightly tick reported no dispatch" };
  if ("error" in report) return { kind: "stop", reason: `the nightly dispatch failed: ${report.error}` };
  if (report.kind === "skipped")
    // The night's lock is in the state directory: tonight's nightly run was started before.
    return report.already_claimed
      ? { kind: "dispatch_by_hand", why: `${report.reason} in this state directory` }
      : { kind: "stop", reason: `the nightly tick dispatched nothing: ${report.reason}` };
  const { dispatch } = report;
  if (dispatch.state === "dispatched") return { kind: "wait", correlationId: dispatch.correlation_id };
  return {
    kind: "stop",
    reason: `the nightly dispatch is ${dispatch.state}${dispatch.last_error ? `: ${dispatch.last_error}` : ""}`,
  };
}
