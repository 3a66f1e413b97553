/**
 * Server-rendered SVG charts of a metric over runs: the baseline band shaded, bad nights
 * marked by shape as well as colour, change points as dashed lines, every point a link.
 * Hand-written because the page must work without JavaScript, and chart libraries draw in it.
 */
import { raw } from "hono/html";
import { escapeToBuffer, type HtmlEscapedString } from "hono/utils/html";

export interface ChartPoint {
  /** null: the night produced no value (crashed or missed). */
  value: number | null;
  /** What the point's tooltip says. */
  label: string;
  /** Its place on the time axis, as the first and last points show it (a date). */
  axis: string;
  href: string | null;
  /** `refuted`: out of its band once, and its commit benchmarked again was within it (noise). */
  mark: "normal" | "bad" | "refuted" | "missing";
}

export interface ChartChange {
  /** The first point after the change. */
  index: number;
  label: string;
  worse: boolean;
}

export interface ChartSpec {
  id: string;
  title: string;
  /** The text alternative: what a reader of the chart would learn from it. */
  description: string;
  unit: string;
  points: ChartPoint[];
  band: { lower: number | null; upper: number | null } | null;
  changes: ChartChange[];
  /** Compact charts draw the line alone: no per-point marks or links. */
  compact?: boolean;
}

const WIDTH = 720;
const MARGIN = { left: 64, right: 12, top: 14, bottom: 26 };

/** A number as an axis label: 12.3k, 48.9, 0.12. */
export function shortNumber(x: number): string {
  const abs = Math.abs(x);
  if (abs >= 1e6) return `${(x / 1e6).toFixed(1)}M`;
  if (abs >= 1e4) return `${(x / 1e3).toFixed(1)}k`;
  if (abs >= 100) return x.toFixed(0);
  if (abs >= 1) return x.toFixed(1);
  return x.toPrecision(2);
}

/** The y range: every value and the band's finite edges, with a little room. */
function domain(values: number[], band: ChartSpec["band"]): [number, number] {
  const all = [...values, ...(band ? [band.lower, band.upper].filter((b): b is number => b !== null) : [])];
  if (all.length === 0) return [0, 1];
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (lo === hi) {
    lo -= Math.abs(lo) * 0.1 || 1;
    hi += Math.abs(hi) * 0.1 || 1;
  }
  const pad = (hi - lo) * 0.06;
  return [lo - pad, hi + pad];
}

/** Text for the markup: the charts are built as strings, each value escaped once where it is written. */
function text(s: string): string {
  const buffer = [""];
  escapeToBuffer(s, buffer);
  return buffer[0];
}

/**
 * The chart's SVG. Built as one string, not nested `html` templates: a page has three charts of
 * 90 points, and a template per point cost 0.1 ms of the 1.25 ms a publish took.
 */
export function chart(spec: ChartSpec): HtmlEscapedString {
  const height = spec.compact ? 120 : 220;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const n = spec.points.length;
  const values = spec.points.map((p) => p.value).filter((v): v is number => v !== null);
  const [lo, hi] = domain(values, spec.band);
  const x = (i: number) => MARGIN.left + ((i + 0.5) * plotW) / Math.max(n, 1);
  const y = (v: number) => MARGIN.top + ((hi - v) / (hi - lo)) * plotH;
  const r = (v: number) => Math.round(v * 10) / 10;
  const ticks = [0, 1, 2, 3].map((k) => lo + ((hi - lo) * (k + 0.5)) / 4);
  const bottom = MARGIN.top + plotH;
  const id = text(spec.id);
  const title = text(spec.title);

  let band = "";
  if (spec.band) {
    const top = y(Math.min(spec.band.upper ?? hi, hi));
    const low = y(Math.max(spec.band.lower ?? lo, lo));
    band = `<rect class="band" x="${MARGIN.left}" y="${r(top)}" width="${plotW}" height="${r(Math.max(low - top, 0))}"><title>baseline band</title></rect>`;
  }
  const line = spec.points
    .map((p, i) => (p.value === null ? null : `${r(x(i))},${r(y(p.value))}`))
    .filter((s): s is string => s !== null)
    .join(" ");
  // Labels of neighbouring change points take turns on two lines, so they do not overlap.
  let changes = "";
  spec.changes.forEach((c, i) => {
    const cx = r(x(c.index - 0.5));
    changes += `<g class="change ${c.worse ? "worse" : "better"}"><line x1="${cx}" x2="${cx}" y1="${MARGIN.top}" y2="${bottom}"/><text x="${cx + 3}" y="${MARGIN.top + 10 + (i % 2) * 14}">${c.worse ? "▼" : "▲"} change</text><title>${text(c.label)}</title></g>`;
  });
  let points = "";
  if (!spec.compact) {
    spec.points.forEach((p, i) => {
      const cx = r(x(i));
      const shape =
        p.mark === "missing"
          ? `<path class="missing" d="M${cx - 4},${bottom - 9} l8,8 m0,-8 l-8,8"/>`
          : p.mark === "bad" || p.mark === "refuted"
            ? `<path class="${p.mark}" d="M${cx},${r(y(p.value!)) - 5} l5,5 l-5,5 l-5,-5 z"/>`
            : `<circle cx="${cx}" cy="${r(y(p.value!))}" r="3"/>`;
      points += p.href
        ? `<a href="${text(p.href)}">${shape}<title>${text(p.label)}</title></a>`
        : `<g>${shape}<title>${text(p.label)}</title></g>`;
    });
  }
  const tickMarks = ticks
    .map(
      (t) =>
        `<g class="tick"><line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${r(y(t))}" y2="${r(y(t))}"/><text x="${MARGIN.left - 6}" y="${r(y(t)) + 4}">${shortNumber(t)}</text></g>`,
    )
    .join("");
  const axis =
    n > 0
      ? `<text class="axis" x="${MARGIN.left}" y="${height - 6}">${text(spec.points[0].axis)}</text><text class="axis end" x="${WIDTH - MARGIN.right}" y="${height - 6}">${text(spec.points[n - 1].axis)}</text>`
      : `<text class="axis" x="${MARGIN.left + 8}" y="${MARGIN.top + plotH / 2}">no runs yet</text>`;

  return raw(`<figure class="chart">
<svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="${id}-title ${id}-desc" preserveAspectRatio="xMidYMid meet">
<title id="${id}-title">${title}</title>
<desc id="${id}-desc">${text(spec.description)}</desc>
${band}
${tickMarks}
<text class="unit" x="4" y="${MARGIN.top + 4}">${text(spec.unit)}</text>
${axis}
${changes}
${line ? `<polyline class="line" points="${line}"/>` : ""}
${points}
</svg>
<figcaption>${title}</figcaption>
</figure>`);
}
