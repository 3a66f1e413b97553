/** The nightly loop's routes: on-demand dispatch and GitHub's webhook. */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import * as v from "valibot";
import { parseJson, parseWith } from "../../core/validation.ts";
import { dispatchOnDemand } from "../../jobs/dispatch.ts";
import { runTick, TICKS, type Tick } from "../../jobs/ticks.ts";
import { receiveDelivery } from "../../jobs/webhook.ts";
import { verifySignature } from "../../github/webhook.ts";
import { requireBearer } from "../auth.ts";
import { afterResponse, linksFor, type AppDeps } from "../deps.ts";
import { invalidInput, problem } from "../problem.ts";
import { runUrl } from "../views.ts";

/** workflow_run payloads are tens of kilobytes; GitHub's own cap is 25 MB. */
const WEBHOOK_LIMIT = 5 * 1024 * 1024;
const DISPATCH_LIMIT = 16 * 1024;

const DispatchBody = v.object(
  {
    ref: v.optional(
      v.pipe(
        v.string("must be a string"),
        v.regex(/^(?!.*\.\.)[^\s\x00-\x1f\x7f~^:?*[\\]{1,255}$/, "must be a git branch, tag or ref"),
      ),
    ),
    pr_number: v.optional(
      v.pipe(v.number("must be a number"), v.integer("must be a whole number"), v.minValue(1, "must be at least 1")),
    ),
  },
  "must be a JSON object with optional ref and pr_number",
);

const DELIVERY_ID = /^[\w-]{1,100}$/;

export function loopRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  app.post(
    "/api/dispatch",
    requireBearer(deps.config.ADMIN_TOKEN, "ADMIN_TOKEN"),
    bodyLimit({
      maxSize: DISPATCH_LIMIT,
      onError: () => invalidInput(413, [{ field: "(body)", message: "is larger than 16 KiB" }]),
    }),
    async (c) => {
      if (!deps.config.GITHUB_REPOSITORY) return problem(503, "dispatch is off: GITHUB_REPOSITORY is not configured");
      if (!deps.github) return problem(503, "dispatch is off: GITHUB_TOKEN (or a GitHub App) is not configured");
      const text = await c.req.text();
      let request: v.InferOutput<typeof DispatchBody> = {};
      if (text.trim() !== "") {
        const json = parseJson(text);
        if (!json.ok) return invalidInput(400, json.issues);
        const body = parseWith(DispatchBody, json.value);
        if (!body.ok) return invalidInput(422, body.issues);
        request = body.value;
      }
      const dispatch = await dispatchOnDemand(deps, { ref: request.ref ?? null, pr_number: request.pr_number ?? null });
      if (dispatch.state === "failed") {
        return problem(
          502,
          `GitHub did not accept the dispatch (${dispatch.last_error}); chimney tries again on the next reconcile tick`,
          {
            extra: { correlation_id: dispatch.correlation_id },
          },
        );
      }
      const runId = dispatch.run_id === null ? null : `${dispatch.run_id}-1`;
      return c.json(
        {
          correlation_id: dispatch.correlation_id,
          state: dispatch.state,
          ref: dispatch.ref,
          pr_number: dispatch.pr_number,
          run_id: runId,
          run_url: runId ? runUrl(linksFor(deps, c), runId) : null,
        },
        202,
      );
    },
  );

  app.post("/api/ticks/:tick", requireBearer(deps.config.ADMIN_TOKEN, "ADMIN_TOKEN"), async (c) => {
    const tick = c.req.param("tick");
    if (!(TICKS as readonly string[]).includes(tick))
      return problem(404, `tick: no tick ${JSON.stringify(tick.slice(0, 40))}; there are ${TICKS.join(" and ")}`);
    return c.json(await runTick(deps, tick as Tick, deps.now()));
  });

  app.post(
    "/webhooks/github",
    async (_c, next) => {
      if (!deps.config.GITHUB_WEBHOOK_SECRET)
        return problem(503, "webhooks are off: GITHUB_WEBHOOK_SECRET is not configured");
      return next();
    },
    bodyLimit({
      maxSize: WEBHOOK_LIMIT,
      onError: () => invalidInput(413, [{ field: "(body)", message: "is larger than 5 MiB" }]),
    }),
    async (c) => {
      const body = new Uint8Array(await c.req.arrayBuffer());
      const secrets = [deps.config.GITHUB_WEBHOOK_SECRET, deps.config.GITHUB_WEBHOOK_SECRET_PREVIOUS];
      if (!(await verifySignature(body, c.req.header("x-hub-signature-256"), secrets))) {
        return problem(401, "X-Hub-Signature-256: missing, or not the signature of this body under the webhook secret");
      }
      const event = c.req.header("x-github-event");
      if (!event || !/^[a-z_]{1,64}$/.test(event))
        return invalidInput(400, [{ field: "X-GitHub-Event", message: "must name the event" }]);
      const id = c.req.header("x-github-delivery");
      if (!id || !DELIVERY_ID.test(id))
        return invalidInput(400, [{ field: "X-GitHub-Delivery", message: "must be the delivery's id" }]);

      const reception = await receiveDelivery(deps, { id, event, body });
      switch (reception.kind) {
        case "pong":
          return c.json({ ok: true, message: "pong" });
        case "ignored":
          return c.json({ delivery: id, ignored: true, reason: reception.reason }, 202);
        case "invalid":
          return invalidInput(400, reception.issues);
        case "duplicate":
          return c.json({ delivery: id, duplicate: true }, 202);
        case "accepted":
          afterResponse(c, deps, reception.work);
          return c.json({ delivery: id, accepted: true }, 202);
      }
    },
  );

  return app;
}
