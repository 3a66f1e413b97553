/**
 * Benchmarking a pull request: what a `/chimney bench` comment asks for and whether its author
 * may ask it, and how a pull request's run compares with the tracked branch's recent nights.
 * Pure: the job (jobs/pr-bench.ts, jobs/pr-comment.ts) reads GitHub and acts.
 */
import { SMOKE_METRICS, type MetricKey } from "./baseline.ts";
import { isNight, type HistoryEntry } from "./history.ts";
import { MAINTAINERS, WRITERS, type Role } from "./roles.ts";
import { median } from "./stats.ts";

export type BenchCommand = { kind: "bench" } | { kind: "approve"; sha: string };

/** The command a comment gives: its first line, `/chimney bench` or `/chimney bench approve <sha>`. */
export function parseCommand(body: string): BenchCommand | null {
  const line = body.trimStart().split(/\r?\n/, 1)[0].trim();
  const approve = /^\/chimney\s+bench\s+approve\s+([0-9a-fA-F]{40})$/.exec(line);
  if (approve) return { kind: "approve", sha: approve[1].toLowerCase() };
  return /^\/chimney\s+bench$/.test(line) ? { kind: "bench" } : null;
}

export interface PullRequestHead {
  number: number;
  head_sha: string;
  head_ref: string;
  head_repository: string | null;
  base_repository: string;
}

export type CommandDecision =
  | { kind: "dispatch"; sha: string; fork: boolean }
  | { kind: "ask_approval"; sha: string }
  | { kind: "ignore"; reason: string };

/** Whether the head commit comes from another repository than the base: a fork's code, run only once a maintainer approved it. */
export function isFork(pr: PullRequestHead): boolean {
  return pr.head_repository === null || pr.head_repository.toLowerCase() !== pr.base_repository.toLowerCase();
}

/**
 * The branch a pull request's benchmark is dispatched on: its own, or for a fork, whose branch is
 * not the base repository's, the tracked branch (the workflow checks out the sha).
 */
export function benchBranch(pr: PullRequestHead & { head_ref: string }, trackedRef: string): string {
  return isFork(pr) ? trackedRef : pr.head_ref;
}

/**
 * What a command from `login` (with `role`) does to the pull request. A fork's commit runs on the
 * self-hosted runner only after a maintainer approved that exact head sha, so a push after the
 * approval is never run unseen.
 */
export function decideCommand(command: BenchCommand, login: string, role: Role, pr: PullRequestHead): CommandDecision {
  const refused = refusedRole(command, login, role);
  if (refused) return { kind: "ignore", reason: refused };
  const sha = pr.head_sha.toLowerCase();
  if (command.kind === "approve") {
    if (command.sha !== sha)
      return { kind: "ignore", reason: `the approved sha ${command.sha} is not the head ${sha} of #${pr.number}` };
    return { kind: "dispatch", sha, fork: isFork(pr) };
  }
  return isFork(pr) ? { kind: "ask_approval", sha } : { kind: "dispatch", sha, fork: false };
}

/**
 * Why `login`'s role may not give `command`, whatever the pull request, or null when it may: asked
 * first, so that a comment anyone can write costs no read of the pull request.
 */
export function refusedRole(command: BenchCommand, login: string, role: Role): string | null {
  if (command.kind === "approve")
    return MAINTAINERS.includes(role) ? null : `${login} (${role}) is not a maintainer (admin or maintain)`;
  return WRITERS.includes(role) ? null : `${login} (${role}) is not a collaborator with write permission`;
}

/** Nights each metric of a pull request's run is compared with. */
export const COMPARED_NIGHTS = 7;

/**
 * A value is within the night-to-night noise when it lies within three scaled median absolute
 * deviations (1.4826 × MAD, a robust standard deviation) of the nights' median. The MAD rather
 * than the range of the nights: one outlier night (the kind a confirming rerun refutes) would
 * stretch the range of only seven to anything, and barely moves the MAD.
 */
export const NOISE_MADS = 3;
export const MAD_SCALE = 1.4826;

export interface MetricComparison {
  key: MetricKey;
  value: number | null;
  /** The median of the nights, or null without nights measuring it. */
  median: number | null;
  /** (value − median) / median. */
  change: number | null;
  /** The noise half-width around the median: NOISE_MADS scaled MADs. */
  noise: number | null;
  within_noise: boolean | null;
  /** Whether the change is for the better (higher throughput, lower latency and duration). */
  better: boolean | null;
}

export interface NightsComparison {
  nights: number;
  metrics: MetricComparison[];
}

/** The tracked branch's latest nights with a result, newest first, at most COMPARED_NIGHTS. */
export function recentNights(entries: readonly HistoryEntry[]): HistoryEntry[] {
  return entries
    .filter((e) => isNight(e) && (e.state === "passed" || e.state === "regressed"))
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
    .slice(0, COMPARED_NIGHTS);
}

export function compareWithNights(
  values: Record<MetricKey, number> | null,
  entries: readonly HistoryEntry[],
): NightsComparison {
  const nights = recentNights(entries);
  return {
    nights: nights.length,
    metrics: SMOKE_METRICS.map((m) => {
      const value = values?.[m.key] ?? null;
      const series = nights.map((e) => e[m.key]).filter((x): x is number => x !== null);
      if (series.length === 0)
        return { key: m.key, value, median: null, change: null, noise: null, within_noise: null, better: null };
      const mid = median(series);
      const noise = NOISE_MADS * MAD_SCALE * median(series.map((x) => Math.abs(x - mid)));
      if (value === null)
        return { key: m.key, value, median: mid, change: null, noise, within_noise: null, better: null };
      const change = mid === 0 ? null : (value - mid) / mid;
      return {
        key: m.key,
        value,
        median: mid,
        change,
        noise,
        within_noise: Math.abs(value - mid) <= noise,
        better: value === mid ? null : m.better === "higher" ? value > mid : value < mid,
      };
    }),
  };
}
