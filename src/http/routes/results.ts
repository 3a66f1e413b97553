/**
 * `POST /api/results`: a runner's upload, in any of the three accepted forms; with
 * `?suite=NAME` of a series suite (not smoke), one document in the suite's format.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { isParsedFormat } from "../../core/suite-results.ts";
import type { Suite } from "../../core/suites.ts";
import { parseProvenance } from "../../core/provenance.ts";
import { ingest } from "../../jobs/ingest.ts";
import { ingestSuiteDocument } from "../../jobs/suite-run.ts";
import { requireBearer } from "../auth.ts";
import { limitBody } from "../body-limit.ts";
import { afterResponse, linksFor, type AppDeps } from "../deps.ts";
import { answerOf, INGESTED } from "../outcomes.ts";
import { invalidInput, valid } from "../problem.ts";
import { suiteNamed } from "../suite-param.ts";
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
    (c, next) =>
      seriesSuite(deps, c)
        ? limits.json(c, next)
        : limits[valid(uploadForm(c.req.header("content-type")), 415)](c, next),
    async (c) => {
      const suite = seriesSuite(deps, c);
      if (suite) return seriesUpload(deps, c, suite);
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

/** The suite `?suite=` names when it is not the smoke suite (whose upload is the one above). */
function seriesSuite(deps: AppDeps, c: Context): Suite | null {
  const names = new URL(c.req.url).searchParams.getAll("suite");
  if (names.length === 0) return null;
  if (names.length > 1) throw invalidInput(422, [{ field: "suite", message: "is given more than once" }]);
  const suite = suiteNamed(deps, names[0]);
  return suite.format === "smoke" ? null : suite;
}

const SERIES_QUERY = ["suite", "sha", "ref"];

/** One document of a series suite: `sha` and `ref` as the smoke upload takes them, the point at now. */
async function seriesUpload(deps: AppDeps, c: Context, suite: Suite): Promise<Response> {
  const refuse = (field: string, message: string) => invalidInput(422, [{ field, message }]);
  if (suite.format === "criterion" || !isParsedFormat(suite.format))
    throw refuse(
      "suite",
      suite.format === "criterion"
        ? `is a criterion suite: its results are Criterion's files (target/criterion), which chimney reads from the run's artifact, not one document`
        : `is a ${suite.format} suite: chimney reads no ${suite.format} results as series yet`,
    );
  const query = new URL(c.req.url).searchParams;
  for (const name of new Set(query.keys())) {
    if (!SERIES_QUERY.includes(name))
      throw refuse(name, `is not a query parameter of a ${suite.format} upload; expected ${SERIES_QUERY.join(", ")}`);
    if (query.getAll(name).length > 1) throw refuse(name, "is given more than once");
  }
  const provenance = valid(parseProvenance({ sha: query.get("sha") ?? "", ref: query.get("ref") ?? "" }), 422);
  if (provenance.ref !== null && provenance.ref !== suite.branch)
    throw refuse(
      "ref",
      `must be ${suite.branch}: the ${suite.name} suite's series hold the results of its branch only`,
    );
  const text = await c.req.text();
  const outcome = await ingestSuiteDocument(
    deps,
    { ...suite, format: suite.format },
    text,
    deps.now().toISOString(),
    provenance.sha,
  );
  if (outcome.kind === "invalid") throw invalidInput(422, outcome.issues);
  afterResponse(c, deps);
  return c.json({ suite: suite.name, series: outcome.series }, 201);
}
