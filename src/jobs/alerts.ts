/**
 * Sending one alert write to GitHub: the issue lifecycle. What a write does (open, comment,
 * close, a new issue after a manual close) is `issueStep` in core/alert.ts; what it says
 * depends on the alert's kind (a run's alert, the drift alert, the dashboards alert). Retried
 * writes look for their hidden marker first, so a lost answer never doubles an issue or comment.
 */
import { isSnoozed, issueStep, KIND_LABELS, type Alert, type AlertWrite } from "../core/alert.ts";
import { acceptedComment, snoozedComment } from "../core/issue/decision.ts";
import type { MetricKey } from "../core/baseline.ts";
import { DRIFT_FINGERPRINT } from "../core/drift.ts";
import type { HistoryEntry } from "../core/history.ts";
import { dashboardsBody, dashboardsComment, dashboardsTitle } from "../core/issue/dashboards.ts";
import { driftBody, driftComment, driftTitle, type DriftFinding } from "../core/issue/drift.ts";
import type { Bisect } from "../core/issue/markdown.ts";
import { suiteBody, suiteComment, suiteTitle, type SuiteBandFinding, type SuiteFinding } from "../core/issue/suite.ts";
import { bandBreaches } from "../core/suite-bands.ts";
import {
  alertBody,
  alertTitle,
  recoveredComment,
  stillBadComment,
  type AlertKind as RunAlertKind,
  type IssueContext,
} from "../core/issue/run.ts";
import { improvementBody, improvementComment, improvementTitle } from "../core/issue/improvement.ts";
import { artifactUrl, repositoryUrl, runPageUrl, workflowRunUrl } from "../core/links.ts";
import type { AlertEvent, LifecycleEvent } from "../core/notify.ts";
import type { Run } from "../core/run.ts";
import { median } from "../core/stats.ts";
import { movedSeries } from "../core/suite-alert.ts";
import type { Suite } from "../core/suites.ts";
import { suiteConfirmationId } from "../core/workflow.ts";
import { GitHubError, type GitHubClient } from "../github/client.ts";
import {
  closeCompleted,
  comment,
  commitsBetween,
  createIssue,
  findIssue,
  getIssue,
  hasComment,
  type Issue,
} from "../github/issues.ts";
import { smokeBaselinePath } from "./baseline.ts";
import { changeOptions } from "./changes.ts";
import type { GitHubAccess, LoopDeps } from "./deps.ts";
import { sendPullRequestComment } from "./pr-comment.ts";

/** Passing runs whose median each metric is compared with. */
const RECENT_RUNS = 7;

export type NewIssue = { number: number; url: string } | null;

/** What a write did: the issue it created, and the event to tell elsewhere (core/notify.ts). */
export interface Sent {
  issue: NewIssue;
  event: AlertEvent | null;
}

/** What an issue says: its title and body when opened, its comment on a later write. */
interface IssueWords {
  title: string;
  body: (previousIssue: number | null) => string;
  comment: (recovered: boolean) => string;
}

