/** What the HTTP app needs: the loop's dependencies and the configuration problems to report. */
import type { Context } from "hono";
import type { ConfigProblem } from "../core/config.ts";
import type { DashboardDeps } from "../jobs/dashboards.ts";
import type { Links } from "./views.ts";

export interface AppDeps extends DashboardDeps {
  configProblems: ConfigProblem[];
}

/** Absolute links: PUBLIC_URL, else the request's origin. */
export function linksFor(deps: AppDeps, c: Context): Links {
  return { base: deps.config.PUBLIC_URL ?? new URL(c.req.url).origin, config: deps.config };
}

/**
 * Runs work after the answer is sent: on Workers through `waitUntil`, which keeps the
 * invocation alive for it; elsewhere the promise simply goes on. Its failure is logged: the
 * reconcile tick takes up whatever it left unfinished.
 */
export function afterResponse(c: Context, deps: Pick<AppDeps, "log">, work: () => Promise<void>): void {
  const task = work().catch((error: unknown) =>
    deps.log({ event: "background_failed", error: error instanceof Error ? error.message : String(error) }),
  );
  try {
    c.executionCtx.waitUntil(task);
  } catch {
    // no execution context in this runtime
  }
}
