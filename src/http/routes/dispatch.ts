/** Running the loop by hand: an on-demand benchmark dispatch, and a tick run now. */
import { Hono } from "hono";
import * as v from "valibot";
import { githubId, refName } from "../../core/github-fields.ts";
import { jsonObject, parseJson, parseWith } from "../../core/validation.ts";
import { GitHubError } from "../../github/client.ts";
import { dispatchOnDemand } from "../../jobs/dispatch.ts";
import { TICKS, type Tick } from "../../jobs/ticks.ts";
import { tickAndPublish } from "../pages/publish.ts";
import { requireBearer } from "../auth.ts";
import { limitBody } from "../body-limit.ts";
import { linksFor, type AppDeps } from "../deps.ts";
import { dispatchStatus } from "../outcomes.ts";
import { problem, valid } from "../problem.ts";
import { runUrl } from "../views.ts";

const DISPATCH_LIMIT = 16 * 1024;

export const DispatchBody = jsonObject(
  { ref: v.optional(refName), pr_number: v.optional(githubId) },
  "must be a JSON object with optional ref and pr_number",
);

export function dispatchRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  app.post(
    "/api/dispatch",
    requireBearer(deps.config.ADMIN_TOKEN, "ADMIN_TOKEN"),
    limitBody(DISPATCH_LIMIT),
    async (c) => {
      if (!deps.config.GITHUB_REPOSITORY) throw problem(503, "dispatch is off: GITHUB_REPOSITORY is not configured");
      if (!deps.github) throw problem(503, "dispatch is off: GITHUB_TOKEN (or a GitHub App) is not configured");
      const text = await c.req.text();
      const request: v.InferOutput<typeof DispatchBody> =
        text.trim() === "" ? {} : valid(parseWith(DispatchBody, valid(parseJson(text))), 422);
      const dispatch = await dispatchOnDemand(deps, {
        ref: request.ref ?? null,
        pr_number: request.pr_number ?? null,
      }).catch((error: unknown) => {
        if (error instanceof GitHubError && error.kind === "not_found")
          throw problem(422, `pr_number: ${deps.github?.repository} has no pull request ${request.pr_number}`);
        throw error;
      });
      const status = dispatchStatus(dispatch);
      const runId = dispatch.run_id === null ? null : `${dispatch.run_id}-1`;
      return c.json(
        {
          correlation_id: dispatch.correlation_id,
          state: dispatch.state,
          ref: dispatch.ref,
          pr_number: dispatch.pr_number,
          run_id: runId,
          run_url: runId ? runUrl(linksFor(deps), runId) : null,
        },
        status,
      );
    },
  );

  app.post("/api/ticks/:tick", requireBearer(deps.config.ADMIN_TOKEN, "ADMIN_TOKEN"), async (c) => {
    const tick = c.req.param("tick");
    if (!(TICKS as readonly string[]).includes(tick))
      throw problem(404, `tick: no tick ${JSON.stringify(tick.slice(0, 40))}; there are ${TICKS.join(" and ")}`);
    return c.json(await tickAndPublish(deps, tick as Tick, deps.now()));
  });

  return app;
}
