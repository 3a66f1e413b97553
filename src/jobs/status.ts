/** The status query: the precomputed document, judged against the clock. */
import type { Config } from "../core/config.ts";
import { badgeOf, signalOf, type Badge, type Signal, type StatusDocument } from "../core/status.ts";
import type { Alert } from "../core/alert.ts";
import type { DashboardCheck } from "../core/dashboards.ts";
import type { ChangeReport } from "../core/drift.ts";
import type { AlertStore, ChangeStore, DashboardStore, RunStore } from "../store/ports.ts";

export interface StatusDeps {
  runs: RunStore;
  alerts: AlertStore;
  dashboards: DashboardStore;
  changes: ChangeStore;
  config: Config;
  now: () => Date;
}

export interface CurrentStatus {
  doc: StatusDocument | null;
  signal: Signal;
  alerts: Alert[];
  dashboards: DashboardCheck | null;
  changes: ChangeReport | null;
}

/** The signal alone, for the badge: one read. */
export async function currentBadge(deps: Pick<StatusDeps, "runs" | "config" | "now">): Promise<Badge> {
  const doc = await deps.runs.status();
  return badgeOf(signalOf(doc, deps.now(), deps.config.STALE_AFTER_HOURS), doc);
}

export async function currentStatus(deps: StatusDeps): Promise<CurrentStatus> {
  const [doc, alerts, dashboards, changes] = await Promise.all([deps.runs.status(), deps.alerts.open(), deps.dashboards.latest(), deps.changes.latest()]);
  const signal = signalOf(doc, deps.now(), deps.config.STALE_AFTER_HOURS);
  return { doc, signal, alerts, dashboards, changes };
}
