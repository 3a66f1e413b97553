/** The history kept before chimney: importing it, and the imported series. */
import { Hono } from "hono";
import { invalid, ok, type Parsed } from "../../core/validation.ts";
import { importHistory, type ImportInto } from "../../jobs/import.ts";
import { requireBearer } from "../auth.ts";
import { limitBody } from "../body-limit.ts";
import { afterResponse, linksFor, type AppDeps } from "../deps.ts";
import { suiteNamed } from "../suite-param.ts";
import { answerOf, IMPORTED } from "../outcomes.ts";
import { invalidInput, problem, valid } from "../problem.ts";
import { changeReportView } from "../views.ts";

/** Firewood's whole bench/data.js is under 1 MB. */
const IMPORT_LIMIT = 16 * 1024 * 1024;
const KEY = /^[a-z0-9-]{1,240}$/;

const seriesUrl = (base: string, key: string) => `${base}/series/${key}`;

function utf8(bytes: ArrayBuffer): Parsed<string> {
  try {
    return ok(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    return invalid({ field: "(body)", message: "is not UTF-8 text" });
  }
}

/** `?suite=` (and `entry=`): the watched series suite a github-action-benchmark file is the history of. */
function importInto(deps: AppDeps, suite: string | undefined, entry: string | undefined): ImportInto | null {
  if (suite === undefined) return null;
  const watched = suiteNamed(deps, suite);
  if (watched.format === "smoke" || watched.format === "pruning")
    throw invalidInput(422, [
      { field: "suite", message: `is ${watched.format}; its history is imported as results, without ?suite=` },
    ]);
  return { suite: watched.name, entry: entry ?? null };
}

export function historyRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  app.post("/api/import", requireBearer(deps.config.ADMIN_TOKEN, "ADMIN_TOKEN"), limitBody(IMPORT_LIMIT), async (c) => {
    const into = importInto(deps, c.req.query("suite"), c.req.query("entry"));
    const source = valid(utf8(await c.req.arrayBuffer()));
    const { outcome, status } = answerOf(IMPORTED, await importHistory(deps, source, into));
    afterResponse(c, deps);
    const links = linksFor(deps);
    if (outcome.kind === "series") {
      const series = outcome.series.map((s) => ({ ...s, url: seriesUrl(links.base, s.key) }));
      return c.json({ format: "github-action-benchmark", series }, status);
    }
    return c.json(
      { format: "results", runs: outcome.runs, analysis: changeReportView(links, outcome.analysis) },
      status,
    );
  });

  app.get("/series", async (c) => {
    const base = linksFor(deps).base;
    const all = await deps.series.all();
    c.header("cache-control", "public, max-age=60");
    return c.json({
      series: all.map(({ points, changes, ...s }) => ({
        ...s,
        points: points.length,
        first_at: points[0]?.at ?? null,
        last_at: points.at(-1)?.at ?? null,
        change_points: changes.length,
        url: seriesUrl(base, s.key),
      })),
    });
  });

  app.get("/series/:key", async (c) => {
    const key = c.req.param("key");
    const series = KEY.test(key) ? (await deps.series.all()).find((s) => s.key === key) : undefined;
    if (!series) throw problem(404, `key: no imported series ${JSON.stringify(key.slice(0, 80))}`);
    c.header("cache-control", "public, max-age=60");
    return c.json(series);
  });

  return app;
}
