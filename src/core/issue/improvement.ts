/**
 * The Markdown of good news: a change for the better that held (`standingBetter`), told once,
 * as a comment on an open slowdown's issue or as a short issue chimney closes at once.
 */
import type { Improvement } from "../alert.ts";
import { SMOKE_METRICS, type MetricKey } from "../baseline.ts";
import { fixed2 } from "../pyformat.ts";
import { inlineCode, METRIC_LABELS, percent, shortLabel } from "./markdown.ts";

export interface ImprovementContext {
  improvements: Improvement[];
  /** chimney's page of a run, when PUBLIC_URL is set. */
  runUrl: (id: string) => string | null;
  repositoryUrl: string;
  marker: string;
}

function metricOf(improvement: Improvement): MetricKey {
  const known = SMOKE_METRICS.find((m) => m.key === improvement.metric);
  if (!known) throw new Error(`improvement of an unknown metric ${improvement.metric}`);
  return known.key;
}

/** The change in percent, as the issues write it. */
function improvementPercent(improvement: Improvement): string {
  return percent(improvement.mean_after / improvement.mean_before - 1);
}

export function improvementTitle(improvements: readonly Improvement[]): string {
  const what = improvements.map((i) => `${shortLabel(metricOf(i))} ${improvementPercent(i)}`);
  const since = improvements.map((i) => i.at.slice(0, 10)).sort()[0] ?? "";
  return `Smoke benchmark improved: ${what.join(", ")} (since ${since})`;
}

/** One line per metric: the levels before and after, the percent, and the run and commit where it began. */
function improvementLines(ctx: Omit<ImprovementContext, "marker">): string[] {
  return ctx.improvements.map((i) => {
    const url = ctx.runUrl(i.run_id);
    const run = url ? `[${inlineCode(i.run_id)}](${url})` : inlineCode(i.run_id);
    const commit = i.sha ? ` at [${inlineCode(i.sha.slice(0, 12))}](${ctx.repositoryUrl}/commit/${i.sha})` : "";
    return `- **${METRIC_LABELS[metricOf(i)]}**: ${fixed2(i.mean_before)} → ${fixed2(i.mean_after)} (${improvementPercent(i)}) since run ${run}${commit} on ${i.at.slice(0, 10)} (the last run before it: ${inlineCode(i.before_run_id)})`;
  });
}

export function improvementBody(ctx: ImprovementContext): string {
  return [
    `<!-- ${ctx.marker} -->`,
    "## Smoke benchmark improvement",
    "The nightly smoke benchmark got faster, and it has held:",
    improvementLines(ctx).join("\n"),
    "chimney closes this issue at once: it is news, not work.",
  ].join("\n\n");
}

export function improvementComment(ctx: ImprovementContext): string {
  return `<!-- ${ctx.marker} -->\n\nGood news: the nightly smoke benchmark got faster, and it has held:\n\n${improvementLines(ctx).join("\n")}\n`;
}
