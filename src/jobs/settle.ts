/**
 * The settle stage: every recorded run that reached a final state is settled once, oldest
 * first. The decision is `planSettlement` (pure, core/settle.ts); this job gathers what it
 * needs (the newest runs, read once: the nights before the run and the bounded change analysis;
 * the suspect; the regression and drift alerts) and has the store commit the plan at once. A run whose settlement failed midway is still unsettled and is settled again
 * on the next drain, so nothing is lost and nothing is decided twice.
 */
import { fingerprintOf } from "../core/alert.ts";
import {
  keepingWindows,
  noWindowsRemembered,
  rememberWindows,
  type UsedWindows,
} from "../core/changepoints/window-memo.ts";
import { suspectAfter } from "../core/confirmation.ts";
import { analysisSpan, boundedAnalysis, DRIFT_FINGERPRINT, driftRuns } from "../core/drift.ts";
import { historyEntry, isNight, upsertEntry, type HistoryEntry } from "../core/history.ts";
import { COMPLETED_STATES, type Run } from "../core/run.ts";
import { planSettlement, planWithoutRerun, type UnsettledRun } from "../core/settle.ts";
import { isOnBranch } from "../github/issues.ts";
import { changeOptions, readBack, type HistoryRead } from "./changes.ts";
import type { LoopDeps } from "./deps.ts";

/** Settlements tried per drain at most; the rest wait for the next drain or tick. */
const SETTLE_BATCH = 50;

/** How long a drain holds the settling without settling a run; taken again for each run. */
const SETTLE_LEASE_MS = 60_000;

/**
 * Settles the runs waiting to be settled, oldest first, while this drain holds the settling;
 * returns how many it settled. A drain that finds the settling held leaves its run to the
 * holder, which looks once more after giving it up: a run recorded meanwhile is not left waiting.
 */
export async function settleRuns(deps: LoopDeps): Promise<number> {
  const holder = crypto.randomUUID();
  let settled = 0;
  let tried = 0;
  let windows: UsedWindows | null = null;
  const hold = () => deps.settlements.hold(holder, deps.now().getTime(), SETTLE_LEASE_MS);
  try {
    while (tried < SETTLE_BATCH && (await hold())) {
      try {
        for (; tried < SETTLE_BATCH; tried++) {
          const [next] = await deps.settlements.unsettled(1);
          if (!next) break;
          const outcome = await settleRun(deps, next);
          if (outcome.committed) settled++;
          windows = outcome.windows ?? windows;
          if (!(await hold())) return settled;
        }
      } finally {
        await deps.settlements.release(holder);
      }
      if ((await deps.settlements.unsettled(1)).length === 0) break;
    }
    return settled;
  } finally {
    if (windows) await keepWindows(deps, windows);
  }
}

/**
 * Keeps the last settlement's windows for the next, once per drain (KV takes one write a second
 * per key), unless the store keeps them already: most nights change only a window that was too
 * short to keep. Losing them costs only the time to compute them again, so a failure is logged.
 */
async function keepWindows(deps: LoopDeps, used: UsedWindows): Promise<void> {
  if (used.keptBy(deps.windows)) return;
  await deps.windows.save(used.windows()).then(
    () => used.savedBy(deps.windows),
    (error: unknown) =>
      deps.log({ event: "windows_not_kept", error: error instanceof Error ? error.message : String(error) }),
  );
}

