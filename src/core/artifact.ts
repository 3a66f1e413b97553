/** The files kept with a run, and how they are served. */

/** The artifact Firewood's workflow uploads, plus chimney's own evaluation. */
export const RESULT_FILES = {
  metrics: "smoke-metrics.json",
  log: "smoke-benchmark.log",
  summaryMarkdown: "smoke-summary.md",
  summaryJson: "smoke-summary.json",
  summaryHtml: "smoke-summary.html",
} as const;

/** chimney's summaries of its own evaluation, next to the runner's. Names beginning `chimney-` are chimney's. */
export const CHIMNEY_SUMMARIES = {
  markdown: "chimney-summary.md",
  json: "chimney-summary.json",
  html: "chimney-summary.html",
} as const;

/**
 * The name a runner's file is kept under. A runner's file named like chimney's own is renamed,
 * not refused: the run keeps its result, and the file stays as evidence under a name that cannot
 * pass for chimney's. A name renamed before is renamed again, so no two of the runner's files
 * ever end up under one name.
 */
export function runnerFileName(name: string): string {
  return /^(runner-)*chimney-/.test(name) ? `runner-${name}` : name;
}

/** The first name given to two files, or null: a run keeps one file per name. */
export function repeatedName(names: readonly string[]): string | null {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return null;
}

const TYPES: [RegExp, string][] = [
  [/\.json$/, "application/json"],
  [/\.md$/, "text/markdown; charset=utf-8"],
  [/\.html?$/, "text/html; charset=utf-8"],
  [/\.(log|txt)$/, "text/plain; charset=utf-8"],
];

export function contentTypeOf(name: string): string {
  return TYPES.find(([pattern]) => pattern.test(name))?.[1] ?? "application/octet-stream";
}

/** Whether two byte strings are the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((byte, i) => byte === b[i]);
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

/** The SHA-256 of the bytes in lowercase hex: an artifact's key, and what R2 checks on arrival. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  // Never a SharedArrayBuffer here; the cast only widens what newer DOM typings accept.
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
