/** The two scheduled ticks, the same on every runtime and when a maintainer asks for one. */
import { checkDashboardsNightly } from "./dashboards.ts";
import { messageOf, type LoopDeps } from "./deps.ts";
import { dispatchNightly } from "./dispatch.ts";
import { drain } from "./outbox.ts";
import { reconcile } from "./reconcile.ts";
import { dispatchDueSuites } from "./suite-dispatch.ts";

export const TICKS = ["nightly", "reconcile"] as const;
export type Tick = (typeof TICKS)[number];

/**
 * Runs a tick and logs what it did; the report is also the answer of POST /api/ticks/{tick}.
 * The reconcile tick ends by draining (settle, then the outbox); the nightly one drains after
 * its dashboard check, so the dashboards alert goes out the same night.
 */
export async function runTick(deps: LoopDeps, tick: Tick, at: Date): Promise<Record<string, unknown>> {
  let report: Record<string, unknown>;
  if (tick === "nightly") {
    // A failure is reported, not thrown: the reconcile tick catches the night up.
    const [dispatch, suites, dashboards] = await Promise.all([
      dispatchNightly(deps, at).catch((error: unknown) => ({ error: messageOf(error) })),
      // The suites' crons are not Workers triggers: each tick dispatches the slots due.
      dispatchDueSuites(deps, at),
      checkDashboardsNightly(deps).then(
        (check) => (check ? { in_sync: check.in_sync, problem: check.problem } : null),
        (error: unknown) => ({ error: messageOf(error) }),
      ),
    ]);
    const drained = await drain(deps).catch((error: unknown) => ({ error: messageOf(error) }));
    report = { dispatch, suites, dashboards, drained };
  } else {
    report = { ...(await reconcile(deps)) };
  }
  deps.log({ event: tick, ...report });
  return report;
}
