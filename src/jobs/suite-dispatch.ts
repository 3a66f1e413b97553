/**
 * Dispatching suites other than smoke: each suite's cron slot from the ticks (claimed in the
 * dispatch outbox, so racing ticks dispatch it once), their retries and give-ups from the reconcile
 * tick, and the confirming rerun a suite's change waits for before its alert opens. What to do is
 * decided in core/suite-dispatch.ts; the runs are read by suite-run.ts, as a followed suite's.
 */
import type { AlertSubject } from "../core/alert.ts";
import { tooLate, type Dispatch, type RerunOutcome } from "../core/dispatch.ts";
import type { Series } from "../core/series.ts";
import { movedSeries, suiteSubject } from "../core/suite-alert.ts";
import {
  confirmStep,
  dispatchedSuites,
  latestSlot,
  rerunDispatch,
  rerunVerdict,
  slotAction,
  slotDispatch,
  suiteDispatchAction,
} from "../core/suite-dispatch.ts";
import type { Suite } from "../core/suites.ts";
import { suiteConfirmationId } from "../core/workflow.ts";
import { changeOptions } from "./changes.ts";
import { messageOf, type LoopDeps } from "./deps.ts";
import { findDispatchedRun, performDispatch } from "./dispatch.ts";

export interface SuiteDispatchReport {
  /** Suites whose slot this tick dispatched (or tried to: a failure is retried by the reconcile tick). */
  dispatched: string[];
  /** Suites whose slot was over a day old, skipped. */
  skipped: string[];
  retried: number;
  given_up: number;
  errors: string[];
}

/** Dispatches each suite's latest slot that no tick has claimed yet (both ticks call it). */
export async function dispatchDueSuites(deps: LoopDeps, at: Date): Promise<SuiteDispatchReport> {
  const report: SuiteDispatchReport = { dispatched: [], skipped: [], retried: 0, given_up: 0, errors: [] };
  if (!deps.github) return report;
  for (const suite of dispatchedSuites(deps.config.CHIMNEY_SUITES)) {
    try {
      const slot = latestSlot(suite, at);
      if (!slot) continue;
      const action = slotAction(slot, (await deps.dispatches.get(slot.correlation_id)) !== null, at.getTime());
      const dispatch = slotDispatch(suite, slot);
      if (action.kind === "dispatch" && (await deps.dispatches.claim(dispatch))) {
        const done = await performDispatch(deps, dispatch);
        deps.log({ event: "suite_dispatched", suite: suite.name, slot: slot.at, state: done.state, run: done.run_id });
        report.dispatched.push(suite.name);
      } else if (
        action.kind === "too_old" &&
        // Claimed as missed, so the skip is logged once, not on every tick until the next slot.
        (await deps.dispatches.claim({ ...dispatch, state: "missed", last_error: action.reason }))
      ) {
        deps.log({ event: "suite_slot_skipped", suite: suite.name, slot: slot.at, reason: action.reason });
        report.skipped.push(suite.name);
      }
    } catch (error) {
      report.errors.push(`${suite.name}: ${messageOf(error)}`);
    }
  }
  return report;
}

/**
 * The reconcile tick's part for suites: their due slots, then their dispatches not settled yet
 * (retried, their run looked for, or given up; a rerun given up opens its alert unconfirmed).
 */
export async function reconcileSuites(deps: LoopDeps, now: Date): Promise<SuiteDispatchReport> {
  const report = await dispatchDueSuites(deps, now);
  const client = deps.github?.client() ?? null;
  for (const dispatch of await deps.dispatches.unsettled()) {
    if (!dispatch.suite) continue;
    try {
      const action = suiteDispatchAction(dispatch, now.getTime(), deps.config.STALE_AFTER_HOURS);
      if (action.kind === "dispatch") {
        await performDispatch(deps, dispatch);
        report.retried++;
      } else if (action.kind === "find_run" && client) {
        const found = await findDispatchedRun(deps, { ...dispatch, state: "dispatched" }, client);
        if (found.run_id !== null || dispatch.state !== "claimed") continue;
        // Claimed by an invocation that died before asking GitHub: ask now, unless it is too late.
        const late = tooLate(dispatch, now.getTime());
        if (late) {
          await giveUp(deps, dispatch, late);
          report.given_up++;
        } else {
          await performDispatch(deps, dispatch);
          report.retried++;
        }
      } else if (action.kind === "give_up") {
        await giveUp(deps, dispatch, action.reason);
        report.given_up++;
      }
    } catch (error) {
      report.errors.push(`${dispatch.correlation_id}: ${messageOf(error)}`);
    }
  }
  return report;
}

