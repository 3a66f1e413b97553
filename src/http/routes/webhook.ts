/** GitHub's webhook: workflow_run deliveries, signed with the webhook secret. */
import { Hono } from "hono";
import { receiveDelivery } from "../../jobs/webhook.ts";
import { verifySignature } from "../../github/webhook.ts";
import { limitBody } from "../body-limit.ts";
import { afterResponse, type AppDeps } from "../deps.ts";
import { answerOf, RECEIVED } from "../outcomes.ts";
import { invalidInput, problem } from "../problem.ts";

/** workflow_run payloads are tens of kilobytes; GitHub's own cap is 25 MB. */
const WEBHOOK_LIMIT = 5 * 1024 * 1024;

const DELIVERY_ID = /^[\w-]{1,100}$/;

export function webhookRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  app.post(
    "/webhooks/github",
    async (_c, next) => {
      if (!deps.config.GITHUB_WEBHOOK_SECRET)
        throw problem(503, "webhooks are off: GITHUB_WEBHOOK_SECRET is not configured");
      await next();
    },
    limitBody(WEBHOOK_LIMIT),
    async (c) => {
      const body = new Uint8Array(await c.req.arrayBuffer());
      const secrets = [deps.config.GITHUB_WEBHOOK_SECRET, deps.config.GITHUB_WEBHOOK_SECRET_PREVIOUS];
      if (!(await verifySignature(body, c.req.header("x-hub-signature-256"), secrets))) {
        throw problem(401, "X-Hub-Signature-256: missing, or not the signature of this body under the webhook secret");
      }
      const event = c.req.header("x-github-event");
      if (!event || !/^[a-z_]{1,64}$/.test(event))
        throw invalidInput(400, [{ field: "X-GitHub-Event", message: "must name the event" }]);
      const id = c.req.header("x-github-delivery");
      if (!id || !DELIVERY_ID.test(id))
        throw invalidInput(400, [{ field: "X-GitHub-Delivery", message: "must be the delivery's id" }]);

      const { outcome, status } = answerOf(RECEIVED, await receiveDelivery(deps, { id, event, body }));
      switch (outcome.kind) {
        case "pong":
          return c.json({ ok: true, message: "pong" }, status);
        case "ignored":
          return c.json({ delivery: id, ignored: true, reason: outcome.reason }, status);
        case "duplicate":
          return c.json({ delivery: id, duplicate: true }, status);
        case "accepted":
          afterResponse(c, deps, outcome.work);
          return c.json({ delivery: id, accepted: true }, status);
      }
    },
  );

  return app;
}