async function settleRun(
  deps: LoopDeps,
  unsettled: UnsettledRun,
): Promise<{ committed: boolean; windows: UsedWindows | null }> {
  const { run } = unsettled;
  const [suspect, regression, drift] = await Promise.all([
    confirmedSuspect(deps, run),
    deps.alerts.alert(fingerprintOf("regression", run.suite)),
    deps.alerts.alert(DRIFT_FINGERPRINT),
  ]);
  // A suspect this run settles is analysed as settled: a refuted night is left out of the series.
  const settledSuspect = suspectAfter(run, suspect);
  const settled = [run, ...(settledSuspect ? [settledSuspect] : [])];
  const analysed = run.mainline && run.measurements !== null;
  // A fresh isolate remembers no windows: the last settlement's are most of this one's, read
  // while the history is.
  const kept = analysed && noWindowsRemembered() ? deps.windows.latest().catch(() => null) : null;
  const driftOpen = driftRuns(drift);
  // One read of the newest runs serves the nights before this one and the analysis.
  const withSettled = (read: HistoryRead): HistoryRead => ({
    ...read,
    runs: settled.reduce((runs, r) => upsertEntry(runs, historyEntry(r)), read.runs),
  });
  // A pull request's run needs neither.
  const read = run.mainline
    ? await readBack(
        deps.runs,
        (r) =>
          r.runs.length >= RUNS_BACK &&
          (!analysed || analysisSpan(withSettled(r), deps.config.CHANGE_WINDOW, driftOpen) !== null),
      )
    : { runs: [], complete: true };
  const recentNights = nightsBefore(read.runs.slice(0, RUNS_BACK), run);
  const lastResult = recentNights.find((e) => e.state === "passed" || e.state === "regressed");
  const previousSuspect =
    lastResult?.confirmation === "pending" || lastResult?.confirmation === "next_night"
      ? await deps.runs.run(lastResult.id)
      : null;
  if (kept) rememberWindows((await kept) ?? [], deps.windows);
  const analysedWindows = analysed
    ? keepingWindows(
        () =>
          boundedAnalysis(
            withSettled(read),
            driftOpen,
            changeOptions(deps.config),
            deps.now().toISOString(),
            deps.baseline,
            deps.config.CHANGE_MIN_RUNS,
          ),
        deps.config.CHANGE_WINDOW,
      )
    : null;
  const analysis = analysedWindows?.value ?? null;
  const context = {
    analysis,
    suspect: settledSuspect,
    previousSuspect,
    recentNights,
    minRuns: deps.config.CHANGE_MIN_RUNS,
    regressionOpen: regression?.state === "open",
    regressionOpenedAt: regression?.state === "open" ? regression.opened_at : null,
    improvements: deps.config.ALERT_IMPROVEMENTS,
    accepted: [regression, drift].flatMap((a) => (a && a.state !== "open" && a.accepted ? [a.accepted] : [])),
    confirm: deps.confirm,
    trackedRef: deps.trackedRef,
    now: deps.now().toISOString(),
  };
  let plan = planSettlement(unsettled, context);
  if (plan.dispatch && !(await commitOnTrackedRef(deps, run))) {
    deps.log({
      event: "confirmation_refused",
      run: run.id,
      sha: run.sha,
      reason: `not a commit of ${deps.trackedRef}`,
    });
    plan = planSettlement(unsettled, { ...context, confirm: false });
  }
  const committed = await deps.settlements.commit(plan, deps.now().toISOString());
  if (!committed) return { committed, windows: null };
  for (const changed of plan.runs) {
    deps.log({
      event: changed.id === run.id ? "run_suspect" : "suspect_settled",
      run: changed.id,
      confirmation: changed.confirmation,
    });
  }
  return { committed, windows: analysedWindows?.used ?? null };
}

function confirmedSuspect(deps: LoopDeps, run: Run): Promise<Run | null> {
  const confirms = run.dispatch?.kind === "confirm" ? run.dispatch.confirms : null;
  return confirms ? deps.runs.run(confirms) : Promise.resolve(null);
}

/** Runs read to find the nights before a run: a few pull requests' runs may stand between. */
const RUNS_BACK = 50;

/** The settled nights before `run` among the newest runs, newest first. */
function nightsBefore(newest: readonly HistoryEntry[], run: Run): HistoryEntry[] {
  if (!run.mainline || run.dispatch?.kind === "confirm") return [];
  return newest.filter((e) => isNight(e) && e.id !== run.id && e.at < run.at && COMPLETED_STATES.includes(e.state));
}

/** Whether the run's commit is on the tracked branch: the self-hosted runner benchmarks nothing else. */
function commitOnTrackedRef(deps: LoopDeps, run: Run): Promise<boolean> {
  if (!deps.github || !run.sha) return Promise.resolve(false);
  return isOnBranch(deps.github.client(), deps.trackedRef, run.sha);
}

/** A confirming run that never came: its suspect is left to the next night with a result. */
export async function giveUpConfirmation(deps: LoopDeps, suspectId: string, reason: string): Promise<void> {
  const suspect = await deps.runs.run(suspectId);
  const plan = suspect ? planWithoutRerun(suspect, reason) : null;
  if (!plan) return;
  await deps.settlements.commit(plan, deps.now().toISOString());
  deps.log({ event: "suspect_settled", run: suspectId, confirmation: plan.runs[0].confirmation });
}