async function giveUp(deps: LoopDeps, dispatch: Dispatch, reason: string): Promise<void> {
  deps.log({
    event: "suite_dispatch_given_up",
    suite: dispatch.suite,
    correlation_id: dispatch.correlation_id,
    reason,
  });
  const missed = { ...dispatch, state: "missed" as const, last_error: reason, updated_at: deps.now().toISOString() };
  if (dispatch.kind === "confirm") await concludeRerun(deps, missed, { verdict: "unconfirmed", value: null, reason });
  else await deps.dispatches.save(missed);
}

/**
 * Plans a suite's alert subject after its series grew. A bad one, for a suite that confirms, first
 * waits for one rerun at the commit where its worst series' change starts (dispatched here); the
 * rerun's result (`readRerun`) then opens the alert or drops the change.
 */
export async function planSuiteAlert(
  deps: LoopDeps,
  suite: Suite,
  subject: AlertSubject,
  all: readonly Series[],
): Promise<void> {
  const now = deps.now().toISOString();
  const bad = subject.verdicts.find((v) => v.bad);
  if (!bad || !suite.alerts.confirm || suite.start === "follow") {
    await deps.alerts.plan(subject, now);
    return;
  }
  // A suite that looks for no change points has none to rerun: its bands speak at once.
  const [worst] = suite.alerts.change_points
    ? movedSeries(suite.name, all, changeOptions(deps.config), deps.config.CHANGE_MIN_RUNS).moved
    : [];
  const suspect = worst ? { series: worst.series.key, name: worst.series.name, change: worst.change } : null;
  const sha = suspect?.change.sha;
  const rerun = sha ? await deps.dispatches.get(suiteConfirmationId(suite.name, sha)) : null;
  const alert = await deps.alerts.alert(bad.fingerprint);
  const step = confirmStep(suite, alert?.state === "open", suspect, rerun);
  if (step.kind === "plan") await deps.alerts.plan(subject, now);
  else if (step.kind === "dispatch" && suspect) {
    const dispatch = rerunDispatch(suite, suspect, step.correlation_id, now);
    // A racing delivery claimed it first: that one dispatches.
    if (!(await deps.dispatches.claim(dispatch))) return;
    deps.log({
      event: "suite_change_suspected",
      suite: suite.name,
      series: suspect.name,
      sha,
      rerun: dispatch.correlation_id,
    });
    await performDispatch(deps, dispatch);
  }
}

/**
 * What a suite's confirming rerun measured (`series`, not merged: it sits at an older commit), or
 * why it gave nothing (`failure`): the verdict on its suspected change.
 */
export async function readRerun(
  deps: LoopDeps,
  dispatch: Dispatch,
  result: { series: readonly Series[] } | { failure: string },
): Promise<void> {
  if ("failure" in result) {
    await concludeRerun(deps, dispatch, { verdict: "unconfirmed", value: null, reason: result.failure });
    return;
  }
  const suspect = dispatch.suspect;
  const value = result.series.find((s) => s.key === suspect?.series)?.points[0]?.value;
  if (!suspect || value === undefined) {
    const reason = `the rerun gave no result for ${suspect?.name ?? "the moved series"}`;
    await concludeRerun(deps, dispatch, { verdict: "unconfirmed", value: null, reason });
    return;
  }
  await concludeRerun(deps, dispatch, { verdict: rerunVerdict(value, suspect), value, reason: null });
}

/** Keeps a rerun's outcome and, unless it refuted the change, lets the suite's alert hear its series. */
async function concludeRerun(deps: LoopDeps, dispatch: Dispatch, outcome: RerunOutcome): Promise<void> {
  const now = deps.now().toISOString();
  await deps.dispatches.save({ ...dispatch, rerun: outcome, updated_at: now });
  deps.log({
    event: `suite_change_${outcome.verdict}`,
    suite: dispatch.suite,
    series: dispatch.suspect?.name ?? null,
    sha: dispatch.sha,
    value: outcome.value,
    before: dispatch.suspect?.mean_before ?? null,
    after: dispatch.suspect?.mean_after ?? null,
    reason: outcome.reason,
  });
  const suite = deps.config.CHIMNEY_SUITES.find((s) => s.name === dispatch.suite);
  if (outcome.verdict === "refuted" || !suite) return;
  const all = await deps.series.all();
  const subject = suiteSubject(
    suite.name,
    all,
    changeOptions(deps.config),
    deps.config.CHANGE_MIN_RUNS,
    now,
    suite.alerts,
  );
  if (subject) await planSuiteAlert(deps, suite, subject, all);
}
