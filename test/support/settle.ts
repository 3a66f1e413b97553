/** A settle context for tests: a quiet night with confirming on, changed where a test says. */
import type { SettleContext } from "../../src/core/settle.ts";

export function settleContext(now: string, extra: Partial<SettleContext> = {}): SettleContext {
  return {
    analysis: null,
    suspect: null,
    previousSuspect: null,
    recentNights: [],
    minRuns: 3,
    regressionOpen: false,
    regressionOpenedAt: null,
    improvements: true,
    accepted: [],
    confirm: true,
    trackedRef: "main",
    now,
    ...extra,
  };
}
