/**
 * Recording a report of a run, and what follows when the report settles it: the change-point
 * analysis, the suspect-night check, and the alerts it plans (atomically in the ledger, so
 * racing reports of one run plan once; see alerts.ts for how they are sent).
 */
import { fingerprintOf, runSubject } from "../core/alert.ts";
import { githubCredentials } from "../core/config.ts";
import { confirmationBy, isSuspect, pendingConfirmation } from "../core/confirmation.ts";
import { changesAt, driftSubject, type ChangeReport } from "../core/drift.ts";
import { COMPLETED_STATES, type RecordOutcome, type Run } from "../core/run.ts";
import { analyzeChanges } from "./changes.ts";
import type { LoopDeps } from "./deps.ts";
import { dispatchConfirmation } from "./dispatch.ts";

export async function recordRun(deps: LoopDeps, run: Run): Promise<RecordOutcome> {
  const outcome = await deps.runs.record(run);
  if ((outcome.kind !== "created" && outcome.kind !== "updated") || !COMPLETED_STATES.includes(outcome.run.state))
    return outcome;
  const report = outcome.run.mainline && outcome.run.measurements ? await analyzeChanges(deps, outcome.run) : null;
  const settled = await settleRun(deps, outcome.run, report);
  await planDrift(deps, report);
  return { ...outcome, run: settled };
}

/** What a settled run means: for its suspect, for being suspect itself, for the alerts. */
async function settleRun(deps: LoopDeps, run: Run, report: ChangeReport | null): Promise<Run> {
  let settled = run;
  const confirms = settled.dispatch?.kind === "confirm" ? (settled.dispatch.confirms ?? null) : null;
  if (confirms) {
    await settleSuspect(deps, confirms, settled);
  } else if (await suspect(deps, settled, report)) {
    const marked = await deps.runs.record({ ...settled, confirmation: pendingConfirmation(settled) });
    settled = marked.run;
    deps.log({ event: "run_suspect", run: settled.id, sha: settled.sha });
    await dispatchConfirmation(deps, settled);
  }
  await deps.alerts.plan(runSubject(settled), deps.now().toISOString());
  return settled;
}

/** What a new analysis says to the drift alert. */
async function planDrift(deps: LoopDeps, report: ChangeReport | null): Promise<void> {
  const drift = report ? driftSubject(report, deps.baseline) : null;
  if (drift) await deps.alerts.plan(drift, deps.now().toISOString());
}

/** Settled runs the reconcile tick looks at again, newest first. */
const CATCH_UP_RUNS = 5;

/**
 * Finishes what a failure left undone between recording a run and planning what it means
 * (the analysis, the suspect check, the alerts): a retried report of a run that is already
 * recorded changes nothing, so it would never get there again. Every step is idempotent;
 * a run that an alert has heard from, or from a later run, is left alone.
 */
export async function catchUpSettled(deps: LoopDeps): Promise<number> {
  const { runs: recent } = await deps.runs.history(CATCH_UP_RUNS * 4, null);
  const latestMeasured = recent.find((e) => e.mainline && e.throughput_ops_per_sec !== null);
  const analysed = await deps.changes.latest();
  const report =
    latestMeasured && analysed?.latest_run_id !== latestMeasured.id ? await analyzeChanges(deps, null) : null;
  let settled = 0;
  for (const entry of recent
    .filter((e) => COMPLETED_STATES.includes(e.state))
    .slice(0, CATCH_UP_RUNS)
    .reverse()) {
    const run = await deps.runs.run(entry.id);
    if (!run || (await heardFrom(deps, run))) continue;
    await settleRun(deps, run, report);
    settled++;
  }
  await planDrift(deps, report);
  return settled;
}

/** Whether the alert a settled run speaks to first has heard from it, or from a later run. */
async function heardFrom(deps: LoopDeps, run: Run): Promise<boolean> {
  const kind = run.state === "crashed" ? "crash" : run.state === "missed" ? "missed" : "regression";
  const alert = await deps.alerts.alert(fingerprintOf(kind, run.suite));
  return alert !== null && alert.last_run_at >= run.at;
}

async function suspect(deps: LoopDeps, run: Run, report: ChangeReport | null): Promise<boolean> {
  if (run.state !== "regressed") return false;
  const enabled =
    deps.config.CONFIRM_REGRESSIONS &&
    deps.config.GITHUB_REPOSITORY !== null &&
    githubCredentials(deps.config) !== null;
  const regression = await deps.alerts.alert(fingerprintOf("regression", run.suite));
  return isSuspect(run, { enabled, regressionOpen: regression?.state === "open", changes: changesAt(report, run.id) });
}

/**
 * A confirming run settled: its suspect is confirmed or refuted, and the confirming run speaks
 * to the alert. When it produced no result, the suspect's own regression is reported instead.
 */
async function settleSuspect(deps: LoopDeps, suspectId: string, confirming: Run): Promise<void> {
  const suspect = await deps.runs.run(suspectId);
  if (suspect?.confirmation?.state !== "pending") return;
  await settleConfirmation(deps, { ...suspect, confirmation: confirmationBy(suspect.confirmation, confirming) });
}

/** Records a suspect's settled confirmation; an unconfirmed suspect is alerted on as it is. */
export async function settleConfirmation(deps: LoopDeps, suspect: Run): Promise<void> {
  const outcome = await deps.runs.record(suspect);
  deps.log({ event: "suspect_settled", run: suspect.id, confirmation: suspect.confirmation });
  if (outcome.kind === "updated" && outcome.run.confirmation?.state === "unconfirmed") {
    await deps.alerts.plan(runSubject(outcome.run), deps.now().toISOString());
  }
}
