/**
 * Settling a recorded run: what a run that reached a final state means, decided in one place.
 * Recording only stores a run; settling it computes a plan (this module, pure) that the store
 * commits at once: the change analysis to keep, the suspect decision, what it says to each
 * alert, and the confirming dispatch to send. Every side effect of the plan leaves through the
 * outbox, so a failure between recording and settling is repaired by settling again.
 */
import { atAcceptedLevel, fingerprintOf, runSubject, type Acceptance, type AlertSubject } from "./alert.ts";
import { isSuspect, isUndecided, nextNightSays, pendingConfirmation } from "./confirmation.ts";
import { newDispatch, type Dispatch } from "./dispatch.ts";
import { driftSubject, evidenceAt, improvementSubject, standingWorse, type ChangeReport } from "./drift.ts";
import { SMOKE_METRICS } from "./baseline.ts";
import { historyEntry, type HistoryEntry } from "./history.ts";
import { actualsOf } from "./metrics.ts";
import { median } from "./stats.ts";
import type { Run } from "./run.ts";

/** What a settlement commits, all or nothing. */
export interface Settlement {
  /** The run being settled, and the revision of it the plan was made from; null for an analysis alone (an import). */
  settles: { run_id: string; revision: string } | null;
  /** Runs whose record the settlement changes: a suspect marked, or a suspect's confirmation settled. */
  runs: Run[];
  /** The change analysis to keep, when the run brought a new one. */
  analysis: ChangeReport | null;
  /** What the settlement says to the alerts, in order. */
  subjects: AlertSubject[];
  /** A confirming dispatch, claimed with the settlement and sent through the outbox. */
  dispatch: Dispatch | null;
}

/** A recorded run waiting to be settled, at the revision it was read. */
export interface UnsettledRun {
  run: Run;
  revision: string;
}

export interface SettleContext {
  /** The analysis of the history with the run in it, for a mainline run with a result. */
  analysis: ChangeReport | null;
  /** The suspect this confirming run settles, as it leaves it (`suspectAfter`); null when it settles none. */
  suspect: Run | null;
  /** The last night with a result before this one, when it is a suspect still undecided. */
  previousSuspect: Run | null;
  /** The nights before this one, newest first: at least `minRuns − 1` of them when there are. */
  recentNights: readonly HistoryEntry[];
  /** Nights that must bear a change out before it is news (CHANGE_MIN_RUNS): a recovery too. */
  minRuns: number;
  /** Whether the regression alert is open: another bad night is news for it, not noise. */
  regressionOpen: boolean;
  /** When the regression's current episode opened (its first bad night, or a confirming run of it), while open. */
  regressionOpenedAt: string | null;
  /** Whether a standing change for the better is told (ALERT_IMPROVEMENTS). */
  improvements: boolean;
  /** Levels maintainers accepted, while their episodes stay closed: nights at them are no news. */
  accepted: readonly Acceptance[];
  /** Whether confirming runs can be dispatched (CONFIRM_REGRESSIONS, and GitHub to dispatch them). */
  confirm: boolean;
  /** The branch confirming runs are dispatched on. */
  trackedRef: string;
  now: string;
}

/**
 * The plan for a recorded run in a final state:
 * - a confirming run settles its suspect (confirmed or refuted); one that gave no result leaves
 *   it to the next night; once its suspect is settled some other way, it says nothing of regression;
 * - the next night with a result after an undecided suspect: out of band, it bears the suspect
 *   out (two nights in a row are a regression, reported at once with both named); in band, it
 *   refutes a suspect its rerun could not decide;
 * - a lone out-of-band night is suspect: it is marked, and its commit benchmarked again;
 * - the run speaks to its alerts (a suspect does not yet about regression), and a new analysis
 *   to the drift alert.
 */
