/** Running the loop by hand: an on-demand benchmark dispatch, and a tick run now. */
import { Hono } from "hono";
import * as v from "valibot";
import { githubId, refName } from "../../core/github-fields.ts";
import { repositoryUrl, workflowRunUrl } from "../../core/links.ts";
import { suiteTarget } from "../../core/suite-dispatch.ts";
import type { Suite } from "../../core/suites.ts";
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
import { suiteNamed } from "../suite-param.ts";
import { runUrl } from "../views.ts";

const DISPATCH_LIMIT = 16 * 1024;

export const DispatchBody = jsonObject(
  {
    ref: v.optional(refName),
    pr_number: v.optional(githubId),
    suite: v.optional(v.pipe(v.string("must be a suite's name"), v.maxLength(100, "must be a suite's name"))),
  },
  "must be a JSON object with optional ref, pr_number and suite",
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
      const asked = { ref: request.ref ?? null, pr_number: request.pr_number ?? null };
      const suite = request.suite === undefined ? null : suiteNamed(deps, request.suite, 400);
      const target = suite ? valid(suiteTarget(suite, asked), 400) : null;
      const dispatch = await dispatchOnDemand(deps, { ...asked, suite: target }).catch((error: unknown) => {
        if (error instanceof GitHubError && error.kind === "not_found")
          throw problem(422, `pr_number: ${deps.github?.repository} has no pull request ${request.pr_number}`);
        throw error;
      });
      const status = dispatchStatus(dispatch);
      const runId = dispatch.run_id === null ? null : `${dispatch.run_id}-1`;
      return c.json(
        {
          correlation_id: dispatch.correlation_id,
          suite: suite?.name ?? null,
          state: dispatch.state,
          ref: dispatch.ref,
          pr_number: dispatch.pr_number,
          run_id: runId,
          run_url: runId ? runPage(deps, suite, dispatch.run_id ?? 0, runId) : null,
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

/**
 * Where a dispatched run is shown: chimney's page of a smoke run; a suite's run is no run of the
 * ledger (its series hear of it), so GitHub's page of it, in the suite's repository.
 */
function runPage(deps: AppDeps, target: Suite | null, githubRunId: number, runId: string): string | null {
  if (!target || target.format === "smoke") return runUrl(linksFor(deps), runId);
  const repository = target.repository ?? deps.config.GITHUB_REPOSITORY;
  if (!repository) return null;
  const run = { run_id: githubRunId, run_attempt: 1, html_url: null };
  return workflowRunUrl(repositoryUrl(deps.config.GITHUB_API_URL, repository), run);
}
