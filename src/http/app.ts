/**
 * chimney's HTTP API (the table in the README; the layers in docs/architecture.md). Routes only: each reads its input,
 * calls a job or a query, and shapes the answer; a refusal is thrown as a ProblemError.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import { admitWrites, WRITES_ADMITTED } from "./admission.ts";
import type { AppDeps } from "./deps.ts";
import { StoreBusy } from "../store/ports.ts";
import { problem } from "./problem.ts";
import { dispatchRoutes } from "./routes/dispatch.ts";
import { flushHealth } from "./health.ts";
import { historyRoutes } from "./routes/history.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { openApiRoutes } from "./routes/openapi.ts";
import { readRoutes } from "./routes/read.ts";
import { resultRoutes } from "./routes/results.ts";
import { webhookRoutes } from "./routes/webhook.ts";

export type { AppDeps } from "./deps.ts";

export interface AppOptions {
  /**
   * Writes the app works on at once before answering 429 (`admitWrites`), or null to take every
   * write: the Workers entry admits `WRITES_ADMITTED`, the Deno entry all (docs/architecture.md).
   */
  writesAdmitted: number | null;
}

export function createApp(deps: AppDeps, options: AppOptions = { writesAdmitted: WRITES_ADMITTED }): Hono {
  const app = new Hono();

  // The one place errors become answers: a ProblemError (or hono's own HTTPException) renders
  // itself; anything else is logged without its stack and answered with a 500 that says nothing of it.
  app.onError((error) => {
    if (error instanceof HTTPException) return error.getResponse();
    if (error instanceof StoreBusy) {
      const headers = { "retry-after": String(error.retryAfterSeconds) };
      return problem(429, `${error.message} (retry-after: ${error.retryAfterSeconds} s)`, { headers }).getResponse();
    }
    deps.log({ event: "unhandled_error", name: error.name, message: error.message });
    return problem(500, "chimney failed to handle this request; the error was logged").getResponse();
  });
  // Every answer: no MIME sniffing (secureHeaders' defaults). The pages run no script, load nothing
  // but their inline style and images of their own, and are never framed; a served artifact keeps
  // the stricter policy its route sets (`overwrite: false`).
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        styleSrc: ["'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        frameAncestors: ["'none'"],
      },
      overwrite: false,
    }),
  );
  // A route that called GitHub before answering (a dispatch) counts its requests; work after the
  // answer counts its own (`afterResponse`).
  app.use(async (_c, next) => {
    await next();
    await flushHealth(deps);
  });
  app.notFound((c) => problem(404, `${c.req.path}: no such resource`).getResponse());

  if (options.writesAdmitted !== null)
    app.on("POST", ["/api/results", "/api/import"], admitWrites(options.writesAdmitted));
  app.get("/healthz", (c) => c.json({ ok: true }));
  app.route("/", readRoutes(deps));
  app.route("/", resultRoutes(deps));
  app.route("/", dispatchRoutes(deps));
  app.route("/", webhookRoutes(deps));
  app.route("/", historyRoutes(deps));
  app.route("/", metricsRoutes(deps));
  app.route("/", openApiRoutes());
  return app;
}
