/**
 * The Markdown of alert issues and comments: everything the performance on-call needs to act,
 * from the numbers to the commits to bisect and Firewood's own runbook.
 */
import { SMOKE_METRICS, type MetricKey } from "./baseline.ts";
import type { AlertKind } from "./alert.ts";
import type { DashboardCheck } from "./dashboards.ts";
import { pvalueText } from "./changepoints/significance.ts";
import { latestChanges, type ChangeReport, type RunChange } from "./drift.ts";
import { fixed2 } from "./pyformat.ts";
import type { Run } from "./run.ts";
import { boundsText, smokeSummary, summaryMarkdown } from "./summary.ts";

export interface Commit {
  sha: string;
  title: string;
  author: string | null;
}

export interface Bisect {
  good: { id: string; sha: string; at: string } | null;
  bad_sha: string | null;
  /** Oldest first; null when GitHub could not be asked. */
  commits: Commit[] | null;
  total: number;
}

export interface IssueContext {
  kind: AlertKind;
  repository: string;
  /** https://github.com/owner/repo (or the GHES equivalent). */
  repositoryUrl: string;
  trackedRef: string;
  run: Run;
  /** chimney's page of the run, when PUBLIC_URL is set. */
  runUrl: string | null;
  artifactUrls: { name: string; url: string }[];
  baselineUrl: string | null;
  workflowRunUrl: string | null;
  /** The median of each metric over the last passing runs, and how many there were. */
  recent: { medians: Record<MetricKey, number>; runs: number } | null;
  bisect: Bisect | null;
  /** The issue of this problem that someone closed while it lasted, or of its last episode. */
  previousIssue: number | null;
  marker: string;
}

/** At most this many commits are listed; the compare link has them all. */
const LISTED_COMMITS = 25;

export function alertTitle(kind: AlertKind, run: Run): string {
  const day = run.at.slice(0, 10);
  switch (kind) {
    case "regression": {
      const labels = SMOKE_METRICS.filter((m) => run.report && !run.report[m.key].within_range).map((m) =>
        shortLabel(m.key),
      );
      return `Smoke benchmark regressed: ${labels.join(", ") || "out of range"} (since ${day})`;
    }
    case "crash":
      return `Smoke benchmark crashed${run.failure?.step ? ` in "${run.failure.step}"` : ""} (since ${day})`;
    case "missed":
      return `Smoke benchmark missed a night (${day})`;
    case "dashboards":
      return `Performance dashboards drifted from Grafana (since ${day})`;
  }
}

export function alertBody(ctx: IssueContext): string {
  const parts = [`<!-- ${ctx.marker} -->`, headline(ctx)];
  if (ctx.previousIssue !== null) parts.push(`This problem was reported before in #${ctx.previousIssue}.`);
  if (ctx.run.measurements && ctx.run.report) {
    parts.push(metricTable(ctx));
    parts.push(
      "<details open><summary><code>chimney-summary.md</code>: chimney's evaluation against <code>baselines/smoke.json</code></summary>",
      summaryMarkdown(smokeSummary(ctx.run.measurements, ctx.run.report)).trimEnd(),
      "</details>",
    );
  }
  if (ctx.run.failure) parts.push(failureSection(ctx));
  if (ctx.kind !== "missed") parts.push(bisectSection(ctx));
  parts.push(linksSection(ctx), runbook(ctx.kind));
  parts.push("_chimney comments here each night the problem lasts, and closes this issue on the first good night._");
  return `${parts.join("\n\n")}\n`;
}

export function stillBadComment(ctx: IssueContext): string {
  const parts = [
    `<!-- ${ctx.marker} -->`,
    `Still ${kindWord(ctx.kind)}: ${runLink(ctx)} on ${ctx.run.at.slice(0, 10)}${atCommit(ctx)}.`,
  ];
  if (ctx.run.measurements && ctx.run.report) parts.push(metricTable(ctx));
  if (ctx.run.failure) parts.push(failureSection(ctx));
  return `${parts.join("\n\n")}\n`;
}