export function planSettlement(unsettled: UnsettledRun, ctx: SettleContext): Settlement {
  let run = unsettled.run;
  const runs: Run[] = [];
  const subjects: AlertSubject[] = [];
  let dispatch: Dispatch | null = null;
  let subject = runSubject(run);
  // Good news first: it is told on a slowdown's issue that this same settlement may close.
  const improvement = ctx.improvements && ctx.analysis ? improvementSubject(ctx.analysis) : null;
  if (improvement) subjects.push(improvement);
  const accepted = isNightOfRecord(run) && atAnAcceptedLevel(run, ctx.accepted);

  const confirms = run.dispatch?.kind === "confirm" ? (run.dispatch.confirms ?? null) : null;
  const previous = ctx.previousSuspect;
  const decided = previous?.confirmation && isNightOfRecord(run) ? nextNightSays(previous.confirmation, run) : null;
  if (confirms) {
    const settled = ctx.suspect?.id === confirms ? ctx.suspect : null;
    if (settled) runs.push(settled);
    // A confirming run speaks of regression only when it settles its suspect.
    if (!settled || isUndecided(settled.confirmation))
      subject = { ...subject, verdicts: subject.verdicts.filter((v) => v.kind !== "regression") };
  } else if (previous && decided) {
    runs.push({ ...previous, confirmation: decided });
    if (decided.state === "confirmed") {
      run = { ...run, corroborates: previous.id };
      runs.push(run);
      subject = runSubject(run);
    }
  } else if (
    !accepted &&
    isSuspect(run, {
      enabled: ctx.confirm,
      regressionOpen: ctx.regressionOpen,
      changes: evidenceAt(ctx.analysis, run.id),
    })
  ) {
    run = { ...run, confirmation: pendingConfirmation(run) };
    runs.push(run);
    dispatch = confirmingDispatch(run, ctx.trackedRef, ctx.now);
    subject = runSubject(run);
  }
  if (ctx.regressionOpen && !recoveredFor(run, ctx)) {
    subject = { ...subject, verdicts: subject.verdicts.filter((v) => !(v.kind === "regression" && !v.bad)) };
  }
  if (accepted) subject = { ...subject, verdicts: subject.verdicts.map((v) => ({ ...v, bad: false })) };
  subjects.push(subject);
  const regression = fingerprintOf("regression", run.suite);
  const said = subject.verdicts.find((v) => v.fingerprint === regression);
  const drift = ctx.analysis ? driftSubject(ctx.analysis, said?.bad ?? ctx.regressionOpen, ctx.accepted) : null;
  if (drift) subjects.push(drift);
  return {
    settles: { run_id: run.id, revision: unsettled.revision },
    runs,
    analysis: ctx.analysis,
    subjects,
    dispatch,
  };
}

/** A suspect whose confirming run never came (the dispatch was given up): the next night decides. */
export function planWithoutRerun(suspect: Run, reason: string): Settlement | null {
  if (suspect.confirmation?.state !== "pending") return null;
  const settled: Run = { ...suspect, confirmation: { ...suspect.confirmation, state: "next_night", reason } };
  return { settles: null, runs: [settled], analysis: null, subjects: [], dispatch: null };
}

/** A new analysis alone, after an import: kept, and not alerted on (the next settled run speaks for it). */
export function planAnalysis(analysis: ChangeReport): Settlement {
  return { settles: null, runs: [], analysis, subjects: [], dispatch: null };
}

/**
 * Whether an open regression has recovered by this night. One good night is no more evidence
 * than one bad one, so it takes `minRuns` good nights in a row (a refuted night counts as good);
 * and they must be back near the level before the regression, not merely inside the band: a
 * slowdown that hovers at the band's edge is one slowdown, not a new one each time it crosses.
 */
function recoveredFor(run: Run, ctx: SettleContext): boolean {
  if (run.state !== "passed" || !isNightOfRecord(run)) return true;
  const recent = [historyEntry(run), ...ctx.recentNights.slice(0, ctx.minRuns - 1)];
  const good = (e: HistoryEntry) => e.state === "passed" || e.confirmation === "refuted";
  if (recent.length < ctx.minRuns || !recent.every(good)) return false;
  if (ctx.analysis && standingWorse(ctx.analysis).length > 0) return false;
  const openedAt = ctx.regressionOpenedAt;
  const opened = openedAt === null ? -1 : ctx.recentNights.findIndex((e) => e.at <= openedAt);
  if (opened < ctx.minRuns - 1) return true;
  const during = ctx.recentNights.slice(ctx.minRuns - 1, opened + 1).filter((e) => e.confirmation !== "refuted");
  const before = ctx.recentNights
    .slice(opened + 1, opened + 1 + LEVEL_NIGHTS)
    .filter((e) => e.confirmation !== "refuted");
  return SMOKE_METRICS.every(({ key }) => {
    const [now, was, bad] = [recent, before, during].map((es) =>
      median(es.flatMap((e) => (e[key] === null ? [] : [e[key]]))),
    );
    return [now, was, bad].some(Number.isNaN) || Math.abs(now - was) <= Math.abs(now - bad);
  });
}

/** Whether a night out of its band stands where a maintainer accepted the level to be. */
function atAnAcceptedLevel(run: Run, accepted: readonly Acceptance[]): boolean {
  const actuals = run.measurements ? actualsOf(run.measurements) : null;
  return run.state === "regressed" && accepted.some((a) => atAcceptedLevel(a, actuals));
}

/** Nights before a regression that give its level. */
const LEVEL_NIGHTS = 10;

/** A night of the tracked branch that speaks for itself: not a pull request's, not a second sample. */
function isNightOfRecord(run: Run): boolean {
  return run.mainline && !run.dispatch?.pr_number && run.dispatch?.kind !== "confirm";
}

/** Benchmarks a suspect's commit once more, on the tracked branch. */
function confirmingDispatch(suspect: Run, trackedRef: string, now: string): Dispatch | null {
  if (!suspect.confirmation) return null;
  return newDispatch(
    {
      kind: "confirm",
      night: null,
      correlation_id: suspect.confirmation.correlation_id,
      ref: trackedRef,
      pr_number: null,
      sha: suspect.sha,
      confirms: suspect.id,
    },
    now,
  );
}
