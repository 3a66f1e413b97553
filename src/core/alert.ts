/**
 * Alerts: one GitHub issue per problem (a fingerprint: the kind of problem and the benchmark
 * suite), opened on the first bad night, commented on while it lasts, closed on the first good
 * night. This module decides; the GitHub writes it asks for go through a stored outbox.
 */
import { SMOKE_METRICS, withinRange, type Actuals, type Baseline } from "./baseline.ts";
import type { DashboardCheck } from "./dashboards.ts";
import type { SlackMessage } from "./slack-message.ts";
import type { Run } from "./run.ts";

export type AlertKind = "regression" | "crash" | "missed" | "dashboards" | "improvement";

export interface Alert {
  fingerprint: string;
  kind: AlertKind;
  suite: string;
  state: "open" | "resolved";
  /** The issue of the current (or last) episode; null until it is created. */
  issue_number: number | null;
  issue_url: string | null;
  /** The run (or check) that opened the current episode, and the latest one that spoke to it. */
  opened_by: string;
  opened_at: string;
  last_run_id: string;
  last_run_at: string;
  /** How a maintainer ended the last episode by accepting its level; absent or null otherwise. */
  accepted?: Acceptance | null;
  /** chimney's comments on the episode's issue wait until then; absent or null when not snoozed. */
  snooze?: Snooze | null;
}

/**
 * A level a maintainer accepted: it is the reference while it stays, so nights within its bands
 * and change points to it are no news. The bands are what `chimney baseline suggest` proposes
 * from the episode's nights (`suggestBaseline`).
 */
export interface Acceptance {
  by: string;
  at: string;
  issue_number: number | null;
  baseline: Baseline;
  /** The nights the bands were learned from, newest first. */
  runs: string[];
}

export interface Snooze {
  until: string;
  by: string;
  /** The comment or label event that asked for it: the same command again changes nothing. */
  command: string;
}

/** A maintainer's word on an alert's issue, applied through the outbox like a verdict. */
export type AlertDecision =
  | { kind: "accept"; fingerprint: string; acceptance: Acceptance }
  | { kind: "snooze"; fingerprint: string; snooze: Snooze };

/** What an alert hears from: a settled run, or a dashboard check. */
export interface AlertSubject {
  id: string;
  at: string;
  verdicts: Verdict[];
  /** The pull request to comment on, for a settled run dispatched for one. */
  pr_number: number | null;
  /** A maintainer's command (the subject is the command itself, with no verdicts). */
  decision?: AlertDecision;
}

export type WriteAction =
  | "report_bad"
  | "report_recovered"
  | "report_improvement"
  | "report_accepted"
  | "report_snoozed"
  | "pr_comment"
  | "dispatch"
  | "notify";

/**
 * A change for the better that stood as long as a drift must (`standingBetter`): good news,
 * reported once. Its alert (fingerprint: the metric and the run where it began) is resolved from
 * the start, so it is never an open alert; the alert's existence is what keeps it from being told twice.
 */
export interface Improvement {
  metric: string;
  /** The first run after the change, and the last one before it, with their commits. */
  run_id: string;
  before_run_id: string;
  sha: string | null;
  at: string;
  mean_before: number;
  mean_after: number;
  /** The alerts whose open issue hears the news instead of an issue of its own, in order. */
  on: string[];
}

/**
 * One GitHub write to make, kept until it is made: the outbox. Alerts' issue writes, pull
 * request comments, and the confirming dispatches a settlement asks for.
 */
export interface AlertWrite {
  id: string;
  seq: number;
  fingerprint: string;
  action: WriteAction;
  /** The run or check the write reports; for a dispatch, its correlation id. */
  subject_id: string;
  pr_number: number | null;
  state: "pending" | "sending" | "done" | "abandoned";
  /** For `report_improvement`: the changes to tell, and the alert whose open issue hears them (null: an issue of their own). */
  improvements?: Improvement[];
  comment_on?: string | null;
  /** For `notify`: the message the outgoing webhook receives (core/notify.ts). */
  message?: SlackMessage;
  attempts: number;
  lease_until: string | null;
  last_error: string | null;
  created_at: string;
}

export const KIND_LABELS: Record<AlertKind, string> = {
  regression: "perf-regression",
  crash: "perf-crash",
  missed: "perf-missed",
  dashboards: "perf-dashboards",
  improvement: "perf-improvement",
};

/** A write that fails this many times is given up (and logged), not retried forever. */
export const MAX_WRITE_ATTEMPTS = 10;
/** How long a claimed write is reserved for the invocation sending it. */
export const WRITE_LEASE_MS = 2 * 60_000;

