/** What the HTTP app needs (the entries' `AppDeps`), and the work it leaves for after the answer. */
import type { Context } from "hono";
import { drain } from "../jobs/outbox.ts";
import { flushHealth } from "./health.ts";
import { publishStatusPage } from "./pages/publish.ts";
import type { AppDeps } from "../wiring.ts";
import type { Links } from "./views.ts";

export type { AppDeps } from "../wiring.ts";

/**
 * Links: absolute under PUBLIC_URL; without it, paths on chimney's own origin. Nothing is built
 * from the request's Host, which anyone can set and a shared cache would keep.
 */
export function linksFor(deps: AppDeps): Links {
  return { base: deps.config.PUBLIC_URL ?? "", config: deps.config };
}

/**
 * Runs work after the answer is sent, then drains (settles what was recorded, sends the
 * outbox) and publishes the status page with what changed: on Workers through `waitUntil`, which keeps the invocation alive for it; elsewhere
 * the promise simply goes on. A failure is logged: the reconcile tick takes up whatever it left.
 */
export function afterResponse(c: Context, deps: AppDeps, work: () => Promise<void> = async () => {}): void {
  const logged = (step: Promise<unknown>) =>
    step.catch((error: unknown) =>
      deps.log({ event: "background_failed", error: error instanceof Error ? error.message : String(error) }),
    );
  const task = logged(work())
    .then(() => logged(drain(deps)))
    .then(() => logged(publishStatusPage(deps)))
    .then(() => flushHealth(deps));
  try {
    c.executionCtx.waitUntil(task);
  } catch {
    // no execution context in this runtime
  }
}
