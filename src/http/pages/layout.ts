/** The frame every page shares: one small stylesheet inline, readable from phone width up. */
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

type Content = HtmlEscapedString | Promise<HtmlEscapedString>;

// Colours meet WCAG AA on white (4.5:1 or better); bad nights are also a different shape.
const STYLE = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --ok: #116329; --bad: #a40e26; --warn: #7a4100; --info: #0a4a8f; --line: #d0d7de; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #fff; }
header, main, footer { max-width: 980px; margin: 0 auto; padding: 0 16px; }
header { display: flex; justify-content: space-between; align-items: baseline; flex-wrap: wrap; gap: 8px; padding-top: 16px; }
header h1 { font-size: 1.25rem; margin: 0; }
header nav a { margin-left: 12px; }
a { color: var(--info); }
h2 { font-size: 1.1rem; margin: 28px 0 8px; }
.banner { border-radius: 6px; padding: 14px 16px; margin: 16px 0; border: 2px solid; }
.banner strong { font-size: 1.3rem; text-transform: uppercase; letter-spacing: .02em; }
.state-passing { border-color: var(--ok); color: var(--ok); background: #effaf1; }
.state-regressed, .state-crashed { border-color: var(--bad); color: var(--bad); background: #fff1f2; }
.state-missed { border-color: var(--warn); color: var(--warn); background: #fff8eb; }
.state-pending, .state-unknown { border-color: var(--info); color: var(--info); background: #eef6ff; }
.banner p { margin: 4px 0 0; color: var(--ink); }
.banner ul { margin: 6px 0 0; padding-left: 20px; color: var(--ink); }
.charts { display: grid; gap: 12px; }
figure.chart { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 6px 8px; }
figure.chart svg { width: 100%; height: auto; display: block; }
figcaption { font-size: .85rem; color: var(--muted); }
svg .band { fill: #dff3e4; }
svg .tick line { stroke: #eaeef2; }
svg text { font-size: 11px; fill: var(--muted); }
svg .tick text { text-anchor: end; }
svg .axis.end { text-anchor: end; }
svg .line { fill: none; stroke: var(--info); stroke-width: 1.5; }
svg circle { fill: var(--info); }
svg .bad { fill: var(--bad); }
svg .refuted { fill: #fff; stroke: var(--bad); stroke-width: 1.5; }
svg .missing { stroke: var(--bad); stroke-width: 2; }
svg .change line { stroke-dasharray: 4 3; stroke-width: 1.5; }
svg .change.worse line { stroke: var(--bad); } svg .change.worse text { fill: var(--bad); }
svg .change.better line { stroke: var(--ok); } svg .change.better text { fill: var(--ok); }
.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
caption { text-align: left; color: var(--muted); padding-bottom: 4px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.passed { color: var(--ok); } .regressed, .crashed { color: var(--bad); font-weight: 600; } .missed { color: var(--warn); } .dispatched, .running { color: var(--info); }
.muted { color: var(--muted); }
footer { color: var(--muted); font-size: .85rem; padding: 24px 16px; }
@media (max-width: 600px) { body { font-size: 14px; } header nav a { margin: 0 12px 0 0; } svg text { font-size: 20px; } }
`;

/**
 * A link target only if it is an http(s) URL: whatever a record holds, a page never links to
 * `javascript:` or `data:`. Links from GitHub are checked when they arrive; this is the last line.
 */
export function webLink(url: string | null | undefined): string | null {
  if (!url || !URL.canParse(url)) return null;
  const { protocol } = new URL(url);
  return protocol === "https:" || protocol === "http:" ? url : null;
}

export function page(title: string, body: Content): Content {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${raw(STYLE)}</style>
</head>
<body>
<header><h1><a href="/">chimney</a> <span class="muted">· Firewood performance</span></h1><nav aria-label="Data"><a href="/status">status JSON</a><a href="/runs">runs JSON</a><a href="/changes">change points</a><a href="/baseline">baseline</a></nav></header>
<main>
${body}
</main>
<footer>chimney runs Firewood's nightly smoke benchmark and watches it: the ±15% baseline band, change points over the history (E-divisive means, as Apache Otava), and alerts as GitHub issues.</footer>
</body>
</html>`;
}
