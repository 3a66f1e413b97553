/**
 * What the issue texts share: text from outside shown safely, changes and metric names as the
 * issues write them, and the list of commits between a good run and a bad one.
 */
import { SMOKE_METRICS, type MetricKey } from "../baseline.ts";
import { visible } from "../visible.ts";

export interface Commit {
  sha: string;
  title: string;
  author: string | null;
}

export interface Bisect {
  good: { id: string; sha: string; at: string } | null;
  bad_sha: string | null;
  /** Oldest first; null when GitHub could not be asked. */
  commits: Commit[] | null;
  total: number;
}

/** At most this many commits are listed; the compare link has them all. */
const LISTED_COMMITS = 25;

export const METRIC_LABELS = Object.fromEntries(SMOKE_METRICS.map((m) => [m.key, m.label])) as Record<
  MetricKey,
  string
>;

/** A metric's label without its unit, for titles. */
export function shortLabel(key: MetricKey): string {
  return METRIC_LABELS[key].replace(/ \(.*\)$/, "");
}

/** A relative change as the issues write it: `+12.3%`, never `-0.0%`. */
export function percent(x: number): string {
  const value = (x * 100).toFixed(1);
  return `${x > 0 ? "+" : ""}${value === "-0.0" ? "0.0" : value}%`;
}

/** The commits of a range, or `none` when it is empty. */
export function commitList(b: Bisect, none: string): string {
  if (b.commits === null) return "(GitHub could not list the commits; the compare link has them.)";
  if (b.commits.length === 0) return none;
  const lines = b.commits
    .slice(0, LISTED_COMMITS)
    .map(
      (c) =>
        `- ${inlineCode(c.sha.slice(0, 12))} ${markdownText(c.title)}${c.author ? ` (${markdownText(c.author)})` : ""}`,
    );
  if (b.total > LISTED_COMMITS) lines.push(`- … and ${b.total - LISTED_COMMITS} more (see the compare link)`);
  return lines.join("\n");
}

/**
 * Text from outside (commit titles, names, reasons) shown as text: no markup, no mentions (#123
 * still links), no hidden or reordering characters.
 */
export function markdownText(s: string): string {
  return visible(s)
    .replace(/[\\`*_{}[\]()<>+!|~]/g, (c) => `\\${c}`)
    .replace(/@(?=\w)/g, "@\u200b")
    .replace(/[\r\n]+/g, " ");
}

/** An inline code span that holds any text, backticks included, hidden and reordering characters escaped. */
export function inlineCode(s: string): string {
  const clean = visible(s).replace(/[\r\n]+/g, " ");
  const longest = Math.max(0, ...(clean.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = clean.startsWith("`") || clean.endsWith("`") ? " " : "";
  return `${fence}${pad}${clean}${pad}${fence}`;
}
