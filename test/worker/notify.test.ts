import { beforeEach, describe, expect, it } from "vitest";
import { deliveryHeaders, issueCommentPayload, issueLabeledPayload } from "../../sandbox/webhooks.ts";
import { TEST_BINDINGS } from "../bindings.ts";
import { metricsAt, wobble } from "../support/nights.ts";
import { HOOKS } from "../support/receiver.ts";
import { harness, RECONCILE, resetStorage } from "./harness.ts";

beforeEach(() => resetStorage());

const HOOK = `https://${HOOKS}/services/T0001/B0001/s3cr3tXYZtoken`;

describe("the outgoing webhook", () => {
  it("receives each alert event as Slack's JSON, retried after a 503 and never sent twice", async () => {
    const h = harness("2026-11-29T03:00:00.000Z", { NOTIFY_WEBHOOK_URL: HOOK, PUBLIC_URL: "https://chimney.test" });
    h.receiver.answers.push({ status: 503 });
    const run = await h.night("crash");
    const [issue] = h.github.alertIssues();
    // The receiver failing never holds up GitHub.
    expect(issue.labels).toContain("perf-crash");
    expect(h.receiver.received).toHaveLength(1);

    h.clock.advance(5 * 60_000);
    await h.cron(RECONCILE);
    expect(h.receiver.received).toHaveLength(2);
    const { body, contentType, url } = h.receiver.received[1];
    expect(url).toBe(HOOK);
    expect(contentType).toBe("application/json");
    const issueUrl = `https://github.com/HUBId/chain/issues/${issue.number}`;
    expect(body).toEqual({
      text: `chimney: crash opened: ${issue.title}`,
      blocks: [
        {
          type: "section",
          text: { type: "mrkdwn", text: `*<${issueUrl}|${issue.title}>*\nchimney crash alert opened.` },
        },
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: `<${issueUrl}|GitHub issue #${issue.number}> · <https://chimney.test/runs/${run.id}-1|chimney>`,
          },
        },
      ],
    });

    // Ticks, a duplicate webhook: nothing new to tell.
    await h.cron(RECONCILE);
    await h.deliver(run, "completed");
    h.clock.advance(60 * 60_000);
    await h.cron(RECONCILE);
    expect(h.receiver.received).toHaveLength(2);

    // The next bad night is a comment, and it is told too.
    await h.night("crash");
    expect(h.receiver.received).toHaveLength(3);
    expect((h.receiver.received[2].body as { text: string }).text).toMatch(/^chimney: crash has news: /);

    const logs = h.logs.join("\n");
    expect(logs).toContain("the notification webhook answered 503");
    expect(logs).not.toContain("s3cr3tXYZtoken");
    expect(await (await h.request("/status")).text()).not.toContain("s3cr3tXYZtoken");
  });

  it("waits as long as a 429's Retry-After says", async () => {
    const h = harness("2026-11-29T03:00:00.000Z", { NOTIFY_WEBHOOK_URL: HOOK });
    h.receiver.answers.push({ status: 429, headers: { "retry-after": "1200" } });
    await h.night("crash");
    expect(h.receiver.received).toHaveLength(1);
    h.clock.advance(10 * 60_000);
    await h.cron(RECONCILE);
    expect(h.receiver.received).toHaveLength(1);
    h.clock.advance(11 * 60_000);
    await h.cron(RECONCILE);
    expect(h.receiver.received).toHaveLength(2);
  });

  it.each([
    ["http", `http://${HOOKS}/services/T0001/B0001/s3cr3tXYZtoken`],
    ["credentials in it", `https://user:s3cr3tXYZtoken@${HOOKS}/services`],
    ["not a URL", "javascript:alert('s3cr3tXYZtoken')"],
  ])("refuses a NOTIFY_WEBHOOK_URL that is %s as a config problem, and sends nothing", async (_, hook) => {
    const h = harness("2026-11-29T03:00:00.000Z", { NOTIFY_WEBHOOK_URL: hook });
    await h.night("crash");
    expect(h.github.alertIssues()).toHaveLength(1);
    expect(h.receiver.received).toEqual([]);
    const status = await (await h.request("/status")).text();
    expect(status).not.toContain("s3cr3tXYZtoken");
    expect((JSON.parse(status) as { config_problems: unknown[] }).config_problems).toContainEqual(
      expect.objectContaining({ name: "NOTIFY_WEBHOOK_URL" }),
    );
  });
});

