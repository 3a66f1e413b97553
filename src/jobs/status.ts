/** The status query: the precomputed document, judged against the clock. */
import type { Config } from "../core/config.ts";
import { badgeOf, signalOf, type Badge, type Signal, type StatusDocument } from "../core/status.ts";
import type { RunStore } from "../store/ports.ts";

export interface StatusDeps {
  runs: RunStore;
  config: Config;
  now: () => Date;
}

export async function currentStatus(deps: StatusDeps): Promise<{ doc: StatusDocument | null; signal: Signal; badge: Badge }> {
  const doc = await deps.runs.status();
  const signal = signalOf(doc, deps.now(), deps.config.STALE_AFTER_HOURS);
  return { doc, signal, badge: badgeOf(signal, doc) };
}
