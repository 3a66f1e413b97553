/** `GET /`: whether Firewood got slower, since when, and where to look. */
import { html } from "hono/html";
import type { Alert } from "../../core/alert.ts";
import { SMOKE_METRICS, type Baseline, type MetricKey } from "../../core/baseline.ts";
import type { ConfigProblem } from "../../core/config.ts";
import type { DashboardCheck } from "../../core/dashboards.ts";
import { pvalueText } from "../../core/changepoints/significance.ts";
import type { ChangeReport } from "../../core/drift.ts";
import type { HistoryEntry } from "../../core/history.ts";
import { workflowRunUrl } from "../../core/links.ts";
import { fixed2 } from "../../core/pyformat.ts";
import { visible } from "../../core/visible.ts";
import { githubRunOf } from "../../core/run.ts";
import type { Series } from "../../core/series.ts";
import type { SuiteSeries } from "../../core/suite-alert.ts";
import type { Signal } from "../../core/status.ts";
import { chart, shortNumber, type ChartSpec } from "./chart.ts";
import { page, webLink } from "./layout.ts";

export interface StatusPageData {
  signal: Signal;
  alerts: readonly Alert[];
  /** Alerts whose last episode a maintainer accepted: their level is the reference while it stays. */
  accepted: readonly Alert[];
  dashboards: DashboardCheck | null;
  changes: ChangeReport | null;
  /** The charted runs: the latest mainline runs, oldest first. */
  charted: HistoryEntry[];
  /** The table: the latest runs of any branch, newest first. */
  recent: HistoryEntry[];
  runs: number;
  baseline: Baseline;
  /** Which baseline judged the last settled night (a file of the repository at a commit, or the configured one and why). */
  baselineSource: string;
  /** Every suite's series, by suite: the moved ones first (`groupSeries`). */
  suites: SuiteSeries[];
  configProblems: ConfigProblem[];
  /** https://github.com/owner/repo, when GITHUB_REPOSITORY is set. */
  repositoryUrl: string | null;
}

/** Runs charted, and runs in the table. */
export const CHARTED_RUNS = 90;
export const LISTED_RUNS = 20;
/** Imported points charted per series: the latest ones. */
const CHARTED_POINTS = 200;

const day = (iso: string) => iso.slice(0, 10);

const SUSPECT_WORDS: Record<NonNullable<HistoryEntry["confirmation"]>, string> = {
  pending: "confirming",
  next_night: "the next night decides",
  confirmed: "confirmed",
  refuted: "refuted",
};
const short = (sha: string | null) => (sha ? sha.slice(0, 12) : "—");

function runLabel(e: HistoryEntry, key: MetricKey, unit: string): string {
  const value = e[key];
  const measured = value === null ? "no result" : `${fixed2(value)} ${unit}`;
  return `${day(e.at)} · ${short(e.sha)} · ${measured} · ${e.state}${e.confirmation ? ` (suspect: ${SUSPECT_WORDS[e.confirmation]})` : ""}`;
}

function metricChart(data: StatusPageData, metric: (typeof SMOKE_METRICS)[number]): ReturnType<typeof chart> {
  const unit = metric.label.match(/\((.*)\)/)?.[1] ?? "";
  const runs = data.charted;
  const index = new Map(runs.map((e, i) => [e.id, i]));
  const changes = (data.changes?.changes ?? [])
    .filter((c) => c.metric === metric.key && index.has(c.run_id) && index.get(c.run_id)! > 0)
    .map((c) => ({
      index: index.get(c.run_id)!,
      worse: c.direction === "worse",
      label: `change point at ${day(c.at)} (${short(c.sha)}): ${fixed2(c.mean_before)} → ${fixed2(c.mean_after)} ${unit}, ${pvalueText(c.pvalue)}`,
    }));
  const band = data.baseline[metric.key];
  const values = runs.map((e) => e[metric.key]).filter((v): v is number => v !== null);
  const out = runs.filter((e) => e.out_of_range.includes(metric.key)).length;
  const missing = runs.filter((e) => e[metric.key] === null && ["crashed", "missed"].includes(e.state)).length;
  const latest = runs.at(-1);
  const description =
    runs.length === 0
      ? `No runs of ${metric.label} yet.`
      : `${metric.label} over the last ${runs.length} runs, ${day(runs[0].at)} to ${day(latest!.at)}: latest ${latest![metric.key] === null ? "no result" : fixed2(latest![metric.key]!)}, ` +
        `range ${values.length ? `${fixed2(Math.min(...values))}–${fixed2(Math.max(...values))}` : "none"}; baseline band ${band.lower ?? "−∞"}–${band.upper ?? "∞"}; ` +
        `${out} ${out === 1 ? "run" : "runs"} out of the band, ${missing} without a result; ` +
        `${changes.length === 0 ? "no change points" : changes.map((c) => c.label).join("; ")}.`;
  const spec: ChartSpec = {
    id: `chart-${metric.key}`,
    title: `${metric.label}, ${metric.better} is better`,
    description,
    unit,
    band,
    changes,
    points: runs.map((e) => ({
      value: e[metric.key],
      axis: day(e.at),
      label: runLabel(e, metric.key, unit),
      href: `/runs/${e.id}`,
      mark:
        e[metric.key] === null
          ? "missing"
          : !e.out_of_range.includes(metric.key)
            ? "normal"
            : e.confirmation === "refuted"
              ? "refuted"
              : "bad",
    })),
  };
  return chart(spec);
}

