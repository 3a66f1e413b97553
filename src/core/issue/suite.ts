/**
 * The Markdown of the issue and comments about a suite's regression: the series that moved,
 * by how much, and the commits across each change (the bisect range).
 */
import { pvalueText } from "../changepoints/significance.ts";
import type { RerunOutcome } from "../dispatch.ts";
import type { MovedSeries } from "../suite-alert.ts";
import { type Bisect, commitList, inlineCode, markdownText, percent } from "./markdown.ts";

/** A moved series as the issue shows it, with the commits across its change. */
export interface SuiteFinding extends MovedSeries {
  commits: Bisect;
}

export interface SuiteIssueContext {
  suite: string;
  repository: string;
  repositoryUrl: string;
  findings: SuiteFinding[];
  /** Series of the suite in all, to say how many did not move. */
  seriesCount: number;
  statusUrl: string | null;
  previousIssue: number | null;
  marker: string;
  /** The confirming rerun of the worst change, when the suite asked for one and it has spoken. */
  rerun: { sha: string; series: string; outcome: RerunOutcome } | null;
}

/** Series named in a title at most; the body lists them all. */
const TITLE_SERIES = 3;

const change = (f: MovedSeries) => percent(f.change.mean_after / f.change.mean_before - 1);

export function suiteTitle(suite: string, findings: readonly MovedSeries[]): string {
  const named = findings.slice(0, TITLE_SERIES).map((f) => `${visibleName(f.series.name)} ${change(f)}`);
  const more = findings.length > TITLE_SERIES ? ` and ${findings.length - TITLE_SERIES} more` : "";
  const since = findings.map((f) => f.change.at.slice(0, 10)).sort()[0] ?? "";
  return `${suite} benchmarks regressed: ${named.join(", ")}${more} (since ${since})`;
}

/** A series name in a title: one line, at most 80 characters. */
function visibleName(name: string): string {
  const line = name.replace(/[\r\n]+/g, " ");
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

function table(ctx: SuiteIssueContext): string {
  const rows = ctx.findings.map(
    (f) =>
      `| ${markdownText(f.series.name)} | ${markdownText(f.series.unit)} | ${f.change.mean_before.toPrecision(6)} | ${f.change.mean_after.toPrecision(6)} | ${change(f)} | ${pvalueText(f.change.pvalue).replace(/^p = /, "")} | ${f.change.at.slice(0, 10)}${f.change.sha ? ` at ${inlineCode(f.change.sha.slice(0, 12))}` : ""} |`,
  );
  return [
    `| series | unit | mean before | mean after | change | p-value | first result after |`,
    "|---|---|---:|---:|---:|---:|---|",
    ...rows,
  ].join("\n");
}

function commits(ctx: SuiteIssueContext): string {
  // Benches usually move together: one range per pair of commits, naming its series.
  const ranges = new Map<string, SuiteFinding[]>();
  for (const f of ctx.findings) {
    const key = `${f.change.before_sha}..${f.change.sha}`;
    ranges.set(key, [...(ranges.get(key) ?? []), f]);
  }
  const sections = [...ranges.values()].map((group) => {
    const { change: c, commits: range } = group[0];
    const head = `#### ${group.map((f) => markdownText(f.series.name)).join(", ")}`;
    if (!c.before_sha || !c.sha)
      return `${head}\n\nOne of the two results has no known commit, so there is no range to list.`;
    const compare = `${ctx.repositoryUrl}/compare/${c.before_sha}...${c.sha}`;
    const none =
      "No commits in between: both results measured the same commit, so suspect the machine before the code.";
    return `${head}\n\nBetween ${inlineCode(c.before_sha.slice(0, 12))} and ${inlineCode(c.sha.slice(0, 12))}: ${compare}\n\n${commitList(range, none)}`;
  });
  return ["### Commits across the change", ...sections].join("\n\n");
}

export function suiteBody(ctx: SuiteIssueContext): string {
  const parts = [
    `<!-- ${ctx.marker} -->`,
    `## ${ctx.suite} benchmarks regressed\n\n${ctx.findings.length} of the ${ctx.seriesCount} series of the \`${ctx.suite}\` suite (\`${ctx.repository}\`) changed for the worse and stayed there.`,
  ];
  if (ctx.previousIssue !== null)
    parts.push(`A regression of this suite was reported before in #${ctx.previousIssue}.`);
  if (ctx.rerun) parts.push(rerunNote(ctx.rerun));
  parts.push(
    table(ctx),
    `chimney looks for change points with E-divisive means as Apache Otava does; a change counts once the level after it has held for CHANGE_MIN_RUNS results.${ctx.statusUrl ? ` The charts on ${ctx.statusUrl} mark the change points.` : ""}`,
    commits(ctx),
    "_chimney comments here when other series move, and closes this issue when no series of the suite stands worse._",
  );
  return `${parts.join("\n\n")}\n`;
}

function rerunNote(rerun: NonNullable<SuiteIssueContext["rerun"]>): string {
  const at = inlineCode(rerun.sha.slice(0, 12));
  const { outcome } = rerun;
  if (outcome.verdict === "unconfirmed" || outcome.value === null)
    return `**Not confirmed:** chimney could not benchmark ${at}, where the change starts, again (${markdownText(outcome.reason ?? "no result")}), so this issue opened without that check.`;
  return `Confirmed: chimney benchmarked ${at}, where the change starts, again, and ${markdownText(rerun.series)} measured ${outcome.value.toPrecision(6)}, on the new level.`;
}

export function suiteComment(ctx: SuiteIssueContext, recovered: boolean): string {
  if (recovered)
    return `<!-- ${ctx.marker} -->\n\nRecovered: no series of \`${ctx.suite}\` stands worse any more. Closing this issue.\n`;
  return `<!-- ${ctx.marker} -->\n\nThe series that moved changed with the results since:\n\n${table(ctx)}\n\n${commits(ctx)}\n`;
}