/** Where every write of an alert goes: the one issue-lifecycle sender. */
export async function sendIssueWrite(deps: LoopDeps, github: GitHubAccess, write: AlertWrite): Promise<Sent> {
  const client = github.client();
  const marker = `chimney:alert=${write.id}`;
  const retry = write.attempts > 1;
  const postOnce = commentOnce(github, client, write, marker);

  if (write.action === "pr_comment" && write.pr_number !== null) {
    await sendPullRequestComment(deps, github, write.pr_number, await subjectRun(deps, write));
    return { issue: null, event: null };
  }
  if (write.action === "report_improvement") return sendImprovement(deps, github, client, write, marker);
  if (write.action === "pr_comment" || write.action === "dispatch" || write.action === "notify") {
    throw new Error(`write ${write.id}: ${write.action} is not an issue write`);
  }

  const alert = await deps.alerts.alert(write.fingerprint);
  if (!alert) throw new Error(`alert ${write.fingerprint} is not stored`);
  const { snooze, accepted } = alert;
  // A decision's comment says what the alert holds now: the snooze, or the level accepted.
  // A decision is told as the maintainer's word, with the issue's title and chimney's status page.
  const decided = (issue: Issue) => ({
    kind: alert.kind,
    title: issue.title,
    issue: { number: issue.number, url: issue.html_url },
    page: deps.config.PUBLIC_URL ? `${deps.config.PUBLIC_URL}/` : null,
  });
  if (write.action === "report_snoozed") {
    if (!snooze || alert.issue_number === null) return { issue: null, event: null };
    await postOnce(alert.issue_number, () => snoozedComment(snooze, marker));
    // The issue is read for the event's title alone, which only the outgoing webhook hears.
    if (!deps.notify) return { issue: null, event: null };
    const issue = await getIssue(client, alert.issue_number);
    return { issue: null, event: { ...decided(issue), event: "snoozed", by: snooze.by, until: snooze.until } };
  }
  const current = alert.issue_number === null ? null : await getIssue(client, alert.issue_number);
  const step = issueStep(
    write.action,
    current && { number: current.number, state: current.state === "open" ? "open" : "closed" },
  );
  if (step.kind === "nothing") return { issue: null, event: null };
  if (write.action === "report_accepted") {
    if (step.kind !== "comment" || !accepted || !current) return { issue: null, event: null };
    await postOnce(step.on, () => acceptedComment(accepted, smokeBaselinePath(deps), marker));
    if (step.close) await closeCompleted(client, step.on);
    return { issue: null, event: { ...decided(current), event: "accepted", by: accepted.by } };
  }
  // A snoozed issue hears nothing until the snooze ends; a recovery still closes it.
  if (step.kind === "comment" && isSnoozed(alert, deps.now().getTime())) {
    deps.log({ event: "comment_snoozed", fingerprint: alert.fingerprint, write: write.id, until: alert.snooze?.until });
    if (step.close) await closeCompleted(client, step.on);
    return { issue: null, event: null };
  }
  const labels = [...(watchedSuite(deps, alert)?.alerts.labels ?? deps.config.ALERT_LABELS), KIND_LABELS[alert.kind]];
  const words = await wordsOf(deps, github, client, alert, write, marker);
  const told = (event: LifecycleEvent, issue: NewIssue): AlertEvent => ({
    event,
    kind: alert.kind,
    title: words.title,
    issue,
    page: pageOf(deps, alert, write),
  });
  if (step.kind === "open" && retry) {
    const existing = await findIssue(client, labels, marker);
    if (existing) {
      const issue = { number: existing.number, url: existing.html_url };
      return { issue, event: told("opened", issue) };
    }
  }
  if (step.kind === "comment") {
    await postOnce(step.on, () => words.comment(write.action === "report_recovered"));
    if (step.close) await closeCompleted(client, step.on);
    const issue = alert.issue_url ? { number: step.on, url: alert.issue_url } : null;
    return { issue: null, event: told(write.action === "report_recovered" ? "closed" : "commented", issue) };
  }
  const created = await createIssue(client, { title: words.title, body: words.body(step.previous), labels });
  deps.log({ event: "alert_opened", fingerprint: alert.fingerprint, issue: created.number, subject: write.subject_id });
  const issue = { number: created.number, url: created.html_url };
  return { issue, event: told("opened", issue) };
}

/** A write's comment, posted once: a retried write first looks for the one an earlier attempt made. */
function commentOnce(github: GitHubAccess, client: GitHubClient, write: AlertWrite, marker: string) {
  return async (number: number, body: () => Promise<string> | string) => {
    if (!(write.attempts > 1 && (await hasComment(client, number, marker, await github.identity(client)))))
      await comment(client, number, await body());
  };
}

/** chimney's page of what a write is about: the run of a run's alert, else the status page. */
function pageOf(deps: LoopDeps, alert: Alert, write: AlertWrite): string | null {
  const base = deps.config.PUBLIC_URL;
  if (!base) return null;
  const ofRun = ["regression", "crash", "missed"].includes(alert.kind) && alert.fingerprint !== DRIFT_FINGERPRINT;
  return ofRun && !watchedSuite(deps, alert) ? runPageUrl(base, write.subject_id) : `${base}/`;
}

