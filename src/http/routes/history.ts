/** The history kept before chimney: importing it, and the imported series. */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { importHistory } from "../../jobs/import.ts";
import { requireBearer } from "../auth.ts";
import { linksFor, type AppDeps } from "../deps.ts";
import { invalidInput, problem } from "../problem.ts";
import { changeReportView } from "../views.ts";

/** Firewood's whole bench/data.js is under 1 MB. */
const IMPORT_LIMIT = 16 * 1024 * 1024;
const KEY = /^[a-z0-9-]{1,240}$/;

const seriesUrl = (base: string, key: string) => new URL(`/series/${key}`, base).href;

export function historyRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  app.post(
    "/api/import",
    requireBearer(deps.config.ADMIN_TOKEN, "ADMIN_TOKEN"),
    bodyLimit({
      maxSize: IMPORT_LIMIT,
      onError: () => invalidInput(413, [{ field: "(body)", message: "is larger than 16 MiB" }]),
    }),
    async (c) => {
      let source: string;
      try {
        source = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(await c.req.arrayBuffer());
      } catch {
        return invalidInput(400, [{ field: "(body)", message: "is not UTF-8 text" }]);
      }
      const outcome = await importHistory(deps, source);
      switch (outcome.kind) {
        case "malformed":
          return invalidInput(400, outcome.issues);
        case "invalid":
          return invalidInput(422, outcome.issues);
        case "series":
          return c.json({
            format: "github-action-benchmark",
            series: outcome.series.map((s) => ({ ...s, url: seriesUrl(linksFor(deps, c).base, s.key) })),
          });
        case "runs":
          return c.json({
            format: "results",
            runs: outcome.runs,
            analysis: changeReportView(linksFor(deps, c), outcome.analysis),
          });
      }
    },
  );

  app.get("/series", async (c) => {
    const base = linksFor(deps, c).base;
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
    if (!series) return problem(404, `key: no imported series ${JSON.stringify(key.slice(0, 80))}`);
    c.header("cache-control", "public, max-age=60");
    return c.json(series);
  });

  return app;
}
