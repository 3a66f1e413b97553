/** `GET /runs/{id}` for a browser: one run, its numbers against the band, its files and links. */
import { html } from "hono/html";
import { SMOKE_METRICS, sourceName } from "../../core/baseline.ts";
import { pvalueText } from "../../core/changepoints/significance.ts";
import { fixed2 } from "../../core/pyformat.ts";
import { visible } from "../../core/visible.ts";
import type { runView } from "../views.ts";
import { page, webLink } from "./layout.ts";

type RunView = ReturnType<typeof runView>;

const bound = (x: number | null) => (x === null ? "—" : fixed2(x));

export function runPage(run: RunView) {
  const report = run.report;
  const commit = webLink(run.links.commit);
  const workflow = webLink(run.links.workflow_run);
  const log = webLink(run.failure?.log_url);
  return page(
    `chimney: run ${run.id}`,
    html`<h2>Run <code>${run.id}</code>: <span class="${run.state}">${run.state}</span></h2>
<p>${run.at.slice(0, 16).replace("T", " ")} UTC${run.ref ? html` on <code>${visible(run.ref)}</code>` : ""}${run.sha ? html` at ${commit ? html`<a href="${commit}"><code>${run.sha.slice(0, 12)}</code></a>` : html`<code>${run.sha.slice(0, 12)}</code>`}` : ""}${run.mainline ? "" : html` <span class="muted">(not the tracked branch: it does not count for the status)</span>`}.
${workflow ? html`<a href="${workflow}">The workflow run on GitHub.</a>` : ""}</p>
${
  run.confirmation
    ? html`<p>Suspect night: ${
        run.confirmation.state === "pending"
          ? "chimney is benchmarking this commit again before alerting."
          : run.confirmation.state === "next_night"
            ? html`benchmarking this commit again gave no result (${run.confirmation.reason ?? "no reason given"}), so the next night with a result decides.`
            : html`${run.confirmation.state}${run.confirmation.url ? html` by <a href="${run.confirmation.url}">run <code>${run.confirmation.run_id}</code></a>` : ""}${run.confirmation.reason ? html` (${run.confirmation.reason})` : ""}.`
      }</p>`
    : ""
}
${run.dispatch?.confirms ? html`<p>This run measured the commit of suspect run <a href="/runs/${run.dispatch.confirms}"><code>${run.dispatch.confirms}</code></a> again.</p>` : ""}
${run.failure ? html`<p class="crashed">${run.failure.reason}${log ? html` (<a href="${log}">log</a>)` : ""}</p>` : ""}
${
  report
    ? html`<div class="table"><table>
<caption>chimney's evaluation against the baseline: <code>${visible(sourceName(report.source))}</code></caption>
<thead><tr><th scope="col">metric</th><th scope="col" class="num">this run</th><th scope="col" class="num">lower</th><th scope="col" class="num">upper</th><th scope="col">within</th></tr></thead>
<tbody>${SMOKE_METRICS.map((m) => {
        const c = report[m.key];
        return html`<tr><th scope="row">${m.label}</th><td class="num">${fixed2(c.actual)}</td><td class="num">${bound(c.lower)}</td><td class="num">${bound(c.upper)}</td><td class="${c.within_range ? "passed" : "regressed"}">${c.within_range ? "yes" : "no"}</td></tr>`;
      })}</tbody></table></div>`
    : html`<p>No result.</p>`
}
${
  run.change_points.length > 0
    ? html`<h2>Change points beginning at this run</h2><ul>${run.change_points.map(
        (c) =>
          html`<li class="${c.direction === "worse" ? "regressed" : "passed"}">${c.metric}: ${fixed2(c.mean_before)} → ${fixed2(c.mean_after)} (${c.direction}, ${pvalueText(c.pvalue)}), after <a href="${c.before_url}">run <code>${c.before_run_id}</code></a>${webLink(c.compare) ? html` · <a href="${c.compare}">commits</a>` : ""}</li>`,
      )}</ul>`
    : ""
}
<h2>Files</h2>
${run.artifacts.length > 0 ? html`<ul>${run.artifacts.map((a) => html`<li><a href="${a.url}">${a.name}</a> <span class="muted">(${a.size} bytes)</span></li>`)}</ul>` : html`<p class="muted">None kept.</p>`}
<p><a href="${run.links.self}?format=json">This run as JSON</a> · <a href="/">back to the status</a></p>`,
  );
}
