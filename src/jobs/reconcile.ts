/**
 * The reconcile tick (every 30 minutes): whatever a lost webhook, a dead invocation or a failed
 * dispatch left unfinished is finished here, so nothing falls through the cracks for longer
 * than one tick.
 */
import { nextAction, tooLate, type Dispatch } from "../core/dispatch.ts";
import { readDue } from "../core/read-retry.ts";
import { isMainline, newRun, type GitHubRunRef, type Run } from "../core/run.ts";
import { lastScheduled, nightlyCorrelationId, nightOf } from "../core/workflow.ts";
import { getRunAttempt, type WorkflowRun } from "../github/actions.ts";
import { GitHubError, isThrottled, type GitHubClient } from "../github/client.ts";
import { messageOf, newRunId, type LoopDeps } from "./deps.ts";
import { discoverFollowedRuns } from "./discover.ts";
import { dispatchNightly, findDispatchedRun, nightlyDispatch, performDispatch, runDispatch } from "./dispatch.ts";
import { refreshChanges } from "./changes.ts";
import { sendOutbox } from "./outbox.ts";
import { giveUpConfirmation, settleRuns } from "./settle.ts";
import { reconcileSuites, type SuiteDispatchReport } from "./suite-dispatch.ts";
import { retryDelivery } from "./webhook.ts";
import { handleWorkflowRun } from "./workflow-run.ts";

export interface ReconcileReport {
  deliveries_retried: number;
  nightly_caught_up: boolean;
  dispatches_retried: number;
  runs_found: number;
  nights_missed: number;
  runs_checked: number;
  /** Runs of the followed suites found without their webhook, and read. */
  followed_runs_read: number;
  runs_settled: number;
  alerts_sent: number;
  suites: SuiteDispatchReport | null;
  errors: string[];
}

const WAITING = ["queued", "waiting", "requested", "pending"];

export async function reconcile(deps: LoopDeps): Promise<ReconcileReport> {
  const report: ReconcileReport = {
    deliveries_retried: 0,
    nightly_caught_up: false,
    dispatches_retried: 0,
    runs_found: 0,
    nights_missed: 0,
    runs_checked: 0,
    followed_runs_read: 0,
    runs_settled: 0,
    alerts_sent: 0,
    suites: null,
    errors: [],
  };
  const now = deps.now();
  // Each part runs whatever the others did; a GitHub budget or rate limit ends only the rest of that part.
  const part = async (name: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      report.errors.push(`${name}: ${messageOf(error)}`);
      deps.log({ event: "reconcile_failed", part: name, error: messageOf(error) });
    }
  };
  // Within a part, one item's failure is reported and the loop goes on to the next.
  const each = async (name: string, id: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      if (isThrottled(error)) throw error;
      report.errors.push(`${name}: ${id}: ${messageOf(error)}`);
      deps.log({ event: "reconcile_failed", part: name, item: id, error: messageOf(error) });
    }
  };

  await part("deliveries", async () => {
    for (const delivery of await deps.deliveries.retryable(now.getTime())) {
      await each("deliveries", delivery.id, async () => {
        await retryDelivery(deps, delivery.id, delivery.event);
        report.deliveries_retried++;
      });
    }
  });

  await part("nightly", async () => {
    const due = lastScheduled(deps.config.NIGHTLY_CRON, now);
    if (!due || !deps.github) return;
    if (await deps.dispatches.get(nightlyCorrelationId(nightOf(due.getTime())))) return;
    const dispatch = nightlyDispatch(deps, due);
    const late = tooLate(dispatch, now.getTime());
    if (!late) {
      // The night is the one the trigger was due for, even when it is caught up after midnight.
      report.nightly_caught_up = (await dispatchNightly(deps, due)).kind === "dispatched";
    } else if ((await watched(deps, due)) && (await deps.dispatches.claim(dispatch))) {
      // Too late to run, but a night chimney was watching is never left without a record.
      await markMissed(deps, dispatch, late);
      report.nights_missed++;
    }
  });

  await part("dispatches", async () => {
    const client = deps.github?.client() ?? null;
    for (const dispatch of await deps.dispatches.unsettled()) {
      // A suite's dispatches are reconcileSuites' (below): they are not runs of the ledger.
      if (dispatch.suite) continue;
      await each("dispatches", dispatch.correlation_id, async () => {
        const action = nextAction(dispatch, now.getTime(), deps.config.STALE_AFTER_HOURS);
        if (action.kind === "dispatch") {
          await performDispatch(deps, dispatch);
          report.dispatches_retried++;
        } else if (action.kind === "find_run" && client) {
          const found = await findDispatchedRun(deps, { ...dispatch, state: "dispatched" }, client);
          const late = tooLate(dispatch, now.getTime());
          if (found.run_id !== null) report.runs_found++;
          else if (dispatch.state === "claimed" && late) {
            await markMissed(deps, dispatch, late);
            report.nights_missed++;
          } else if (dispatch.state === "claimed") await performDispatch(deps, dispatch);
        } else if (action.kind === "give_up" && dispatch.kind === "confirm") {
          if (dispatch.confirms) await giveUpConfirmation(deps, dispatch.confirms, action.reason);
          await deps.dispatches.save({ ...dispatch, state: "missed", updated_at: deps.now().toISOString() });
        } else if (action.kind === "give_up") {
          await markMissed(deps, dispatch, action.reason);
          report.nights_missed++;
        }
      });
    }
  });

  await part("suites", async () => {
    report.suites = await reconcileSuites(deps, now);
  });

  await part("runs", async () => {
    if (!deps.github) return;
    const client = deps.github.client();
    for (const run of await deps.runs.open()) {
      const ref = run.github;
      if (!ref || !readDue(run.read_retry ?? null, now.getTime())) continue;
      report.runs_checked++;
      await each("runs", run.id, () => checkRun(deps, client, run, ref, now));
    }
  });

  await part("followed", async () => {
    const found = await discoverFollowedRuns(deps);
    report.followed_runs_read = found.read;
    report.errors.push(...found.errors.map((error) => `followed: ${error}`));
  });

  // Last, so that the runs recorded above are settled, and what they and earlier failures left in the outbox goes out.
  await part("settle", async () => {
    report.runs_settled = await settleRuns(deps);
  });
  await part("outbox", async () => {
    report.alerts_sent = (await sendOutbox(deps)).sent;
  });
  // The settlements keep the analysis of the newest runs; the charts want the whole history's.
  await part("changes", async () => {
    await refreshChanges(deps);
  });

  return report;
}

