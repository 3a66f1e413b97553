/**
 * The words chimney writes on a pull request: its one benchmark comment, edited in place as runs
 * finish, and the reply asking a maintainer to approve a fork's commit.
 */
import { fixed2 } from "../pyformat.ts";
import { COMPARED_NIGHTS, MAD_SCALE, NOISE_MADS, type NightsComparison } from "../pr-bench.ts";
import type { Run } from "../run.ts";
import { smokeSummary, summaryMarkdown } from "../summary.ts";
import { inlineCode, markdownText, METRIC_LABELS, percent } from "./markdown.ts";

/** The hidden marker of chimney's one benchmark comment on a pull request. */
export const PR_BENCH_MARKER = "chimney:pr-bench";

export interface PullRequestCommentContext {
  run: Run;
  comparison: NightsComparison;
  trackedRef: string;
  /** chimney's page of the run, when PUBLIC_URL is set. */
  runUrl: string | null;
  workflowRunUrl: string | null;
}

export function pullRequestBenchComment(ctx: PullRequestCommentContext): string {
  const run = ctx.run;
  const link = ctx.runUrl ? `[${run.id}](${ctx.runUrl})` : inlineCode(run.id);
  const commit = run.sha ? ` at ${inlineCode(run.sha.slice(0, 12))}` : "";
  const workflow = ctx.workflowRunUrl ? ` ([workflow run](${ctx.workflowRunUrl}))` : "";
  const parts = [
    `<!-- ${PR_BENCH_MARKER} -->`,
    "## Performance smoke benchmark",
    `Latest run: ${link}${commit}, ${run.state}${workflow}. chimney edits this comment as each run of this pull request finishes.`,
  ];
  if (run.measurements && run.report) {
    parts.push(comparisonTable(ctx), noiseNote(ctx));
    parts.push(
      "<details><summary>Against the baseline's bands</summary>",
      summaryMarkdown(smokeSummary(run.measurements, run.report)).trim(),
      "</details>",
    );
  } else {
    parts.push(`The benchmark produced no result: ${markdownText(run.failure?.reason ?? "unknown reason")}.`);
    if (run.failure?.log_url) parts.push(`[Log](${run.failure.log_url})`);
  }
  return `${parts.join("\n\n")}\n`;
}

function comparisonTable(ctx: PullRequestCommentContext): string {
  const nights = ctx.comparison.nights;
  if (nights === 0)
    return `No night of ${inlineCode(ctx.trackedRef)} has a result yet to compare with.\n\n${ctx.comparison.metrics
      .map((m) => `- ${METRIC_LABELS[m.key]}: ${m.value === null ? "—" : fixed2(m.value)}`)
      .join("\n")}`;
  const rows = ctx.comparison.metrics.map((m) => {
    const verdict =
      m.within_noise === null
        ? "—"
        : m.within_noise
          ? "within noise"
          : m.better
            ? "better, beyond noise"
            : "worse, beyond noise";
    return `| ${METRIC_LABELS[m.key]} | ${m.value === null ? "—" : fixed2(m.value)} | ${m.median === null ? "—" : fixed2(m.median)} | ${m.change === null ? "—" : percent(m.change)} | ±${m.noise === null ? "—" : fixed2(m.noise)} | ${verdict} |`;
  });
  return [
    `| metric | this run | median of ${inlineCode(ctx.trackedRef)}'s last ${nights} nights | change | noise | |`,
    "| --- | ---: | ---: | ---: | ---: | --- |",
    ...rows,
  ].join("\n");
}

function noiseNote(ctx: PullRequestCommentContext): string {
  const few = ctx.comparison.nights < COMPARED_NIGHTS ? ` (only ${ctx.comparison.nights} so far)` : "";
  return `_Noise: ${NOISE_MADS} × ${MAD_SCALE} × the median absolute deviation of the last ${COMPARED_NIGHTS} nights${few}, a robust spread that one outlier night does not stretch._`;
}

/** The reply to `/chimney bench` on a fork's pull request. */
export function approvalRequest(sha: string): string {
  return `<!-- chimney:pr-bench-approval=${sha} -->\n\nThis pull request's commit comes from a fork, and the benchmark runs on a self-hosted runner. A maintainer must approve this exact commit first by commenting:\n\n\`\`\`\n/chimney bench approve ${sha}\n\`\`\`\n`;
}