export function recoveredComment(ctx: IssueContext): string {
  const parts = [
    `<!-- ${ctx.marker} -->`,
    `Recovered: ${runLink(ctx)} on ${ctx.run.at.slice(0, 10)}${atCommit(ctx)} ${recoveryWords(ctx)}.`,
  ];
  if (ctx.run.measurements && ctx.run.report) parts.push(metricTable(ctx));
  parts.push("Closing this issue.");
  return `${parts.join("\n\n")}\n`;
}

/** The comment on a pull request whose benchmark chimney ran, as Firewood's workflow writes it. */
export function pullRequestComment(ctx: IssueContext): string {
  const parts = [`<!-- ${ctx.marker} -->`];
  if (ctx.run.measurements && ctx.run.report) {
    parts.push(
      "Performance smoke benchmark summary:",
      summaryMarkdown(smokeSummary(ctx.run.measurements, ctx.run.report)).trim(),
    );
    if (ctx.runUrl)
      parts.push(`Run ${runLink(ctx)}: ${ctx.artifactUrls.map((a) => `[${a.name}](${a.url})`).join(", ")}.`);
  } else {
    parts.push(
      `The performance smoke benchmark of this pull request did not produce a result: ${markdownText(ctx.run.failure?.reason ?? "unknown reason")}.`,
    );
    if (ctx.run.failure?.log_url) parts.push(`[Log](${ctx.run.failure.log_url})`);
  }
  return `${parts.join("\n\n")}\n`;
}

function headline(ctx: IssueContext): string {
  const run = ctx.run;
  switch (ctx.kind) {
    case "regression": {
      const out = SMOKE_METRICS.filter((m) => run.report && !run.report[m.key].within_range).map(
        (m) => `**${m.label}**`,
      );
      const confirmed = run.dispatch?.confirms
        ? `\n\nchimney benchmarked this commit a second time because run ${inlineCode(run.dispatch.confirms)} was out of its band: it is out again, so this is not a noisy night.`
        : run.confirmation?.state === "unconfirmed"
          ? `\n\nchimney tried to benchmark this commit a second time to rule out a noisy night, but could not (${markdownText(run.confirmation.reason ?? "no reason given")}), so this is reported unconfirmed.`
          : "";
      return `## Smoke benchmark regression\n\nThe nightly smoke benchmark of \`${ctx.repository}\` (${runLink(ctx)} on ${run.at.slice(0, 10)}${atCommit(ctx)}) is outside its baseline: ${out.join(", ")}.${confirmed}`;
    }
    case "crash":
      return `## Smoke benchmark crash\n\nThe nightly smoke benchmark of \`${ctx.repository}\` (${runLink(ctx)} on ${run.at.slice(0, 10)}${atCommit(ctx)}) produced no result.`;
    case "missed":
      return `## Missed night\n\nThe nightly smoke benchmark of \`${ctx.repository}\` did not run on the night of ${run.at.slice(0, 10)} (${runLink(ctx)}).`;
    case "dashboards":
      return "## Dashboard drift";
  }
}

function metricTable(ctx: IssueContext): string {
  const report = ctx.run.report!;
  const runs = ctx.recent?.runs ?? 0;
  const rows = SMOKE_METRICS.map(({ key, label }) => {
    const c = report[key];
    const median = ctx.recent?.medians[key];
    const change = median ? `${percent((c.actual - median) / median)}` : "—";
    return `| ${label} | ${fixed2(c.actual)} | ${boundsText(c, ", ")} | ${c.within_range ? "✅" : "❌"} | ${median === undefined ? "—" : fixed2(median)} | ${change} |`;
  });
  return [
    `| metric | this run | baseline | within | median of the last ${runs} passing runs | change |`,
    "|---|---:|---|:-:|---:|---:|",
    ...rows,
  ].join("\n");
}

function percent(x: number): string {
  const value = (x * 100).toFixed(1);
  return `${x > 0 ? "+" : ""}${value === "-0.0" ? "0.0" : value}%`;
}

