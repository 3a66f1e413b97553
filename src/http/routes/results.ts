/** `POST /api/results`: a runner's upload, in any of the three accepted forms. */
import { Hono } from "hono";
import { ingest } from "../../jobs/ingest.ts";
import { requireBearer } from "../auth.ts";
import { limitBody } from "../body-limit.ts";
import { afterResponse, linksFor, type AppDeps } from "../deps.ts";
import { answerOf, INGESTED } from "../outcomes.ts";
import { valid } from "../problem.ts";
import { LIMITS, readUpload, uploadForm } from "../upload.ts";
import { runView } from "../views.ts";

const limits = {
  json: limitBody(LIMITS.json, "json uploads"),
  multipart: limitBody(LIMITS.multipart, "multipart uploads"),
};

export function resultRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  app.post(
    "/api/results",
    requireBearer(deps.config.PERF_DASHBOARD_TOKEN, "PERF_DASHBOARD_TOKEN"),
    (c, next) => limits[valid(uploadForm(c.req.header("content-type")), 415)](c, next),
    async (c) => {
      const form = valid(uploadForm(c.req.header("content-type")), 415);
      const upload = valid(await readUpload(c.req.raw, form));
      const { outcome, status } = answerOf(INGESTED, await ingest(deps, upload));
      const view = runView(linksFor(deps), outcome.run);
      c.header("location", view.links.self);
      afterResponse(c, deps);
      return c.json({ outcome: outcome.kind, run: view, evaluation: outcome.run.report }, status);
    },
  );

  return app;
}