type Harness = ReturnType<typeof harness>;

/** Two good nights, then one 1.5 times as slow: the smoke regression's issue opens, and is told. */
async function regressed(h: Harness) {
  h.github.roles.set("perf-oncall", "maintain");
  await h.night(metricsAt(wobble(0)));
  await h.night(metricsAt(wobble(1)));
  await h.night(metricsAt(1.5 * wobble(2)));
  const [issue] = h.github.alertIssues();
  expect(h.receiver.received).toHaveLength(1);
  return { issue, url: `https://github.com/HUBId/chain/issues/${issue.number}` };
}

async function send(h: Harness, event: string, body: string, id?: string) {
  const headers = await deliveryHeaders(TEST_BINDINGS.GITHUB_WEBHOOK_SECRET, event, body, id);
  return h.request("/webhooks/github", { method: "POST", headers, body });
}

const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });

describe("the outgoing webhook hears a maintainer's word", () => {
  it("an accepted level: who accepted which alert, with the issue, retried after a 502 and told once", async () => {
    const h = harness("2026-11-20T03:00:00.000Z", { NOTIFY_WEBHOOK_URL: HOOK, PUBLIC_URL: "https://chimney.test" });
    const { issue, url } = await regressed(h);
    h.receiver.answers.push({ status: 502 });
    const accept = issueCommentPayload(h.github, issue.number, "/chimney accept", "perf-oncall", 8_000_001);
    expect((await send(h, "issue_comment", accept, "accept-1")).status).toBe(202);
    expect(issue.state).toBe("closed");
    expect(h.receiver.received).toHaveLength(2);

    h.clock.advance(5 * 60_000);
    await h.cron(RECONCILE);
    expect(h.receiver.received).toHaveLength(3);
    expect(h.receiver.received[2].body).toEqual({
      text: `chimney: perf-oncall accepted the new level of the regression alert: ${issue.title}`,
      blocks: [
        section(
          `*<${url}|${issue.title}>*\nperf-oncall accepted the new level: the regression alert's episode is over, and this level is the reference from now on. The baseline chimney proposes for it is on the issue.`,
        ),
        section(`<${url}|GitHub issue #${issue.number}> · <https://chimney.test/|chimney>`),
      ],
    });

    // The same comment delivered again, and more ticks: nothing more to tell.
    await send(h, "issue_comment", accept, "accept-2");
    h.clock.advance(60 * 60_000);
    await h.cron(RECONCILE);
    expect(h.receiver.received).toHaveLength(3);
  });

  it("a snooze: who snoozed which alert until when, with the issue, told once", async () => {
    const h = harness("2026-11-20T03:00:00.000Z", { NOTIFY_WEBHOOK_URL: HOOK });
    const { issue, url } = await regressed(h);
    const until = new Date(h.clock.now() + 7 * 24 * 3_600_000).toISOString();
    const words = `${until.slice(0, 10)} ${until.slice(11, 16)} UTC`;
    const snooze = issueLabeledPayload(h.github, issue.number, "perf-snoozed", "perf-oncall");
    expect((await send(h, "issues", snooze, "snooze-1")).status).toBe(202);
    expect(h.receiver.received).toHaveLength(2);
    expect(h.receiver.received[1].body).toEqual({
      text: `chimney: perf-oncall snoozed the regression alert until ${words}: ${issue.title}`,
      blocks: [
        section(
          `*<${url}|${issue.title}>*\nperf-oncall snoozed the regression alert until ${words}: chimney keeps watching, and comments on the issue again after that.`,
        ),
        section(`<${url}|GitHub issue #${issue.number}>`),
      ],
    });
    await send(h, "issues", snooze, "snooze-1");
    await h.cron(RECONCILE);
    expect(h.receiver.received).toHaveLength(2);
  });
});