/**
 * A suite's series: the ones that moved charted first, the rest folded (a suite may have a
 * hundred series; the moved ones are the news).
 */
function suiteSection(group: SuiteSeries, g: number) {
  const count = group.moved.length + group.steady.length;
  const charts = (list: Series[], from: number) => list.map((s, i) => seriesChart(s, `${g}-${from + i}`));
  return html`<h2>Suite <code>${group.suite}</code></h2>
<p class="muted">${count} series (<a href="/series">JSON</a>), the latest ${CHARTED_POINTS} points of each, with their change points${group.moved.length > 0 ? html`; ${group.moved.length} stand worse since a change point, charted first` : ""}.</p>
${group.moved.length > 0 ? html`<div class="charts">${charts(group.moved, 0)}</div>` : ""}
${
  group.steady.length === 0
    ? ""
    : group.moved.length === 0 && group.steady.length <= FOLD_AFTER
      ? html`<div class="charts">${charts(group.steady, 0)}</div>`
      : html`<details><summary>${group.steady.length} series with no standing change for the worse</summary><div class="charts">${charts(group.steady, group.moved.length)}</div></details>`
}`;
}

/** A suite with more series than this shows them folded, even when none moved. */
const FOLD_AFTER = 12;

function seriesChart(s: Series, i: string): ReturnType<typeof chart> {
  const points = s.points.slice(-CHARTED_POINTS);
  const offset = s.points.length - points.length;
  const changes = s.changes
    .filter((c) => c.index - offset > 0)
    .map((c) => ({
      index: c.index - offset,
      worse: c.direction === "worse",
      label: `change point at ${day(c.at)} (${short(c.sha)}): ${shortNumber(c.mean_before)} → ${shortNumber(c.mean_after)} ${s.unit}`,
    }));
  return chart({
    id: `series-${i}`,
    title: `${s.name} (${s.bigger_is_better ? "higher" : "lower"} is better)`,
    description: `${s.name}, imported: ${points.length} points from ${day(points[0]?.at ?? "")} to ${day(points.at(-1)?.at ?? "")}; ${changes.length === 0 ? "no change points" : changes.map((c) => c.label).join("; ")}.`,
    unit: s.unit,
    band: null,
    changes,
    compact: true,
    points: points.map((p) => ({
      value: p.value,
      axis: day(p.at),
      label: `${day(p.at)} · ${short(p.sha)} · ${p.value} ${s.unit}`,
      href: null,
      mark: "normal",
    })),
  });
}