/** Asks GitHub about one open run, and records what it says. */
async function checkRun(deps: LoopDeps, client: GitHubClient, run: Run, ref: GitHubRunRef, now: Date): Promise<void> {
  let current: WorkflowRun;
  try {
    current = await getRunAttempt(client, ref.run_id, ref.run_attempt);
  } catch (error) {
    if (error instanceof GitHubError && error.kind === "not_found")
      return closeStale(deps, run, now, "crashed", "the run no longer exists on GitHub");
    // Otherwise a run GitHub keeps failing to answer about would stay open for ever.
    if (!isThrottled(error) && stale(deps, run, now)) {
      const hours = deps.config.STALE_AFTER_HOURS;
      return closeStale(
        deps,
        run,
        now,
        "crashed",
        `GitHub could not say how the run went for ${hours} hours: ${messageOf(error)}`,
      );
    }
    throw error;
  }
  if (current.status === "completed") {
    const handled = await handleWorkflowRun(deps, "completed", current);
    if (!handled.ok) throw handled.error;
  } else if (stale(deps, run, now)) {
    await closeStale(deps, run, now, WAITING.includes(current.status ?? "") ? "missed" : "crashed");
  } else if (current.status === "in_progress" && run.state === "dispatched") {
    await handleWorkflowRun(deps, "in_progress", current);
  }
}

function stale(deps: LoopDeps, run: Run, now: Date): boolean {
  return now.getTime() - Date.parse(run.at) > deps.config.STALE_AFTER_HOURS * 3_600_000;
}

async function closeStale(
  deps: LoopDeps,
  run: Run,
  now: Date,
  state: "missed" | "crashed",
  reason?: string,
): Promise<void> {
  const hours = deps.config.STALE_AFTER_HOURS;
  const why =
    reason ??
    (state === "missed"
      ? `no runner picked the run up within ${hours} hours`
      : `the run had not finished after ${hours} hours`);
  deps.log({ event: "run_closed", run: run.id, state, reason: why });
  await deps.runs.record({
    ...run,
    state,
    completed_at: now.toISOString(),
    failure: { reason: why, job: null, step: null, log_url: null, rerun_requested: false },
  });
}

/** Whether chimney was watching before `due`: the trigger's time before it has a dispatch. */
async function watched(deps: LoopDeps, due: Date): Promise<boolean> {
  const before = lastScheduled(deps.config.NIGHTLY_CRON, new Date(due.getTime() - 1));
  return before !== null && (await deps.dispatches.get(nightlyCorrelationId(nightOf(before.getTime())))) !== null;
}

/** A dispatch that never produced a run: its night is recorded as missed. */
async function markMissed(deps: LoopDeps, dispatch: Dispatch, reason: string): Promise<void> {
  const now = deps.now();
  deps.log({ event: "night_missed", correlation_id: dispatch.correlation_id, reason });
  await deps.runs.record(
    newRun({
      id: newRunId(new Date(dispatch.requested_at)),
      state: "missed",
      at: dispatch.requested_at,
      completed_at: now.toISOString(),
      ref: dispatch.ref,
      mainline: isMainline(dispatch.ref, dispatch.pr_number, deps.trackedRef),
      dispatch: runDispatch(dispatch),
      failure: { reason, job: null, step: null, log_url: null, rerun_requested: false },
    }),
  );
  await deps.dispatches.save({ ...dispatch, state: "missed", updated_at: now.toISOString() });
}
