/**
 * chimney's own health, as Prometheus scrapes it: the text exposition format 0.0.4 that
 * `GET /metrics` serves. The counts come from the store, each an aggregate it keeps on write, so
 * a scrape costs the same at any history length.
 */
import { KIND_LABELS, type AlertKind } from "./alert.ts";

export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** The counters chimney keeps across isolates, by name. */
export const COUNTERS = {
  deliveries: "chimney_webhook_deliveries_total",
  github: "chimney_github_requests_total",
  /**
   * Runs of the suites other than smoke, by suite and state (`read`: merged into its series), counted
   * as they are kept: their points are never dropped, so the count is the gauge `chimney_runs` of them.
   */
  suiteRuns: "chimney_runs",
} as const;

export type CounterName = (typeof COUNTERS)[keyof typeof COUNTERS];

/** How a GitHub request ended, as `chimney_github_requests_total{outcome}` counts it. */
export type GitHubOutcome = "ok" | "client_error" | "rate_limited" | "server_error" | "network_error";

export interface CounterValue {
  name: CounterName;
  labels: Record<string, string>;
  value: number;
}

/** What the store keeps for /metrics. */
export interface HealthCounts {
  /** Runs of the ledger (the smoke suite's) by state; the other suites' are counters (`COUNTERS.suiteRuns`). */
  runs: { state: string; count: number }[];
  /** Alert writes and dispatches in the outbox not yet done. */
  outbox: number;
  counters: CounterValue[];
}

export interface Health {
  counts: HealthCounts;
  /** The suite the ledger's runs belong to. */
  suite: string;
  openAlerts: readonly { kind: AlertKind }[];
  /** When the last settled night ran, or null before the first. */
  lastSettledNightAt: string | null;
  now: Date;
}

/** A response's outcome: a 429, or a 403 with the rate limit spent, is GitHub saying "later". */
export function githubOutcome(response: { status: number; headers: Headers } | null): GitHubOutcome {
  if (!response) return "network_error";
  const { status, headers } = response;
  if (status === 429 || (status === 403 && headers.get("x-ratelimit-remaining") === "0")) return "rate_limited";
  if (status >= 500) return "server_error";
  if (status >= 400) return "client_error";
  return "ok";
}

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

function sample(name: string, labels: Record<string, string>, value: number): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return `${name}${pairs.length > 0 ? `{${pairs.join(",")}}` : ""} ${value}`;
}

function family(name: string, type: "gauge" | "counter", help: string, samples: string[]): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples];
}

/** The exposition, every family with its HELP and TYPE, ending with a newline. */
export function exposition(health: Health): string {
  const { counts, suite, openAlerts, lastSettledNightAt, now } = health;
  const countersOf = (name: CounterName) =>
    counts.counters.filter((c) => c.name === name).map((c) => sample(c.name, c.labels, c.value));
  // An improvement is told once and kept resolved: it is never open, so it has no series here.
  const kinds = (Object.keys(KIND_LABELS) as AlertKind[]).filter((kind) => kind !== "improvement");
  const lines = [
    ...family("chimney_runs", "gauge", "Runs kept, by suite and state.", [
      ...counts.runs.map((r) => sample("chimney_runs", { suite, state: r.state }, r.count)),
      ...countersOf(COUNTERS.suiteRuns),
    ]),
    ...family(
      "chimney_open_alerts",
      "gauge",
      "Open alerts, by kind.",
      kinds.map((kind) => sample("chimney_open_alerts", { kind }, openAlerts.filter((a) => a.kind === kind).length)),
    ),
    ...family(
      "chimney_last_settled_night_age_hours",
      "gauge",
      "Hours since the last settled night ran; absent before the first.",
      lastSettledNightAt === null
        ? []
        : [
            sample(
              "chimney_last_settled_night_age_hours",
              {},
              (now.getTime() - Date.parse(lastSettledNightAt)) / 3_600_000,
            ),
          ],
    ),
    ...family(
      COUNTERS.deliveries,
      "counter",
      "Webhook deliveries processed, by outcome (a retried delivery counts each attempt).",
      countersOf(COUNTERS.deliveries),
    ),
    ...family(COUNTERS.github, "counter", "Requests made to GitHub, by outcome.", countersOf(COUNTERS.github)),
    ...family("chimney_outbox_depth", "gauge", "GitHub writes and dispatches waiting in the outbox.", [
      sample("chimney_outbox_depth", {}, counts.outbox),
    ]),
  ];
  return `${lines.join("\n")}\n`;
}