function banner(data: StatusPageData) {
  const drifts = data.changes?.drifts ?? [];
  return html`<section class="banner state-${data.signal.state}" aria-labelledby="state">
<strong id="state">${data.signal.state}</strong>
<p>${data.signal.reason}.</p>
${
  data.alerts.length > 0
    ? html`<ul aria-label="Open alerts">${data.alerts.map(
        (a) =>
          html`<li>${a.kind} alert (<code>${a.fingerprint}</code>) since ${day(a.opened_at)}${webLink(a.issue_url) ? html`: <a href="${a.issue_url}">issue #${a.issue_number}</a>` : ""}${a.snooze ? html`, snoozed until ${day(a.snooze.until)}` : ""}</li>`,
      )}</ul>`
    : html`<p>No open alerts.</p>`
}
${
  data.accepted.length > 0
    ? html`<ul aria-label="Accepted levels">${data.accepted.map(
        (a) =>
          html`<li><code>${a.fingerprint}</code>: level accepted by ${a.accepted?.by ?? ""} on ${day(a.accepted?.at ?? a.opened_at)}${webLink(a.issue_url) ? html` (<a href="${a.issue_url}">issue #${a.issue_number}</a>)` : ""}</li>`,
      )}</ul>`
    : ""
}
${drifts.length > 0 ? html`<p>Drifting inside the band: ${drifts.map((c) => c.metric).join(", ")} since ${day(drifts[0].at)}.</p>` : ""}
</section>`;
}

function runsTable(data: StatusPageData) {
  const num = (x: number | null) => (x === null ? "—" : fixed2(x));
  return html`<div class="table"><table>
<caption>The latest ${data.recent.length} of ${data.runs} runs, newest first (<a href="/runs">all, as JSON</a>)</caption>
<thead><tr><th scope="col">date</th><th scope="col">commit</th><th scope="col">branch</th><th scope="col">state</th>${SMOKE_METRICS.map((m) => html`<th scope="col" class="num">${m.label}</th>`)}<th scope="col">links</th></tr></thead>
<tbody>${data.recent.map((e) => {
    const commit =
      e.sha && data.repositoryUrl
        ? html`<a href="${data.repositoryUrl}/commit/${e.sha}"><code>${short(e.sha)}</code></a>`
        : html`<code>${short(e.sha)}</code>`;
    const workflow = workflowRunUrl(data.repositoryUrl, githubRunOf(e.id));
    return html`<tr><td>${day(e.at)}</td><td>${commit}</td><td>${e.ref === null ? "—" : visible(e.ref)}${e.mainline ? "" : html` <span class="muted">(not counted)</span>`}</td><td class="${e.state}">${e.state}${e.confirmation ? html` <span class="muted">(suspect: ${SUSPECT_WORDS[e.confirmation]})</span>` : ""}</td>${SMOKE_METRICS.map((m) => html`<td class="num">${num(e[m.key])}</td>`)}<td><a href="/runs/${e.id}">run</a>${e.throughput_ops_per_sec !== null ? html` · <a href="/runs/${e.id}/artifacts/chimney-summary.html">summary</a>` : ""}${workflow ? html` · <a href="${workflow}">workflow</a>` : ""}</td></tr>`;
  })}</tbody>
</table></div>`;
}

function dashboardsSection(check: DashboardCheck | null) {
  if (!check)
    return html`<p class="muted">No dashboard check has run yet; it runs with the nightly trigger when Grafana is configured.</p>`;
  const out = check.dashboards.filter((d) => !d.in_sync);
  return html`<p>Checked ${day(check.checked_at)} against <code>${check.source}</code>: ${
    check.in_sync
      ? "every dashboard is in sync with Grafana."
      : html`<strong class="regressed">out of sync</strong>${check.problem ? html` (${check.problem})` : ""}.`
  } <a href="/dashboards">details</a></p>${out.length > 0 ? html`<ul>${out.map((d) => html`<li><code>${d.uid}</code>: ${d.findings.join("; ")}</li>`)}</ul>` : ""}`;
}

export function statusPage(data: StatusPageData) {
  return page(
    `chimney: ${data.signal.state}`,
    html`${banner(data)}
${data.configProblems.length > 0 ? html`<p class="muted">Configuration: ${data.configProblems.map((p) => html`<code>${p.name}</code> ${p.problem}`).reduce((a, b) => html`${a}; ${b}`)}.</p>` : ""}
<h2>The last ${data.charted.length} runs on the tracked branch</h2>
<p class="muted">The shaded band is the baseline (<a href="/baseline">${data.baselineSource}</a>); ◆ marks a night out of the band, ◇ one its rerun showed was noise, ✕ a night without a result, a dashed line a change point. Each point links to its run.</p>
<div class="charts">${SMOKE_METRICS.map((m) => metricChart(data, m))}</div>
<h2>Recent runs</h2>
${data.recent.length > 0 ? runsTable(data) : html`<p>No runs yet: chimney dispatches the benchmark every night, and runners can upload results to <code>POST /api/results</code>.</p>`}
<h2>Dashboards</h2>
${dashboardsSection(data.dashboards)}
${data.suites.map((group, g) => suiteSection(group, g))}`,
  );
}