function failureSection(ctx: IssueContext): string {
  const f = ctx.run.failure!;
  const lines = [`### What failed`, "", markdownText(f.reason)];
  const items: string[] = [];
  if (f.job) items.push(`- Failing job: ${inlineCode(f.job)}`);
  if (f.step) items.push(`- Failing step: ${inlineCode(f.step)}`);
  if (f.log_url) items.push(`- Log: ${f.log_url}`);
  if (ctx.run.github && ctx.run.github.run_attempt > 1)
    items.push(`- This was attempt ${ctx.run.github.run_attempt}: chimney reran the failed jobs once already.`);
  if (items.length > 0) lines.push("", ...items);
  return lines.join("\n");
}

function bisectSection(ctx: IssueContext): string {
  const b = ctx.bisect;
  const lines = ["### Commits to bisect", ""];
  if (!b?.good || !b.bad_sha) {
    lines.push(
      "chimney has no earlier passing run with a known commit to compare with, so there is no range to bisect yet.",
    );
    return lines.join("\n");
  }
  const compare = `${ctx.repositoryUrl}/compare/${b.good.sha}...${b.bad_sha}`;
  lines.push(
    `Between the last good run (${inlineCode(b.good.id)} on ${b.good.at.slice(0, 10)} at ${inlineCode(b.good.sha.slice(0, 12))}) and this one (${inlineCode(b.bad_sha.slice(0, 12))}): ${compare}`,
  );
  lines.push(
    "",
    commitList(
      b,
      "No commits in between: the same commit passed before, so suspect the machine or noise before the code.",
    ),
  );
  return lines.join("\n");
}

function commitList(b: Bisect, none: string): string {
  if (b.commits === null) return "(GitHub could not list the commits; the compare link has them.)";
  if (b.commits.length === 0) return none;
  const lines = b.commits
    .slice(0, LISTED_COMMITS)
    .map(
      (c) =>
        `- ${inlineCode(c.sha.slice(0, 12))} ${markdownText(c.title)}${c.author ? ` (${markdownText(c.author)})` : ""}`,
    );
  if (b.total > LISTED_COMMITS) lines.push(`- … and ${b.total - LISTED_COMMITS} more (see the compare link)`);
  return lines.join("\n");
}

function linksSection(ctx: IssueContext): string {
  const items: string[] = [];
  if (ctx.workflowRunUrl) items.push(`- Workflow run: ${ctx.workflowRunUrl}`);
  if (ctx.runUrl) items.push(`- The run on chimney: ${ctx.runUrl}`);
  if (ctx.artifactUrls.length > 0)
    items.push(`- Artifacts: ${ctx.artifactUrls.map((a) => `[${a.name}](${a.url})`).join(", ")}`);
  const log = ctx.artifactUrls.find((a) => a.name === "smoke-benchmark.log")?.url ?? ctx.run.failure?.log_url ?? null;
  if (log) items.push(`- Log: ${log}`);
  if (ctx.baselineUrl) items.push(`- The baseline chimney checks against: ${ctx.baselineUrl}`);
  items.push(`- Firewood's baseline: ${ctx.repositoryUrl}/blob/${ctx.trackedRef}/benchmark/baselines/smoke.json`);
  if (!ctx.runUrl) items.push("- (Set chimney's `PUBLIC_URL` to link its run pages and artifacts here.)");
  return ["### Links", "", ...items].join("\n");
}