export function fingerprintOf(kind: AlertKind, suite: string): string {
  return `${kind}:${suite}`;
}

export interface Verdict {
  fingerprint: string;
  kind: AlertKind;
  suite: string;
  bad: boolean;
  /** For an improvement verdict: the change it tells of. */
  improvement?: Improvement;
}

/**
 * What a settled run says about each problem. A run with a result clears crash and missed (the
 * benchmark ran) and sets or clears regression; a crash sets crash and clears missed; a missed
 * night sets missed. A crash that chimney is rerunning says nothing yet, nor does a suspect run
 * about regression (its confirming run does). Only mainline runs
 * speak; a pull request's run is answered on the pull request instead.
 */
function verdictsOf(run: Run): Verdict[] {
  if (!run.mainline || run.dispatch?.pr_number) return [];
  const suite = run.suite;
  const verdict = (kind: AlertKind, bad: boolean): Verdict => ({
    fingerprint: fingerprintOf(kind, suite),
    kind,
    suite,
    bad,
  });
  switch (run.state) {
    case "passed":
      return [verdict("regression", false), verdict("crash", false), verdict("missed", false)];
    case "regressed":
      // A suspect run waits for its confirming run, which speaks for it.
      if (run.confirmation?.state === "pending" || run.confirmation?.state === "refuted")
        return [verdict("crash", false), verdict("missed", false)];
      return [verdict("regression", true), verdict("crash", false), verdict("missed", false)];
    case "crashed":
      return run.failure?.rerun_requested ? [] : [verdict("crash", true), verdict("missed", false)];
    case "missed":
      return [verdict("missed", true)];
    default:
      return [];
  }
}

/** A settled run as an alert subject; a pull request's run is answered on the pull request. */
export function runSubject(run: Run): AlertSubject {
  const pr = run.dispatch?.pr_number ?? null;
  const answered =
    pr !== null && ["passed", "regressed", "crashed"].includes(run.state) && !run.failure?.rerun_requested;
  return { id: run.id, at: run.at, verdicts: verdictsOf(run), pr_number: answered ? pr : null };
}

/** A dashboard check as an alert subject: drift, or a Grafana that cannot be read, is bad. */
export function dashboardSubject(check: DashboardCheck): AlertSubject {
  const kind = "dashboards";
  return {
    id: check.id,
    at: check.checked_at,
    verdicts: [{ fingerprint: fingerprintOf(kind, "smoke"), kind, suite: "smoke", bad: !check.in_sync }],
    pr_number: null,
  };
}

/**
 * The alert after a verdict, and the write it needs. A run older than the last one that spoke
 * is ignored, and so is the same run twice: at most one write per fingerprint per run.
 */
export function transition(
  alert: Alert | null,
  verdict: Verdict,
  run: Pick<AlertSubject, "id" | "at">,
): { alert: Alert | null; action: WriteAction | null } {
  if (alert && (alert.last_run_id === run.id || run.at < alert.last_run_at)) return { alert, action: null };
  if (verdict.bad) {
    const continuing = alert?.state === "open";
    return {
      alert: {
        // A new episode starts unsnoozed, and a level beyond the accepted one ends the acceptance.
        ...(continuing ? alert : {}),
        fingerprint: verdict.fingerprint,
        kind: verdict.kind,
        suite: verdict.suite,
        state: "open",
        issue_number: alert?.issue_number ?? null,
        issue_url: alert?.issue_url ?? null,
        opened_by: continuing ? alert.opened_by : run.id,
        opened_at: continuing ? alert.opened_at : run.at,
        last_run_id: run.id,
        last_run_at: run.at,
      },
      action: "report_bad",
    };
  }
  if (!alert) return { alert: null, action: null };
  const next: Alert = { ...alert, state: "resolved", last_run_id: run.id, last_run_at: run.at };
  return { alert: next, action: alert.state === "open" ? "report_recovered" : null };
}

/**
 * An open alert after a maintainer's decision: accepted, its episode ends (resolved, with the
 * level it accepted); snoozed, its comments wait. null when there is nothing to change: the
 * alert is not open, or the same command was applied already (a delivery sent twice).
 */
export function decide(alert: Alert | null, decision: AlertDecision): Alert | null {
  if (alert?.state !== "open") return null;
  if (decision.kind === "accept") return { ...alert, state: "resolved", accepted: decision.acceptance, snooze: null };
  if (alert.snooze?.command === decision.snooze.command) return null;
  return { ...alert, snooze: decision.snooze };
}

