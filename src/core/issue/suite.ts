/**
 * The Markdown of the issue and comments about a suite's regression: the series that moved,
 * by how much, the series out of their baseline band (and which file at which commit judged
 * them), and the commits across each change (the bisect range).
 */
import { sourceName } from "../baseline.ts";
import { pvalueText } from "../changepoints/significance.ts";
import type { RerunOutcome } from "../dispatch.ts";
import { pruningBenchOf } from "../formats/pruning.ts";
import type { MovedSeries } from "../suite-alert.ts";
import { bandText, type BandBreach } from "../suite-bands.ts";
import { type Bisect, commitList, inlineCode, markdownText, percent } from "./markdown.ts";

/** A moved series as the issue shows it, with the commits across its change. */
export interface SuiteFinding extends MovedSeries {
  commits: Bisect;
}

/** A series out of its band as the issue shows it, with the commits since its last point in band. */
export interface SuiteBandFinding extends BandBreach {
  commits: Bisect;
}

export interface SuiteIssueContext {
  suite: string;
  repository: string;
  repositoryUrl: string;
  findings: SuiteFinding[];
  /** The series out of their band, for a suite judged by a baseline file (pruning). */
  breaches?: SuiteBandFinding[];
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

export function suiteTitle(
  suite: string,
  findings: readonly MovedSeries[],
  breaches: readonly BandBreach[] = [],
): string {
  if (findings.length === 0 && breaches.length > 0) return bandTitle(suite, breaches);
  const named = findings.slice(0, TITLE_SERIES).map((f) => `${visibleName(f.series.name)} ${change(f)}`);
  const more = findings.length > TITLE_SERIES ? ` and ${findings.length - TITLE_SERIES} more` : "";
  const since = findings.map((f) => f.change.at.slice(0, 10)).sort()[0] ?? "";
  return `${suite} benchmarks regressed: ${named.join(", ")}${more} (since ${since})`;
}

/** `pruning benchmarks out of band: standard-bf16 - throughput_ops_per_sec 10.9 (band 12–25) (since 2026-12-01)` */
function bandTitle(suite: string, breaches: readonly BandBreach[]): string {
  const named = breaches
    .slice(0, TITLE_SERIES)
    .map((b) => `${visibleName(b.series.name)} ${b.point.value.toPrecision(4)} (band ${bandText(b.point.band)})`);
  const more = breaches.length > TITLE_SERIES ? ` and ${breaches.length - TITLE_SERIES} more` : "";
  const since = breaches.map((b) => b.since.at.slice(0, 10)).sort()[0];
  return `${suite} benchmarks out of band: ${named.join(", ")}${more} (since ${since})`;
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

/** The two commits a series went bad between, and the commits in between. */
interface Range {
  name: string;
  before_sha: string | null;
  sha: string | null;
  commits: Bisect;
}

function ranges(ctx: SuiteIssueContext): Range[] {
  return [
    ...ctx.findings.map((f) => ({
      name: f.series.name,
      before_sha: f.change.before_sha,
      sha: f.change.sha,
      commits: f.commits,
    })),
    ...(ctx.breaches ?? []).map((b) => ({
      name: b.series.name,
      before_sha: b.good?.sha ?? null,
      sha: b.since.sha,
      commits: b.commits,
    })),
  ];
}

function commits(ctx: SuiteIssueContext): string {
  // Benches usually move together: one range per pair of commits, naming its series.
  const byRange = new Map<string, Range[]>();
  for (const r of ranges(ctx)) {
    const key = `${r.before_sha}..${r.sha}`;
    byRange.set(key, [...(byRange.get(key) ?? []), r]);
  }
  const sections = [...byRange.values()].map((group) => {
    const { commits: range, ...c } = group[0];
    const head = `#### ${[...new Set(group.map((r) => markdownText(r.name)))].join(", ")}`;
    if (!c.before_sha || !c.sha)
      return `${head}\n\nOne of the two results has no known commit, so there is no range to list.`;
    const compare = `${ctx.repositoryUrl}/compare/${c.before_sha}...${c.sha}`;
    const none =
      "No commits in between: both results measured the same commit, so suspect the machine before the code.";
    return `${head}\n\nBetween ${inlineCode(c.before_sha.slice(0, 12))} and ${inlineCode(c.sha.slice(0, 12))}: ${compare}\n\n${commitList(range, none)}`;
  });
  return ["### Commits across the change", ...sections].join("\n\n");
}

/** The series out of their band: variant, metric, value, band, since when, and the file that judged it. */
function bandTable(breaches: readonly SuiteBandFinding[]): string {
  const rows = breaches.map((b) => {
    const of = pruningBenchOf(b.series.name);
    const [variant, metric] = of ? [of.variant, of.key] : [b.series.name, ""];
    const since = `${b.since.at.slice(0, 10)}${b.since.sha ? ` at ${inlineCode(b.since.sha.slice(0, 12))}` : ""}`;
    return `| ${inlineCode(variant)} | ${metric ? inlineCode(metric) : ""} | ${b.point.value.toPrecision(6)} ${markdownText(b.series.unit)} | ${bandText(b.point.band)} | ${since} | ${inlineCode(sourceName(b.point.band.source))} |`;
  });
  return [
    "### Out of the baseline band\n",
    "| variant | metric | latest value | band | out of band since | judged by |",
    "|---|---|---:|---|---|---|",
    ...rows,
  ].join("\n");
}

export function suiteBody(ctx: SuiteIssueContext): string {
  const breaches = ctx.breaches ?? [];
  const parts = [`<!-- ${ctx.marker} -->`];
  if (ctx.findings.length > 0 || breaches.length === 0)
    parts.push(
      `## ${ctx.suite} benchmarks regressed\n\n${ctx.findings.length} of the ${ctx.seriesCount} series of the \`${ctx.suite}\` suite (\`${ctx.repository}\`) changed for the worse and stayed there.`,
    );
  else
    parts.push(
      `## ${ctx.suite} benchmarks out of band\n\n${breaches.length} of the ${ctx.seriesCount} series of the \`${ctx.suite}\` suite (\`${ctx.repository}\`) are outside the band of the suite's baseline file.`,
    );
  if (ctx.previousIssue !== null)
    parts.push(`A regression of this suite was reported before in #${ctx.previousIssue}.`);
  if (ctx.rerun) parts.push(rerunNote(ctx.rerun));
  if (ctx.findings.length > 0 || breaches.length === 0)
    parts.push(
      table(ctx),
      `chimney looks for change points with E-divisive means as Apache Otava does; a change counts once the level after it has held for CHANGE_MIN_RUNS results.${ctx.statusUrl ? ` The charts on ${ctx.statusUrl} mark the change points.` : ""}`,
    );
  if (breaches.length > 0) parts.push(bandTable(breaches));
  parts.push(
    commits(ctx),
    ctx.breaches
      ? "_chimney comments here when other series move or leave their band, and closes this issue when every series is back in its band and none stands worse._"
      : "_chimney comments here when other series move, and closes this issue when no series of the suite stands worse._",
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
    return ctx.breaches
      ? `<!-- ${ctx.marker} -->\n\nRecovered: no series of \`${ctx.suite}\` stands worse any more, and every one is back in its band. Closing this issue.\n`
      : `<!-- ${ctx.marker} -->\n\nRecovered: no series of \`${ctx.suite}\` stands worse any more. Closing this issue.\n`;
  const breaches = ctx.breaches ?? [];
  const news = [
    ctx.findings.length > 0 || breaches.length === 0
      ? `The series that moved changed with the results since:\n\n${table(ctx)}`
      : "",
    breaches.length > 0 ? bandTable(breaches) : "",
  ].filter(Boolean);
  return `<!-- ${ctx.marker} -->\n\n${news.join("\n\n")}\n\n${commits(ctx)}\n`;
}