function runbook(kind: AlertKind): string {
  const steps =
    kind === "missed"
      ? [
          "Check that the self-hosted runner with the labels `self-hosted, linux, x64, firewood-perf` is online (repository settings → Actions → Runners).",
          "Check chimney's `/status` for configuration problems, and that the `Workflow runs` webhook delivers (repository settings → Webhooks).",
          "Start a run by hand: `POST /api/dispatch` on chimney with the admin token, or run the workflow from the Actions tab.",
        ]
      : [
          "Download the `smoke-benchmark` artifact (links above) and read `smoke-summary.md`: did throughput drop, or did the benchmark crash?",
          "Compare with previous successful runs (the table above): a higher `total_duration_ms` or a lower `throughput_ops_per_sec` means a regression.",
          "Reproduce locally with `cargo +nightly run -p firewood-benchmark -- smoke` (set `RUST_LOG=debug` for more detail).",
          "If it reproduces, bisect the commits above (in Firewood or Firewood Storage) and report the findings here, linking the failed workflow run.",
          "For transient infrastructure problems (network, dependency fetching), rerun the workflow from the GitHub UI before escalating.",
          "If the new numbers are the new normal, change `benchmark/baselines/smoke.json` (about ±15% around recent nightly runs) in a pull request that links a validating run; baseline changes are reviewed by the performance on-call engineer or a Firewood maintainer so that they never mask a regression.",
        ];
  return ["### On-call steps", "", ...steps.map((s, i) => `${i + 1}. ${s}`)].join("\n");
}

function runLink(ctx: IssueContext): string {
  const id = inlineCode(ctx.run.id);
  const target = ctx.runUrl ?? ctx.workflowRunUrl;
  return target ? `run [${id}](${target})` : `run ${id}`;
}

function atCommit(ctx: IssueContext): string {
  const sha = ctx.run.sha;
  return `${ctx.run.ref ? ` on ${inlineCode(ctx.run.ref)}` : ""}${sha ? ` at ${inlineCode(sha.slice(0, 12))}` : ""}`;
}

function kindWord(kind: AlertKind): string {
  return { regression: "regressed", crash: "crashing", missed: "missing nights", dashboards: "drifting" }[kind];
}

function recoveryWords(ctx: IssueContext): string {
  switch (ctx.kind) {
    case "regression":
      return "is within the baseline again";
    case "crash":
      return "ran to the end";
    case "missed":
      return "ran";
    case "dashboards":
      return "found the dashboards in sync";
  }
}