/** Whether /status lists an alert: open, or its last episode accepted. */
export function isListed(alert: Alert): boolean {
  return alert.state === "open" || alert.accepted != null;
}

/** What `standingOf` gives. */
export interface Standing {
  readonly open: readonly Alert[];
  readonly accepted: readonly Alert[];
}

/**
 * Each list's standing, worked out once: a store's kept list gives the same arrays to every
 * reader, which lets `/status` tell that nothing it shows has changed (http/status-answer.ts).
 */
const standings = new WeakMap<readonly Alert[], Standing>();

/** Listed alerts (`isListed`) as /status shows them: the open ones, and the accepted ones. */
export function standingOf(listed: readonly Alert[]): Standing {
  const known = standings.get(listed);
  if (known) return known;
  const standing = {
    open: listed.filter((a) => a.state === "open"),
    accepted: listed.filter((a) => a.state !== "open"),
  };
  standings.set(listed, standing);
  return standing;
}

/** Whether chimney's comments on an alert's issue wait at `now` (ms). */
export function isSnoozed(alert: Alert, now: number): boolean {
  return alert.snooze != null && Date.parse(alert.snooze.until) > now;
}

/** Whether measurements lie within an accepted level's bands, every metric. */
export function atAcceptedLevel(acceptance: Acceptance | null | undefined, actuals: Actuals | null): boolean {
  if (!acceptance || !actuals) return false;
  return SMOKE_METRICS.every(({ key }) => withinRange(actuals[key], acceptance.baseline[key]));
}

/** The writes a subject asks for, with the alerts as they become: what the store commits at once. */
export function planWrites(
  alerts: Map<string, Alert>,
  subject: AlertSubject,
  nextSeq: number,
  now: string,
): { alerts: Alert[]; writes: AlertWrite[] } {
  const changed: Alert[] = [];
  const writes: AlertWrite[] = [];
  const write = (fingerprint: string, action: WriteAction, pr: number | null): AlertWrite => ({
    id: `${fingerprint}@${subject.id}`,
    seq: nextSeq + writes.length,
    fingerprint,
    action,
    subject_id: subject.id,
    pr_number: pr,
    state: "pending",
    attempts: 0,
    lease_until: null,
    last_error: null,
    created_at: now,
  });
  const improvements: Improvement[] = [];
  if (subject.pr_number !== null)
    writes.push(write(`pull-request:${subject.pr_number}`, "pr_comment", subject.pr_number));
  if (subject.decision) {
    const decided = decide(alerts.get(subject.decision.fingerprint) ?? null, subject.decision);
    if (decided) {
      changed.push(decided);
      writes.push(
        write(decided.fingerprint, subject.decision.kind === "accept" ? "report_accepted" : "report_snoozed", null),
      );
    }
  }
  for (const verdict of subject.verdicts) {
    if (verdict.improvement) {
      if (!alerts.has(verdict.fingerprint)) {
        changed.push(improvementAlert(verdict, subject));
        improvements.push(verdict.improvement);
      }
      continue;
    }
    const { alert, action } = transition(alerts.get(verdict.fingerprint) ?? null, verdict, subject);
    if (alert && alert !== alerts.get(verdict.fingerprint)) changed.push(alert);
    if (action) writes.push(write(verdict.fingerprint, action, null));
  }
  // The metrics of one speed-up are one piece of news: one write tells all that are new.
  if (improvements.length > 0) {
    const on = improvements[0].on.find((fingerprint) => alerts.get(fingerprint)?.state === "open") ?? null;
    const fingerprint = fingerprintOf("improvement", subject.verdicts[0].suite);
    writes.push({ ...write(fingerprint, "report_improvement", null), improvements, comment_on: on });
  }
  return { alerts: changed, writes };
}

/** An improvement's alert: resolved from the start, it is there only so the news is told once. */
function improvementAlert(verdict: Verdict, subject: Pick<AlertSubject, "id" | "at">): Alert {
  return {
    fingerprint: verdict.fingerprint,
    kind: verdict.kind,
    suite: verdict.suite,
    state: "resolved",
    issue_number: null,
    issue_url: null,
    opened_by: subject.id,
    opened_at: subject.at,
    last_run_id: subject.id,
    last_run_at: subject.at,
  };
}

/**
 * The alerts after a settlement's subjects, in order, and the writes they need; with the
 * confirming dispatch's write when the settlement claimed one.
 */
