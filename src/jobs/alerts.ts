/**
 * Alerts as GitHub issues. Recording a settled run plans its alerts in the ledger (record.ts);
 * the planned writes wait in the outbox until they are sent, and
 * a write that fails is sent again on the next tick: never lost, never doubled.
 */
import { KIND_LABELS, type AlertKind, type AlertWrite } from "../core/alert.ts";
import type { MetricKey } from "../core/baseline.ts";
import { DRIFT_FINGERPRINT, driftFindings } from "../core/drift.ts";
import type { HistoryEntry } from "../core/history.ts";
import {
  alertBody,
  alertTitle,
  dashboardsBody,
  dashboardsComment,
  dashboardsTitle,
  pullRequestComment,
  recoveredComment,
  stillBadComment,
  driftBody,
  driftComment,
  driftTitle,
  type Bisect,
  type DashboardIssueContext,
  type DriftFinding,
  type DriftIssueContext,
  type IssueContext,
} from "../core/issue.ts";
import { artifactUrl, repositoryUrl, runPageUrl, workflowRunUrl } from "../core/links.ts";
import type { Run } from "../core/run.ts";
import { median } from "../core/stats.ts";
import { GitHubError, type GitHubClient } from "../github/client.ts";
import {
  closeCompleted,
  comment,
  commitsBetween,
  createIssue,
  findIssue,
  getIssue,
  hasComment,
} from "../github/issues.ts";
import { messageOf, type LoopDeps } from "./deps.ts";

/** Writes sent per invocation at most: GitHub allows 80 content-creating requests a minute. */
const WRITES_PER_INVOCATION = 10;
/** Passing runs whose median each metric is compared with. */
const RECENT_RUNS = 7;

/** Sends the outbox's writes, oldest first, until it is empty or GitHub says to stop. */
export async function sendAlerts(deps: LoopDeps): Promise<{ sent: number; failed: number }> {
  const result = { sent: 0, failed: 0 };
  const client = deps.github();
  if (!client || !deps.config.GITHUB_REPOSITORY) return result;
  while (result.sent + result.failed < WRITES_PER_INVOCATION) {
    const [write] = await deps.alerts.claim(deps.now().getTime(), 1);
    if (!write) break;
    try {
      const issue = await send(deps, client, write);
      await deps.alerts.settle(write.id, { error: null, issue });
      result.sent++;
    } catch (error) {
      result.failed++;
      deps.log({ event: "alert_write_failed", write: write.id, attempt: write.attempts, error: messageOf(error) });
      await deps.alerts.settle(write.id, { error: messageOf(error), issue: null });
      // The rest waits for the next tick: GitHub is failing, and this write must not be tried twice now.
      break;
    }
  }
  return result;
}

type NewIssue = { number: number; url: string } | null;

async function send(deps: LoopDeps, client: GitHubClient, write: AlertWrite): Promise<NewIssue> {
  if (write.fingerprint.startsWith("dashboards:")) return sendDashboards(deps, client, write);
  if (write.fingerprint === DRIFT_FINGERPRINT) return sendDrift(deps, client, write);
  const run = await deps.runs.run(write.subject_id);
  if (!run) throw new Error(`run ${write.subject_id} is not stored`);
  const marker = `chimney:alert=${write.id}`;
  const retry = write.attempts > 1;

  if (write.action === "pr_comment") {
    const ctx = await context(deps, client, "regression", run, marker, null);
    if (!(retry && (await hasComment(client, write.pr_number!, marker))))
      await comment(client, write.pr_number!, pullRequestComment(ctx));
    return null;
  }

  const alert = await deps.alerts.alert(write.fingerprint);
  if (!alert) throw new Error(`alert ${write.fingerprint} is not stored`);
  const current = alert.issue_number === null ? null : await getIssue(client, alert.issue_number);

  if (write.action === "report_recovered") {
    if (!current) return null;
    const ctx = await context(deps, client, alert.kind, run, marker, null);
    if (!(retry && (await hasComment(client, current.number, marker))))
      await comment(client, current.number, recoveredComment(ctx));
    if (current.state === "open") await closeCompleted(client, current.number);
    return null;
  }

  // A bad night: comment on the problem's issue while it is open (even if someone reopened it);
  // once it is closed — by chimney or by hand — the problem gets a new issue linking the old one.
  if (current?.state === "open") {
    const ctx = await context(deps, client, alert.kind, run, marker, null);
    if (!(retry && (await hasComment(client, current.number, marker))))
      await comment(client, current.number, stillBadComment(ctx));
    return null;
  }
  const labels = [...deps.config.ALERT_LABELS, KIND_LABELS[alert.kind]];
  if (retry) {
    const existing = await findIssue(client, labels, marker);
    if (existing) return { number: existing.number, url: existing.html_url };
  }
  const ctx = await context(deps, client, alert.kind, run, marker, current?.number ?? null);
  const created = await createIssue(client, { title: alertTitle(alert.kind, run), body: alertBody(ctx), labels });
  deps.log({ event: "alert_opened", fingerprint: alert.fingerprint, issue: created.number, run: run.id });
  return { number: created.number, url: created.html_url };
}

/** The words of an alert that speaks of a document (a dashboard check, a change analysis) rather than a run. */
interface DocumentIssue {
  label: string;
  title: string;
  body: (previousIssue: number | null) => string;
  comment: (recovered: boolean) => string;
}

