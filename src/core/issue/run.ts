/**
 * The Markdown of the issues and comments about a night's run (a regression, a crash, a missed
 * night) and of the comment on a pull request: everything the performance on-call needs to act,
 * from the numbers to the commits to bisect and Firewood's own runbook.
 */
import type { AlertKind as AnyAlertKind } from "../alert.ts";
import { SMOKE_METRICS, type BaselineReport, type MetricKey } from "../baseline.ts";
import { fixed2 } from "../pyformat.ts";
import type { Run, RunFailure } from "../run.ts";
import { boundsText, smokeSummary, summaryMarkdown } from "../summary.ts";
import { type Bisect, commitList, inlineCode, markdownText, percent, shortLabel } from "./markdown.ts";

/** The kinds a night's run speaks to: good news has words of its own (improvement.ts). */
export type AlertKind = Exclude<AnyAlertKind, "improvement">;

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
    parts.push(metricTable(ctx, ctx.run.report));
    parts.push(
      "<details open><summary><code>chimney-summary.md</code>: chimney's evaluation against <code>baselines/smoke.json</code></summary>",
      summaryMarkdown(smokeSummary(ctx.run.measurements, ctx.run.report)).trimEnd(),
      "</details>",
    );
  }
  if (ctx.run.failure) parts.push(failureSection(ctx, ctx.run.failure));
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
  if (ctx.run.measurements && ctx.run.report) parts.push(metricTable(ctx, ctx.run.report));
  if (ctx.run.failure) parts.push(failureSection(ctx, ctx.run.failure));
  return `${parts.join("\n\n")}\n`;
}

export function recoveredComment(ctx: IssueContext): string {
  const parts = [
    `<!-- ${ctx.marker} -->`,
    `Recovered: ${runLink(ctx)} on ${ctx.run.at.slice(0, 10)}${atCommit(ctx)} ${recoveryWords(ctx)}.`,
  ];
  if (ctx.run.measurements && ctx.run.report) parts.push(metricTable(ctx, ctx.run.report));
  parts.push("Closing this issue.");
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
        : run.corroborates
          ? `\n\nThe night before, run ${inlineCode(run.corroborates)} was out of its band too and was waiting to be decided: two nights in a row are not noise.`
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

function metricTable(ctx: IssueContext, report: BaselineReport): string {
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

function failureSection(ctx: IssueContext, f: RunFailure): string {
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
