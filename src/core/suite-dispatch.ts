/**
 * Dispatching a suite other than smoke: its cron's slots, and the rerun that confirms a change
 * before its alert opens. Workers' cron triggers are fixed in wrangler.toml, so the ticks ask
 * here, every time, whether a suite's latest slot is due; the dispatch outbox's claim on the
 * slot's correlation id makes racing ticks dispatch it once.
 */
import { nextAction, newDispatch, SLOT_WINDOW_MS, type Dispatch, type DispatchAction } from "./dispatch.ts";
import type { SeriesChange } from "./series.ts";
import { isParsedFormat, type SeriesSuite } from "./suite-results.ts";
import type { Suite } from "./suites.ts";
import { invalid, ok, type Parsed } from "./validation.ts";
import { lastScheduled, slotCorrelationId, suiteConfirmationId } from "./workflow.ts";

/** A suite chimney dispatches on its cron and reads through its series. */
export type DispatchedSuite = SeriesSuite & { start: { dispatch: { cron: string } } };

export function dispatchedSuites(suites: readonly Suite[]): DispatchedSuite[] {
  return suites.filter((s): s is DispatchedSuite => s.start !== "follow" && isParsedFormat(s.format));
}

/** A suite's latest slot: when its cron last fired, and the correlation id that claims it. */
export interface Slot {
  at: string;
  correlation_id: string;
}

export function latestSlot(suite: DispatchedSuite, now: Date): Slot | null {
  const at = lastScheduled(suite.start.dispatch.cron, now);
  return at ? { at: at.toISOString(), correlation_id: slotCorrelationId(suite.name, at) } : null;
}

export type SlotAction = { kind: "dispatch" } | { kind: "claimed" } | { kind: "too_old"; reason: string };

/**
 * What a tick does with a suite's latest slot: nothing once it is claimed; dispatch it within
 * `SLOT_WINDOW_MS` of its time; after that, skip it (a daily cron's next slot is due by then, and
 * a weekly one's late run would measure the wrong week).
 */
export function slotAction(slot: Slot, claimed: boolean, now: number): SlotAction {
  if (claimed) return { kind: "claimed" };
  if (now - Date.parse(slot.at) < SLOT_WINDOW_MS) return { kind: "dispatch" };
  return {
    kind: "too_old",
    reason: `the slot of ${slot.at} was not dispatched within ${SLOT_WINDOW_MS / 3_600_000} hours; the next one is awaited`,
  };
}

/** The dispatch of a suite's slot as it is claimed: requested at the slot's time, so that its lateness counts from it. */
export function slotDispatch(suite: DispatchedSuite, slot: Slot): Dispatch {
  return newDispatch(
    {
      kind: "scheduled",
      night: null,
      correlation_id: slot.correlation_id,
      suite: suite.name,
      workflow: suite.workflow,
      ref: suite.branch,
      pr_number: null,
      sha: null,
      confirms: null,
    },
    slot.at,
  );
}

/** What a dispatch by hand runs for a suite other than smoke: its workflow on its branch. */
export interface SuiteTarget {
  suite: string;
  workflow: string;
  ref: string;
}

/**
 * What a dispatch by hand of `suite` runs: null for the smoke suite (the nightly loop's workflow,
 * on any ref or a pull request's head), else the suite's workflow on its branch, as its cron
 * dispatches it. A suite other than smoke reads only its branch's runs and comments on no pull
 * request, so another ref or a pull request would start a run nobody reads.
 */
export function suiteTarget(
  suite: Suite,
  request: { ref: string | null; pr_number: number | null },
): Parsed<SuiteTarget | null> {
  if (!isParsedFormat(suite.format)) return ok(null);
  if (request.pr_number !== null)
    return invalid({
      field: "pr_number",
      message: `only the smoke suite benchmarks a pull request; ${suite.name} reads its branch ${suite.branch}`,
    });
  if (request.ref !== null && request.ref !== suite.branch)
    return invalid({ field: "ref", message: `${suite.name} reads the runs of its branch ${suite.branch} only` });
  return ok({ suite: suite.name, workflow: suite.workflow, ref: suite.branch });
}

/** The change an alert is about to open for: the worst moved series' latest change. */
export interface SuspectedChange {
  series: string;
  name: string;
  change: SeriesChange;
}

export type ConfirmStep =
  | { kind: "plan" }
  | { kind: "dispatch"; correlation_id: string }
  | { kind: "wait" }
  | { kind: "drop" };

/**
 * What to do with a suite's bad subject before its alert opens. Without `alerts.confirm`, with the
 * alert already open, or with no commit to rerun at, the alert hears it at once. Otherwise the
 * change waits for one rerun at its first commit: on the new level (or with no result to go by)
 * the alert opens; back on the old level the change is dropped.
 */
export function confirmStep(
  suite: Suite,
  alertOpen: boolean,
  suspect: SuspectedChange | null,
  rerun: Dispatch | null,
): ConfirmStep {
  if (!suite.alerts.confirm || suite.start === "follow" || alertOpen || !suspect?.change.sha) return { kind: "plan" };
  if (!rerun) return { kind: "dispatch", correlation_id: suiteConfirmationId(suite.name, suspect.change.sha) };
  if (rerun.rerun?.verdict === "refuted") return { kind: "drop" };
  if (rerun.rerun || rerun.state === "missed") return { kind: "plan" };
  return { kind: "wait" };
}

/** The rerun of a suite at a suspected change's first commit, as it is claimed. */
export function rerunDispatch(suite: Suite, suspect: SuspectedChange, correlationId: string, at: string): Dispatch {
  return {
    ...newDispatch(
      {
        kind: "confirm",
        night: null,
        correlation_id: correlationId,
        suite: suite.name,
        workflow: suite.workflow,
        ref: suite.branch,
        pr_number: null,
        sha: suspect.change.sha,
        confirms: null,
      },
      at,
    ),
    suspect: {
      series: suspect.series,
      name: suspect.name,
      mean_before: suspect.change.mean_before,
      mean_after: suspect.change.mean_after,
    },
  };
}

/** A rerun's value confirms the change when it is nearer the new level's mean than the old one's. */
export function rerunVerdict(
  value: number,
  suspect: { mean_before: number; mean_after: number },
): "confirmed" | "refuted" {
  return Math.abs(value - suspect.mean_after) < Math.abs(value - suspect.mean_before) ? "confirmed" : "refuted";
}

/**
 * What the reconcile tick does with a suite's dispatch: a rerun that started but gave no result
 * within `staleAfterHours` is given up (its alert then opens unconfirmed); otherwise as any dispatch.
 */
export function suiteDispatchAction(d: Dispatch, now: number, staleAfterHours: number): DispatchAction {
  if (d.kind === "confirm" && d.state === "dispatched" && d.run_id !== null) {
    if (d.rerun) return { kind: "none" };
    return now - Date.parse(d.requested_at) > staleAfterHours * 3_600_000
      ? { kind: "give_up", reason: `the rerun gave no result within ${staleAfterHours} hours` }
      : { kind: "none" };
  }
  return nextAction(d, now, staleAfterHours);
}