/** Text from outside (commit titles, names, reasons) shown as text: no markup, no mentions (#123 still links). */
export function markdownText(s: string): string {
  return s
    .replace(/[\\`*_{}[\]()<>+!|~]/g, (c) => `\\${c}`)
    .replace(/@(?=\w)/g, "@\u200b")
    .replace(/[\r\n]+/g, " ");
}

/** An inline code span that holds any text, backticks included. */
export function inlineCode(s: string): string {
  const clean = s.replace(/[\r\n]+/g, " ");
  const longest = Math.max(0, ...(clean.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = clean.startsWith("`") || clean.endsWith("`") ? " " : "";
  return `${fence}${pad}${clean}${pad}${fence}`;
}

export interface DashboardIssueContext {
  check: DashboardCheck;
  repositoryUrl: string;
  trackedRef: string;
  grafanaUrl: string | null;
  previousIssue: number | null;
  marker: string;
}

export function dashboardsTitle(check: DashboardCheck): string {
  return `Performance dashboards out of sync with Grafana (since ${check.checked_at.slice(0, 10)})`;
}

function findingsSection(ctx: DashboardIssueContext): string {
  const lines: string[] = [];
  if (ctx.check.problem) lines.push(`The check could not read the manifest: ${markdownText(ctx.check.problem)}`);
  for (const d of ctx.check.dashboards.filter((x) => !x.in_sync)) {
    const link = ctx.grafanaUrl ? ` ([Grafana](${ctx.grafanaUrl}/d/${encodeURIComponent(d.uid)}))` : "";
    lines.push(
      `- ${inlineCode(d.uid)}${d.title ? ` ${markdownText(d.title)}` : ""}${link}`,
      ...d.findings.map((f) => `  - ${inlineCode(f)}`),
    );
  }
  if (!ctx.check.grafana)
    lines.push("", "_Grafana was not asked: set `PERF_GRAFANA_URL` and `PERF_GRAFANA_API_KEY` for the live checks._");
  return lines.join("\n");
}

export function dashboardsBody(ctx: DashboardIssueContext): string {
  const manifest = ctx.check.source.split(":").at(-1) ?? "docs/performance_dashboards.json";
  const parts = [
    `<!-- ${ctx.marker} -->`,
    `## Dashboard drift\n\nThe nightly check of ${inlineCode(ctx.check.source)} on ${ctx.check.checked_at.slice(0, 10)} found the committed dashboard exports, the manifest and Grafana disagreeing:`,
    findingsSection(ctx),
  ];
  if (ctx.previousIssue !== null) parts.splice(2, 0, `This problem was reported before in #${ctx.previousIssue}.`);
  parts.push(
    `### Links\n\n- Manifest: ${ctx.repositoryUrl}/blob/${ctx.trackedRef}/${manifest}` +
      (ctx.grafanaUrl ? `\n- Grafana: ${ctx.grafanaUrl}` : ""),
    [
      "### Steps",
      "",
      "1. With a Grafana token that has `dashboard:read`, set `PERF_GRAFANA_URL` and `PERF_GRAFANA_API_KEY`.",
      "2. Run `chimney dashboards verify` in a Firewood checkout to see the drift without writing anything.",
      "3. If Grafana holds the intended dashboards, run `chimney dashboards write` to refresh the exports and the manifest's `version`, `sha256` and `version_tag`.",
      "4. Inspect the diffs, commit the updated JSON files, and note the Grafana change in the pull request description.",
      "5. If the committed exports are right instead, restore the dashboards in Grafana from them.",
    ].join("\n"),
    "_chimney comments here each night the drift lasts, and closes this issue when the dashboards are in sync again._",
  );
  return `${parts.join("\n\n")}\n`;
}

export function dashboardsComment(ctx: DashboardIssueContext): string {
  if (ctx.check.in_sync)
    return `<!-- ${ctx.marker} -->\n\nRecovered: the check on ${ctx.check.checked_at.slice(0, 10)} found every dashboard in sync. Closing this issue.\n`;
  return `<!-- ${ctx.marker} -->\n\nStill drifting on ${ctx.check.checked_at.slice(0, 10)}:\n\n${findingsSection(ctx)}\n`;
}

/** A drift as the issue shows it: the change point, its runs' pages, and the commits across it. */
export interface DriftFinding {
  change: RunChange;
  runUrl: string | null;
  beforeUrl: string | null;
  commits: Bisect;
}

export interface DriftIssueContext {
  report: ChangeReport;
  findings: DriftFinding[];
  repository: string;
  repositoryUrl: string;
  /** chimney's status page, where the charts mark the change points. */
  statusUrl: string | null;
  previousIssue: number | null;
  marker: string;
}

const METRIC_LABELS = Object.fromEntries(SMOKE_METRICS.map((m) => [m.key, m.label])) as Record<MetricKey, string>;

function shortLabel(key: MetricKey): string {
  return METRIC_LABELS[key].replace(/ \(.*\)$/, "");
}

export function driftTitle(findings: DriftFinding[]): string {
  const what = findings.map(
    (f) => `${shortLabel(f.change.metric)} ${percent(f.change.mean_after / f.change.mean_before - 1)}`,
  );
  const since = findings.map((f) => f.change.at.slice(0, 10)).sort()[0] ?? "";
  return `Smoke benchmark drifted: ${what.join(", ")} (since ${since})`;
}

function driftTable(ctx: DriftIssueContext): string {
  const link = (id: string, url: string | null) => (url ? `[${inlineCode(id)}](${url})` : inlineCode(id));
  const rows = ctx.findings.map(
    ({ change: c, runUrl, beforeUrl }) =>
      `| ${METRIC_LABELS[c.metric]} | ${fixed2(c.mean_before)} | ${fixed2(c.mean_after)} | ${percent(c.mean_after / c.mean_before - 1)} | ${pvalueText(c.pvalue).replace(/^p = /, "")} | ${link(c.run_id, runUrl)} on ${c.at.slice(0, 10)} | ${link(c.before_run_id, beforeUrl)} |`,
  );
  return [
    "| metric | mean before | mean after | change | p-value | first run after | last run before |",
    "|---|---:|---:|---:|---:|---|---|",
    ...rows,
  ].join("\n");
}

function driftCommits(ctx: DriftIssueContext): string {
  // Metrics usually change together: one range per pair of runs, naming the metrics.
  const ranges = new Map<string, DriftFinding[]>();
  for (const f of ctx.findings)
    ranges.set(`${f.change.before_run_id}..${f.change.run_id}`, [
      ...(ranges.get(`${f.change.before_run_id}..${f.change.run_id}`) ?? []),
      f,
    ]);
  const sections = [...ranges.values()].map((group) => {
    const { change: c, commits } = group[0];
    const head = `#### ${group.map((f) => shortLabel(f.change.metric)).join(", ")}`;
    if (!c.before_sha || !c.sha)
      return `${head}\n\nOne of the two runs has no known commit, so there is no range to list.`;
    const compare = `${ctx.repositoryUrl}/compare/${c.before_sha}...${c.sha}`;
    const none = "No commits in between: both runs measured the same commit, so suspect the machine before the code.";
    return `${head}\n\nBetween ${inlineCode(c.before_sha.slice(0, 12))} and ${inlineCode(c.sha.slice(0, 12))}: ${compare}\n\n${commitList(commits, none)}`;
  });
  return ["### Commits across the change", ...sections].join("\n\n");
}

export function driftBody(ctx: DriftIssueContext): string {
  const { options, runs } = ctx.report;
  const parts = [
    `<!-- ${ctx.marker} -->`,
    `## Smoke benchmark drift\n\nThe history of the nightly smoke benchmark of \`${ctx.repository}\` has a change point for the worse, although the nights after it are still inside the baseline's band, so no single night raised an alarm.`,
  ];
  if (ctx.previousIssue !== null) parts.push(`A drift was reported before in #${ctx.previousIssue}.`);
  parts.push(
    driftTable(ctx),
    `chimney looks for change points with E-divisive means as Apache Otava does, over the ${runs} mainline runs with a result (window ${options.window}, p ≤ ${options.pvalue}${options.magnitude > 0 ? `, magnitude > ${options.magnitude}` : ""}).${ctx.statusUrl ? ` The charts on ${ctx.statusUrl} mark the change points.` : ""}`,
    driftCommits(ctx),
    [
      "### On-call steps",
      "",
      "1. Check the charts: a step that stays is a change in the code or the machine; a slope that drifts back is noise.",
      "2. Benchmark both commits on the same machine (`cargo +nightly run -p firewood-benchmark -- smoke`, a few times each) to see whether the difference reproduces.",
      "3. If it does, bisect the commits above and report the findings here.",
      "4. If the new level is intended, say so here and close this issue; if it is the new normal, consider tightening `benchmark/baselines/smoke.json` around it.",
    ].join("\n"),
    "_chimney comments here when the change points move, and closes this issue when a later change point brings the metrics back._",
  );
  return `${parts.join("\n\n")}\n`;
}

export function driftComment(ctx: DriftIssueContext, recovered: boolean): string {
  if (recovered) {
    const back = latestWords(ctx.report);
    return `<!-- ${ctx.marker} -->\n\nRecovered: ${back} Closing this issue.\n`;
  }
  return `<!-- ${ctx.marker} -->\n\nThe drift changed with the runs since:\n\n${driftTable(ctx)}\n\n${driftCommits(ctx)}\n`;
}

function latestWords(report: ChangeReport): string {
  const better = latestChanges(report).filter((c) => c.direction === "better");
  if (better.length === 0) return `the analysis of ${report.runs} runs finds no change for the worse.`;
  return better
    .map(
      (c) =>
        `${METRIC_LABELS[c.metric]} changed back to ${fixed2(c.mean_after)} at run ${inlineCode(c.run_id)} (${c.at.slice(0, 10)}).`,
    )
    .join(" ");
}
