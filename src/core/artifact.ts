/** The files kept with a run, and how they are served. */

/** The artifact Firewood's workflow uploads, plus chimney's own evaluation. */
export const RESULT_FILES = {
  metrics: "smoke-metrics.json",
  log: "smoke-benchmark.log",
  summaryMarkdown: "smoke-summary.md",
  summaryJson: "smoke-summary.json",
  summaryHtml: "smoke-summary.html",
} as const;

/** chimney's summaries of its own evaluation, next to the runner's. */
export const CHIMNEY_SUMMARIES = {
  markdown: "chimney-summary.md",
  json: "chimney-summary.json",
  html: "chimney-summary.html",
} as const;

const TYPES: [RegExp, string][] = [
  [/\.json$/, "application/json"],
  [/\.md$/, "text/markdown; charset=utf-8"],
  [/\.html?$/, "text/html; charset=utf-8"],
  [/\.(log|txt)$/, "text/plain; charset=utf-8"],
];

export function contentTypeOf(name: string): string {
  return TYPES.find(([pattern]) => pattern.test(name))?.[1] ?? "application/octet-stream";
}

/**
 * How a stored file is named to the browser (RFC 6266): `filename` an ASCII fallback, its quotes
 * and backslashes escaped and anything else replaced by `_`; `filename*` the name itself (RFC 8187),
 * so a runner's file name can neither end the header's quoted string nor break the header.
 */
export function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "\\$&");
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `inline; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
