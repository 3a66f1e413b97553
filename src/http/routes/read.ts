/** The read routes: status, badge, the run history, a run, a run's files. */
import { Hono, type Context } from "hono";
import { etag } from "hono/etag";
import { contentDisposition } from "../../core/artifact.ts";
import { changesAt } from "../../core/drift.ts";
import { decodeCursor, MAX_PAGE } from "../../core/history.ts";
import { isRunId } from "../../core/run.ts";
import type { Suite } from "../../core/suites.ts";
import { currentBadge, currentSuiteBadge, currentSuiteResults, judgedBaseline } from "../../jobs/status.ts";
import { runPage } from "../pages/run-page.ts";
import { pageBytes, publishStatusPage } from "../pages/publish.ts";
import { statusAnswer } from "../status-answer.ts";
import { keptAnswer, taggedBody } from "../validators.ts";
import { linksFor, type AppDeps } from "../deps.ts";
import { suiteNamed } from "../suite-param.ts";
import { invalidInput, problem } from "../problem.ts";
import { changeReportView, entryView, runView } from "../views.ts";

const DEFAULT_PAGE = 20;

/** A browser asks for HTML first; scripts and `?format=json` get JSON. */
function wantsHtml(c: Context): boolean {
  if (c.req.query("format") === "json") return false;
  const accept = c.req.header("accept") ?? "";
  const htmlAt = accept.indexOf("text/html");
  const jsonAt = accept.indexOf("application/json");
  return htmlAt >= 0 && (jsonAt < 0 || htmlAt < jsonAt);
}

/** The suite `?suite=` names when it is watched through its series; null for smoke or none. */
function seriesSuiteOf(deps: AppDeps, name: string | undefined): Suite | null {
  const suite = name === undefined ? null : suiteNamed(deps, name);
  return suite?.format === "smoke" ? null : suite;
}

export function readRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  app.get("/", async (c) => {
    const page = (await deps.pages.latest()) ?? (await publishStatusPage(deps));
    return keptAnswer(c, { etag: page.etag, body: pageBytes(page) }, "text/html; charset=UTF-8");
  });

  app.get("/status", async (c) => keptAnswer(c, await statusAnswer(deps), "application/json"));

  app.get("/badge", async (c) => {
    const suite = seriesSuiteOf(deps, c.req.query("suite"));
    const badge = suite ? await currentSuiteBadge(deps, suite) : await currentBadge(deps);
    return keptAnswer(c, await taggedBody(JSON.stringify(badge)), "application/json", 60);
  });

  app.get("/dashboards", async (c) => {
    const check = await deps.dashboards.latest();
    if (!check) throw problem(404, "no dashboard check has run yet; it runs with the nightly trigger");
    c.header("cache-control", "public, max-age=60");
    return c.json(check);
  });

  app.get("/changes", async (c) => {
    const report = await deps.changes.latest();
    if (!report) throw problem(404, "no change analysis yet; it runs when a mainline run with a result is recorded");
    c.header("cache-control", "public, max-age=60");
    return c.json(changeReportView(linksFor(deps), report));
  });

  app.get("/baseline", async (c) => {
    c.header("cache-control", "public, max-age=60");
    return c.json(await judgedBaseline(deps));
  });

  app.get("/runs", async (c) => {
    const limitText = c.req.query("limit") ?? String(DEFAULT_PAGE);
    const limit = /^\d{1,3}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= MAX_PAGE)) {
      throw invalidInput(400, [{ field: "limit", message: `must be a whole number from 1 to ${MAX_PAGE}` }]);
    }
    const suite = seriesSuiteOf(deps, c.req.query("suite"));
    const before = c.req.query("before") ?? null;
    if (before !== null && !/^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(before))
      throw invalidInput(400, [{ field: "before", message: "is not the next of a previous page of /runs?suite=" }]);
    if (suite) return c.json(await currentSuiteResults(deps, suite, limit, before));
    const cursorText = c.req.query("cursor");
    const cursor = cursorText === undefined ? null : decodeCursor(cursorText);
    if (cursorText !== undefined && !cursor) {
      throw invalidInput(400, [{ field: "cursor", message: "is not a cursor from a previous page of /runs" }]);
    }
    const page = await deps.runs.history(limit, cursor);
    const links = linksFor(deps);
    return c.json({ runs: page.runs.map((e) => entryView(links, e)), cursor: page.cursor });
  });

  // Not published like the status page: the change points a run's page shows move with every
  // later settlement, which would write every run's page again each night.
  app.get("/runs/:id", etag(), async (c) => {
    const id = c.req.param("id");
    const [run, changes] = isRunId(id) ? await Promise.all([deps.runs.run(id), deps.changes.latest()]) : [null, null];
    if (!run) throw problem(404, `id: no run ${JSON.stringify(id.slice(0, 80))}`);
    const view = runView(linksFor(deps), run, changesAt(changes, run.id));
    c.header("vary", "accept");
    return wantsHtml(c) ? c.html(runPage(view)) : c.json(view);
  });

  app.get("/runs/:id/artifacts/:name", async (c) => {
    const id = c.req.param("id");
    const name = c.req.param("name");
    const run = isRunId(id) ? await deps.runs.run(id) : null;
    if (!run) throw problem(404, `id: no run ${JSON.stringify(id.slice(0, 80))}`);
    const artifact = run.artifacts.find((a) => a.name === name);
    if (!artifact) {
      const kept = run.artifacts.map((a) => a.name).join(", ") || "none";
      throw problem(404, `name: run ${id} has no artifact ${JSON.stringify(name.slice(0, 80))}; it has ${kept}`);
    }
    const file = await deps.artifacts.get(artifact.sha256);
    if (!file) throw problem(404, `name: the bytes of ${artifact.name} are no longer stored`);
    return new Response(file.body, {
      headers: {
        "content-type": artifact.content_type,
        "content-length": String(file.size),
        "content-disposition": contentDisposition(artifact.name),
        etag: `"${artifact.sha256}"`,
        "cache-control": "public, max-age=31536000, immutable",
        "x-content-type-options": "nosniff",
        // Uploaded HTML is the runner's, not chimney's: never let it run script on this origin.
        "content-security-policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'",
      },
    });
  });

  return app;
}