export function planSubjects(
  alerts: ReadonlyMap<string, Alert>,
  subjects: readonly AlertSubject[],
  dispatch: { correlation_id: string } | null,
  nextSeq: number,
  now: string,
): { alerts: Alert[]; writes: AlertWrite[] } {
  const current = new Map(alerts);
  const changed = new Map<string, Alert>();
  const writes: AlertWrite[] = [];
  for (const subject of subjects) {
    const planned = planWrites(current, subject, nextSeq + writes.length, now);
    for (const alert of planned.alerts) {
      current.set(alert.fingerprint, alert);
      changed.set(alert.fingerprint, alert);
    }
    writes.push(...planned.writes);
  }
  if (dispatch) writes.push(dispatchWrite(dispatch.correlation_id, nextSeq + writes.length, now));
  return { alerts: [...changed.values()], writes };
}

function dispatchWrite(correlationId: string, seq: number, now: string): AlertWrite {
  return {
    id: `dispatch@${correlationId}`,
    seq,
    fingerprint: `dispatch:${correlationId}`,
    action: "dispatch",
    subject_id: correlationId,
    pr_number: null,
    state: "pending",
    attempts: 0,
    lease_until: null,
    last_error: null,
    created_at: now,
  };
}

/** The issue an alert currently has, as GitHub shows it. */
export interface IssueState {
  number: number;
  state: "open" | "closed";
}

/** What an issue write does on GitHub. */
export type IssueStep =
  | { kind: "comment"; on: number; close: boolean }
  | { kind: "open"; previous: number | null }
  | { kind: "nothing" };

/**
 * The issue lifecycle. A bad report comments on the problem's issue while it is open (even if
 * someone reopened it); once it is closed, by chimney or by hand, the problem gets a new issue
 * linking the old one. A recovery comments on the issue and closes it if it is still open.
 */
export function issueStep(
  action: "report_bad" | "report_recovered" | "report_accepted",
  current: IssueState | null,
): IssueStep {
  if (action === "report_recovered" || action === "report_accepted") {
    return current ? { kind: "comment", on: current.number, close: current.state === "open" } : { kind: "nothing" };
  }
  if (current?.state === "open") return { kind: "comment", on: current.number, close: false };
  return { kind: "open", previous: current?.number ?? null };
}

/**
 * The writes to send now, oldest first: per fingerprint only the oldest unfinished one, and
 * none while an earlier one of its fingerprint is being sent, so a comment never overtakes the
 * issue it belongs to.
 */
export function claimable(writes: readonly AlertWrite[], now: number, limit: number): AlertWrite[] {
  const open = writes.filter((w) => w.state === "pending" || w.state === "sending").sort((a, b) => a.seq - b.seq);
  const seen = new Set<string>();
  const ready: AlertWrite[] = [];
  for (const w of open) {
    if (seen.has(w.fingerprint)) continue;
    seen.add(w.fingerprint);
    // A write being sent is leased; a failed one may be held until its receiver's Retry-After.
    const leased = w.lease_until !== null && Date.parse(w.lease_until) > now;
    if (!leased && ready.length < limit) ready.push(w);
  }
  return ready;
}

export function leased(w: AlertWrite, now: number): AlertWrite {
  return {
    ...w,
    state: "sending",
    attempts: w.attempts + 1,
    lease_until: new Date(now + WRITE_LEASE_MS).toISOString(),
  };
}

/** How a write's attempt ended, as the outbox tells the store. */
export interface WriteOutcome {
  error: string | null;
  issue: { number: number; url: string } | null;
  /** A failed write is not tried again before this (a receiver's Retry-After); absent: on the next drain. */
  retry_at?: string | null;
  /** The write that follows one made (its notification), queued with its outcome so it is never lost. */
  then?: AlertWrite | null;
}

/**
 * A write after its attempt: done, or back in the queue (given up after MAX_WRITE_ATTEMPTS),
 * held until `retry_at` when the receiver asked to wait.
 */
export function finishedWrite(w: AlertWrite, outcome: Pick<WriteOutcome, "error" | "retry_at">): AlertWrite {
  if (outcome.error === null) return { ...w, state: "done", lease_until: null, last_error: null };
  return {
    ...w,
    state: w.attempts >= MAX_WRITE_ATTEMPTS ? "abandoned" : "pending",
    lease_until: outcome.retry_at ?? null,
    last_error: outcome.error,
  };
}

/** An alert after one of its writes: a write that created an issue makes it the alert's issue. */
export function withIssue(alert: Alert, issue: { number: number; url: string } | null): Alert {
  return issue ? { ...alert, issue_number: issue.number, issue_url: issue.url } : alert;
}
