/**
 * The Markdown of the issue and comments about a drift: a change point for the worse in the
 * history, while every night stays inside the baseline's band.
 */
import { pvalueText } from "../changepoints/significance.ts";
import { latestChanges, type ChangeReport, type RunChange } from "../drift.ts";
import { fixed2 } from "../pyformat.ts";
import { type Bisect, commitList, inlineCode, METRIC_LABELS, percent, shortLabel } from "./markdown.ts";

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
