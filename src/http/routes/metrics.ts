/** `GET /metrics`: chimney's own health for Prometheus (`core/health.ts`). */
import { Hono, type MiddlewareHandler } from "hono";
import { EXPOSITION_CONTENT_TYPE, exposition } from "../../core/health.ts";
import { requireBearer } from "../auth.ts";
import type { AppDeps } from "../deps.ts";
import { problem } from "../problem.ts";

/** The counts hold no secret: public unless METRICS_TOKEN asks scrapers for a bearer token. */
function metricsGuard(token: string | null): MiddlewareHandler {
  return token ? requireBearer(token, "METRICS_TOKEN") : async (_c, next) => next();
}

export function metricsRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  app.get("/metrics", metricsGuard(deps.config.METRICS_TOKEN), async (c) => {
    const { health } = deps;
    if (!health) throw problem(404, "this store keeps no health counts");
    const [counts, openAlerts, status] = await Promise.all([health.counts(), deps.alerts.open(), deps.runs.status()]);
    const suite = deps.config.CHIMNEY_SUITES.find((s) => s.format === "smoke")?.name ?? "smoke";
    const text = exposition({
      counts,
      suite,
      openAlerts,
      lastSettledNightAt: status?.night?.at ?? null,
      now: deps.now(),
    });
    c.header("cache-control", "no-store");
    return c.body(text, 200, { "content-type": EXPOSITION_CONTENT_TYPE });
  });

  return app;
}
