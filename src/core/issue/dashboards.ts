/** The Markdown of the issue and comments about performance dashboards that drifted from Grafana. */
import type { DashboardCheck } from "../dashboards.ts";
import { inlineCode, markdownText } from "./markdown.ts";

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