/** Opens, comments on or closes the issue of an alert whose words come from the latest document. */
async function sendDocumentAlert(
  deps: LoopDeps,
  client: GitHubClient,
  write: AlertWrite,
  words: (marker: string) => Promise<DocumentIssue>,
): Promise<NewIssue> {
  const alert = await deps.alerts.alert(write.fingerprint);
  if (!alert) throw new Error(`alert ${write.fingerprint} is not stored`);
  const marker = `chimney:alert=${write.id}`;
  const retry = write.attempts > 1;
  const current = alert.issue_number === null ? null : await getIssue(client, alert.issue_number);
  const issue = await words(marker);
  const recovered = write.action === "report_recovered";
  if (recovered || current?.state === "open") {
    if (!current) return null;
    if (!(retry && (await hasComment(client, current.number, marker))))
      await comment(client, current.number, issue.comment(recovered));
    if (recovered && current.state === "open") await closeCompleted(client, current.number);
    return null;
  }
  const labels = [...deps.config.ALERT_LABELS, issue.label];
  if (retry) {
    const existing = await findIssue(client, labels, marker);
    if (existing) return { number: existing.number, url: existing.html_url };
  }
  const created = await createIssue(client, { title: issue.title, body: issue.body(current?.number ?? null), labels });
  deps.log({ event: "alert_opened", fingerprint: alert.fingerprint, issue: created.number, subject: write.subject_id });
  return { number: created.number, url: created.html_url };
}

/** The dashboards alert speaks of the latest check, whichever check planned the write. */
async function sendDashboards(deps: LoopDeps, client: GitHubClient, write: AlertWrite): Promise<NewIssue> {
  return sendDocumentAlert(deps, client, write, async (marker) => {
    const check = await deps.dashboards.latest();
    if (!check) throw new Error(`dashboard check ${write.subject_id} is not stored`);
    const ctx = (previousIssue: number | null): DashboardIssueContext => ({
      check,
      repositoryUrl: repositoryUrl(deps.config.GITHUB_API_URL, deps.config.GITHUB_REPOSITORY!),
      trackedRef: deps.config.GITHUB_REF,
      grafanaUrl: deps.config.PERF_GRAFANA_URL,
      previousIssue,
      marker,
    });
    return {
      label: KIND_LABELS.dashboards,
      title: dashboardsTitle(check),
      body: (previous) => dashboardsBody(ctx(previous)),
      comment: () => dashboardsComment(ctx(null)),
    };
  });
}

/** The drift alert speaks of the latest change analysis, with the commits across each change. */
async function sendDrift(deps: LoopDeps, client: GitHubClient, write: AlertWrite): Promise<NewIssue> {
  return sendDocumentAlert(deps, client, write, async (marker) => {
    const report = await deps.changes.latest();
    if (!report) throw new Error(`change analysis ${write.subject_id} is not stored`);
    const repoUrl = repositoryUrl(deps.config.GITHUB_API_URL, deps.config.GITHUB_REPOSITORY!);
    const base = deps.config.PUBLIC_URL;
    const findings: DriftFinding[] = [];
    // Only the bad news needs the commits: a recovery comment names the runs alone.
    const changes = write.action === "report_bad" ? driftFindings(report, deps.baseline) : [];
    for (const change of changes) {
      const good = change.before_sha
        ? { id: change.before_run_id, sha: change.before_sha, at: change.before_at }
        : null;
      findings.push({
        change,
        runUrl: base ? runPageUrl(base, change.run_id) : null,
        beforeUrl: base ? runPageUrl(base, change.before_run_id) : null,
        commits: await commitRange(client, good, change.sha),
      });
    }
    const ctx = (previousIssue: number | null): DriftIssueContext => ({
      report,
      findings,
      repository: deps.config.GITHUB_REPOSITORY!,
      repositoryUrl: repoUrl,
      statusUrl: base ? `${base}/` : null,
      previousIssue,
      marker,
    });
    return {
      label: KIND_LABELS.regression,
      title: driftTitle(findings),
      body: (previous) => driftBody(ctx(previous)),
      comment: (recovered) => driftComment(ctx(null), recovered),
    };
  });
}

async function context(
  deps: LoopDeps,
  client: GitHubClient,
  kind: AlertKind,
  run: Run,
  marker: string,
  previousIssue: number | null,
): Promise<IssueContext> {
  const repository = deps.config.GITHUB_REPOSITORY!;
  const repoUrl = repositoryUrl(deps.config.GITHUB_API_URL, repository);
  const base = deps.config.PUBLIC_URL;
  const earlier = (await deps.runs.history(100, null)).runs.filter(
    (e) => e.mainline && e.at < run.at && e.id !== run.id,
  );
  const passing = earlier.filter((e) => e.state === "passed");
  return {
    kind,
    repository,
    repositoryUrl: repoUrl,
    trackedRef: deps.config.GITHUB_REF,
    run,
    runUrl: base ? runPageUrl(base, run.id) : null,
    artifactUrls: base ? run.artifacts.map((a) => ({ name: a.name, url: artifactUrl(base, run.id, a.name) })) : [],
    baselineUrl: base ? `${base}/baseline` : null,
    workflowRunUrl: workflowRunUrl(repoUrl, run.github),
    recent: recentMedians(passing.slice(0, RECENT_RUNS)),
    bisect: kind === "missed" ? null : await bisect(client, passing.find((e) => e.sha !== null) ?? null, run),
    previousIssue,
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