/** The words of an alert, by its kind. */
function wordsOf(
  deps: LoopDeps,
  github: GitHubAccess,
  client: GitHubClient,
  alert: Alert,
  write: AlertWrite,
  marker: string,
): Promise<IssueWords> {
  if (alert.fingerprint === DRIFT_FINGERPRINT) return driftWords(deps, github, client, write, marker);
  const suite = watchedSuite(deps, alert);
  if (suite) return suiteWords(deps, github, client, suite, write, marker);
  if (alert.kind === "dashboards") return dashboardsWords(deps, github, write, marker);
  if (alert.kind === "improvement") throw new Error(`write ${write.id}: good news has no issue lifecycle`);
  return runWords(deps, github, client, { ...alert, kind: alert.kind }, write, marker);
}

/**
 * Good news, told once: a comment on the slowdown's issue the settlement found open, or else
 * an issue of its own, closed at once so the team hears it without an item left open. A retry
 * finds what an earlier attempt did by its marker, and closes an issue left open.
 */
async function sendImprovement(
  deps: LoopDeps,
  github: GitHubAccess,
  client: GitHubClient,
  write: AlertWrite,
  marker: string,
): Promise<Sent> {
  const improvements = write.improvements ?? [];
  if (improvements.length === 0) throw new Error(`write ${write.id}: the improvement is not stored`);
  const retry = write.attempts > 1;
  const base = deps.config.PUBLIC_URL;
  const ctx = {
    improvements,
    runUrl: (id: string) => (base ? runPageUrl(base, id) : null),
    repositoryUrl: repositoryUrl(deps.config.GITHUB_API_URL, github.repository),
    marker,
  };
  const event = (issue: NewIssue): AlertEvent => ({
    event: "improvement",
    kind: "improvement",
    title: improvementTitle(improvements),
    issue,
    page: ctx.runUrl(improvements[0].run_id),
  });
  const slowdown = write.comment_on ? await deps.alerts.alert(write.comment_on) : null;
  if (slowdown?.issue_number != null) {
    const on = slowdown.issue_number;
    await commentOnce(github, client, write, marker)(on, () => improvementComment(ctx));
    return { issue: null, event: event(slowdown.issue_url ? { number: on, url: slowdown.issue_url } : null) };
  }
  const labels = [...deps.config.ALERT_LABELS, KIND_LABELS.improvement];
  const issue =
    (retry ? await findIssue(client, labels, marker) : null) ??
    (await createIssue(client, { title: improvementTitle(improvements), body: improvementBody(ctx), labels }));
  if (issue.state !== "closed") await closeCompleted(client, issue.number);
  deps.log({ event: "improvement_told", fingerprint: write.fingerprint, issue: issue.number });
  const told = { number: issue.number, url: issue.html_url };
  return { issue: told, event: event(told) };
}

async function runWords(
  deps: LoopDeps,
  github: GitHubAccess,
  client: GitHubClient,
  alert: Alert & { kind: RunAlertKind },
  write: AlertWrite,
  marker: string,
): Promise<IssueWords> {
  const run = await subjectRun(deps, write);
  const ctx = await runContext(deps, github, client, alert.kind, run, marker);
  return {
    title: alertTitle(alert.kind, run),
    body: (previousIssue) => alertBody({ ...ctx, previousIssue }),
    comment: (recovered) => (recovered ? recoveredComment(ctx) : stillBadComment(ctx)),
  };
}

