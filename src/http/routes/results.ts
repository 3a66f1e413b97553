/** `POST /api/results`: a runner's upload, in any of the three accepted forms. */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ingest } from "../../jobs/ingest.ts";
import { requireBearer } from "../auth.ts";
import { sendAlerts } from "../../jobs/alerts.ts";
import { afterResponse, linksFor, type AppDeps } from "../deps.ts";
import { invalidInput, problem } from "../problem.ts";
import { LIMITS, readJsonUpload, readMultipartUpload, uploadForm } from "../upload.ts";
import { runView } from "../views.ts";

export function resultRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  app.post(
    "/api/results",
    requireBearer(deps.config.PERF_DASHBOARD_TOKEN, "PERF_DASHBOARD_TOKEN"),
    async (c, next) => {
      const form = uploadForm(c.req.header("content-type"));
      if (!form) {
        return invalidInput(415, [
          {
            field: "Content-Type",
            message: "must be application/json (smoke-metrics.json or smoke-summary.json) or multipart/form-data",
          },
        ]);
      }
      const limit = bodyLimit({
        maxSize: LIMITS[form],
        onError: () =>
          invalidInput(413, [
            {
              field: "(body)",
              message: `is larger than ${LIMITS[form] / 1024 / 1024} MiB, the limit for ${form} uploads`,
            },
          ]),
      });
      return limit(c, next);
    },
    async (c) => {
      const query = new URL(c.req.url).searchParams;
      const form = uploadForm(c.req.header("content-type"));
      const upload =
        form === "json" ? await readJsonUpload(c.req.raw, query) : await readMultipartUpload(c.req.raw, query);
      if (!upload.ok) return invalidInput(400, upload.issues);
      const result = await ingest(deps, upload.value);
      switch (result.kind) {
        case "malformed":
          return invalidInput(400, result.issues);
        case "invalid":
          return invalidInput(422, result.issues);
        case "conflict":
          return problem(409, result.reason);
        default: {
          const view = runView(linksFor(deps, c), result.run);
          c.header("location", view.links.self);
          afterResponse(c, deps, async () => void (await sendAlerts(deps)));
          return c.json(
            { outcome: result.kind, run: view, evaluation: result.run.report },
            result.kind === "created" ? 201 : 200,
          );
        }
      }
    },
  );

  return app;
}
