/** Keeping chimney's own health counts: the tallies an isolate keeps, flushed to the store. */
import type { AppDeps } from "../wiring.ts";

/**
 * Adds the GitHub requests this isolate made since the last flush to the shared counters: after
 * each request's work and each tick. A failed flush loses those counts, never the request.
 */
export async function flushHealth(deps: AppDeps): Promise<void> {
  const deltas = deps.githubRequests.take();
  if (deltas.length === 0 || !deps.health) return;
  await deps.health
    .add(deltas)
    .catch((error: unknown) =>
      deps.log({ event: "health_not_counted", error: error instanceof Error ? error.message : String(error) }),
    );
}
