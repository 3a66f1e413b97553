/** The status query: the precomputed document, judged against the clock. */
import type { Config } from "../core/config.ts";
import { badgeOf, signalOf, type Badge, type Signal, type StatusDocument } from "../core/status.ts";
import type { Alert } from "../core/alert.ts";
import type { AlertStore, RunStore } from "../store/ports.ts";

export interface StatusDeps {
  runs: RunStore;
  alerts: AlertStore;
  config: Config;
  now: () => Date;
}

export async function currentStatus(deps: StatusDeps): Promise<{ doc: StatusDocument | null; signal: Signal; badge: Badge; alerts: Alert[] }> {
  const [doc, alerts] = await Promise.all([deps.runs.status(), deps.alerts.open()]);
  const signal = signalOf(doc, deps.now(), deps.config.STALE_AFTER_HOURS);
  return { doc, signal, badge: badgeOf(signal, doc), alerts };
}
