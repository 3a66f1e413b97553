/**
 * chimney's HTTP API (the table in ARCHITECTURE.md). Routes only: each reads its input,
 * calls a job or a query, and shapes the answer.
 */
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { etag } from "hono/etag";
import { HTTPException } from "hono/http-exception";
import { redactSecrets, type Config, type ConfigProblem } from "../core/config.ts";
import { decodeCursor, MAX_PAGE } from "../core/history.ts";
import { isRunId } from "../core/run.ts";
import { ingest, type IngestDeps } from "../jobs/ingest.ts";
import { currentStatus } from "../jobs/status.ts";
import { requireBearer } from "./auth.ts";
import { invalidInput, problem } from "./problem.ts";
import { LIMITS, readJsonUpload, readMultipartUpload, uploadForm } from "./results.ts";
import { entryView, runView, type Links } from "./views.ts";

export interface AppDeps extends IngestDeps {
  config: Config;
  configProblems: ConfigProblem[];
}

const DEFAULT_PAGE = 20;

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const links = (c: Context): Links => ({ base: deps.config.PUBLIC_URL ?? new URL(c.req.url).origin, config: deps.config });

  app.onError((error) => {
    if (error instanceof HTTPException) return error.getResponse();
    console.error(JSON.stringify({ event: "unhandled_error", name: error.name, message: redactSecrets(error.message, deps.config) }));
    return problem(500, "chimney failed to handle this request; the error was logged");
  });
  app.notFound((c) => problem(404, `${c.req.path}: no such resource`));

  app.get("/healthz", (c) => c.json({ ok: true }));

  app.get("/status", etag(), async (c) => {
    const { doc, signal } = await currentStatus(deps);
    c.header("cache-control", "public, max-age=30");
    return c.json({
      state: signal.state,
      reason: signal.reason,
      latest_run: doc?.latest ? entryView(links(c), doc.latest) : null,
      last_completed_run: doc?.last_completed ? entryView(links(c), doc.last_completed) : null,
      runs: doc?.runs ?? 0,
      stale_after_hours: deps.config.STALE_AFTER_HOURS,
      config_problems: deps.configProblems,
    });
  });

  app.get("/badge", etag(), async (c) => {
    const { badge } = await currentStatus(deps);
    c.header("cache-control", "public, max-age=60");
    return c.json(badge);
  });

  app.get("/runs", async (c) => {
    const limitText = c.req.query("limit") ?? String(DEFAULT_PAGE);
    const limit = /^\d{1,3}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= MAX_PAGE)) {
      return invalidInput(400, [{ field: "limit", message: `must be a whole number from 1 to ${MAX_PAGE}` }]);
    }
    const cursorText = c.req.query("cursor");
    const cursor = cursorText === undefined ? null : decodeCursor(cursorText);
    if (cursorText !== undefined && !cursor) {
      return invalidInput(400, [{ field: "cursor", message: "is not a cursor from a previous page of /runs" }]);
    }
    const page = await deps.runs.history(limit, cursor);
    return c.json({ runs: page.runs.map((e) => entryView(links(c), e)), cursor: page.cursor });
  });

  app.get("/runs/:id", async (c) => {
    const id = c.req.param("id");
    const run = isRunId(id) ? await deps.runs.run(id) : null;
    if (!run) return problem(404, `id: no run ${JSON.stringify(id.slice(0, 80))}`);
    return c.json(runView(links(c), run));
  });

  app.get("/runs/:id/artifacts/:name", async (c) => {
    const id = c.req.param("id");
    const name = c.req.param("name");
    const run = isRunId(id) ? await deps.runs.run(id) : null;
    if (!run) return problem(404, `id: no run ${JSON.stringify(id.slice(0, 80))}`);
    const artifact = run.artifacts.find((a) => a.name === name);
    if (!artifact) {
      return problem(404, `name: run ${id} has no artifact ${JSON.stringify(name.slice(0, 80))}; it has ${run.artifacts.map((a) => a.name).join(", ")}`);
    }
    const file = await deps.artifacts.get(artifact.sha256);
    if (!file) return problem(404, `name: the bytes of ${artifact.name} are no longer stored`);
    return new Response(file.body, {
      headers: {
        "content-type": artifact.content_type,
        "content-length": String(file.size),
        "content-disposition": `inline; filename="${artifact.name}"`,
        etag: `"${artifact.sha256}"`,
        "cache-control": "public, max-age=31536000, immutable",
        "x-content-type-options": "nosniff",
        // Uploaded HTML is the runner's, not chimney's: never let it run script on this origin.
        "content-security-policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'",
      },
    });
  });

  app.post(
    "/api/results",
    requireBearer(deps.config.PERF_DASHBOARD_TOKEN, "PERF_DASHBOARD_TOKEN"),
    async (c, next) => {
      const form = uploadForm(c.req.header("content-type"));
      if (!form) {
        return invalidInput(415, [{ field: "Content-Type", message: "must be application/json (smoke-metrics.json or smoke-summary.json) or multipart/form-data" }]);
      }
      const limit = bodyLimit({
        maxSize: LIMITS[form],
        onError: () => invalidInput(413, [{ field: "(body)", message: `is larger than ${LIMITS[form] / 1024 / 1024} MiB, the limit for ${form} uploads` }]),
      });
      return limit(c, next);
    },
    async (c) => {
      const query = new URL(c.req.url).searchParams;
      const form = uploadForm(c.req.header("content-type"));
      const upload = form === "json" ? await readJsonUpload(c.req.raw, query) : await readMultipartUpload(c.req.raw, query);
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
          const view = runView(links(c), result.run);
          c.header("location", view.links.self);
          return c.json({ outcome: result.kind, run: view, evaluation: result.run.report }, result.kind === "created" ? 201 : 200);
        }
      }
    },
  );

  return app;
}