/** The dashboards alert speaks of the latest check, whichever check planned the write. */
async function dashboardsWords(
  deps: LoopDeps,
  github: GitHubAccess,
  write: AlertWrite,
  marker: string,
): Promise<IssueWords> {
  const check = await deps.dashboards.latest();
  if (!check) throw new Error(`dashboard check ${write.subject_id} is not stored`);
  const ctx = {
    check,
    repositoryUrl: repositoryUrl(deps.config.GITHUB_API_URL, github.repository),
    trackedRef: deps.trackedRef,
    grafanaUrl: deps.config.PERF_GRAFANA_URL,
    previousIssue: null,
    marker,
  };
  return {
    title: dashboardsTitle(check),
    body: (previousIssue) => dashboardsBody({ ...ctx, previousIssue }),
    comment: () => dashboardsComment(ctx),
  };
}

/** The drift alert speaks of the latest change analysis, with the commits across each change. */
async function driftWords(
  deps: LoopDeps,
  github: GitHubAccess,
  client: GitHubClient,
  write: AlertWrite,
  marker: string,
): Promise<IssueWords> {
  const report = await deps.changes.latest();
  if (!report) throw new Error(`change analysis ${write.subject_id} is not stored`);
  const base = deps.config.PUBLIC_URL;
  const findings: DriftFinding[] = [];
  // Only the bad news needs the commits: a recovery comment names the runs alone.
  const changes = write.action === "report_bad" ? report.drifts : [];
  for (const change of changes) {
    const good = change.before_sha ? { id: change.before_run_id, sha: change.before_sha, at: change.before_at } : null;
    findings.push({
      change,
      runUrl: base ? runPageUrl(base, change.run_id) : null,
      beforeUrl: base ? runPageUrl(base, change.before_run_id) : null,
      commits: await commitRange(client, good, change.sha),
    });
  }
  const ctx = {
    report,
    findings,
    repository: github.repository,
    repositoryUrl: repositoryUrl(deps.config.GITHUB_API_URL, github.repository),
    statusUrl: base ? `${base}/` : null,
    previousIssue: null,
    marker,
  };
  return {
    title: driftTitle(findings),
    body: (previousIssue) => driftBody({ ...ctx, previousIssue }),
    comment: (recovered) => driftComment(ctx, recovered),
  };
}

/** The suite other than smoke an alert is about: its series, not a run, speak to it. */
function watchedSuite(deps: LoopDeps, alert: Alert): Suite | null {
  return deps.config.CHIMNEY_SUITES.find((s) => s.name === alert.suite && s.format !== "smoke") ?? null;
}

/**
 * A suite's alert speaks of its series as they stand, with the commits across each change and,
 * for a suite judged by a baseline file, since each series' last point in its band.
 */
async function suiteWords(
  deps: LoopDeps,
  github: GitHubAccess,
  client: GitHubClient,
  suite: Suite,
  write: AlertWrite,
  marker: string,
): Promise<IssueWords> {
  const series = (await deps.series.all()).filter((s) => s.suite === suite.name);
  const { moved } = suite.alerts.change_points
    ? movedSeries(suite.name, series, changeOptions(deps.config), deps.config.CHANGE_MIN_RUNS)
    : { moved: [] };
  const repository = suite.repository ?? github.repository;
  // The issue is written in GITHUB_REPOSITORY; the commits are the suite's own repository's.
  const commitsOf = client.for(repository);
  const listable = write.action === "report_bad";
  const findings: SuiteFinding[] = [];
  for (const m of moved) {
    const good = m.change.before_sha
      ? { id: m.change.before_sha, sha: m.change.before_sha, at: m.change.before_at }
      : null;
    findings.push({
      ...m,
      commits: listable
        ? await commitRange(commitsOf, good, m.change.sha)
        : { good, bad_sha: m.change.sha, commits: null, total: 0 },
    });
  }
  let breaches: SuiteBandFinding[] | undefined;
  if (suite.format === "pruning" && suite.baseline) {
    breaches = [];
    for (const b of bandBreaches(suite.name, series)) {
      const good = b.good?.sha ? { id: b.good.sha, sha: b.good.sha, at: b.good.at } : null;
      breaches.push({
        ...b,
        commits: listable
          ? await commitRange(commitsOf, good, b.since.sha)
          : { good, bad_sha: b.since.sha, commits: null, total: 0 },
      });
    }
  }
  // The note on the confirming rerun of the worst change, when one spoke (core/suite-dispatch.ts).
  const worst = moved[0]?.change.sha ? moved[0] : null;
  const rerun = worst?.change.sha ? await deps.dispatches.get(suiteConfirmationId(suite.name, worst.change.sha)) : null;
  const ctx = {
    rerun:
      worst && rerun?.rerun && rerun.sha ? { sha: rerun.sha, series: worst.series.name, outcome: rerun.rerun } : null,
    suite: suite.name,
    repository,
    repositoryUrl: repositoryUrl(deps.config.GITHUB_API_URL, repository),
    findings,
    breaches,
    seriesCount: series.length,
    statusUrl: deps.config.PUBLIC_URL ? `${deps.config.PUBLIC_URL}/` : null,
    previousIssue: null,
    marker,
  };
  return {
    title: suiteTitle(suite.name, findings, breaches),
    body: (previousIssue) => suiteBody({ ...ctx, previousIssue }),
    comment: (recovered) => suiteComment(ctx, recovered),
  };
}

async function subjectRun(deps: LoopDeps, write: AlertWrite): Promise<Run> {
  const run = await deps.runs.run(write.subject_id);
  if (!run) throw new Error(`run ${write.subject_id} is not stored`);
  return run;
}

async function runContext(
  deps: LoopDeps,
  github: GitHubAccess,
  client: GitHubClient,
  kind: RunAlertKind,
  run: Run,
  marker: string,
): Promise<IssueContext> {
  const repoUrl = repositoryUrl(deps.config.GITHUB_API_URL, github.repository);
  const base = deps.config.PUBLIC_URL;
  const earlier = (await deps.runs.history(100, null)).runs.filter(
    (e) => e.mainline && e.at < run.at && e.id !== run.id,
  );
  const passing = earlier.filter((e) => e.state === "passed");
  return {
    kind,
    repository: github.repository,
    repositoryUrl: repoUrl,
    trackedRef: deps.trackedRef,
    run,
    runUrl: base ? runPageUrl(base, run.id) : null,
    artifactUrls: base ? run.artifacts.map((a) => ({ name: a.name, url: artifactUrl(base, run.id, a.name) })) : [],
    baselineUrl: base ? `${base}/baseline` : null,
    workflowRunUrl: workflowRunUrl(repoUrl, run.github),
    recent: recentMedians(passing.slice(0, RECENT_RUNS)),
    bisect: kind === "missed" ? null : await bisect(client, passing.find((e) => e.sha !== null) ?? null, run),
    previousIssue: null,
    marker,
  };
}

function recentMedians(entries: HistoryEntry[]): IssueContext["recent"] {
  if (entries.length === 0) return null;
  const of = (key: MetricKey) => median(entries.map((e) => e[key]).filter((x): x is number => x !== null));
  return {
    runs: entries.length,
    medians: {
      throughput_ops_per_sec: of("throughput_ops_per_sec"),
      total_duration_ms: of("total_duration_ms"),
      per_batch_p95_ms: of("per_batch_p95_ms"),
    },
  };
}

function bisect(client: GitHubClient, good: HistoryEntry | null, run: Run): Promise<Bisect> {
  return commitRange(client, good?.sha ? { id: good.id, sha: good.sha, at: good.at } : null, run.sha);
}

/** The commits from a good run's to a bad one's; without them when GitHub cannot list them. */
async function commitRange(client: GitHubClient, good: Bisect["good"], badSha: string | null): Promise<Bisect> {
  const result: Bisect = { good, bad_sha: badSha, commits: null, total: 0 };
  if (!good || !badSha) return result;
  try {
    const range = await commitsBetween(client, good.sha, badSha);
    return { ...result, commits: range.commits, total: range.total };
  } catch (error) {
    // The issue is worth more than the list: it goes out with the compare link alone.
    if (error instanceof GitHubError && ["budget", "rate_limited"].includes(error.kind)) throw error;
    return result;
  }
}
