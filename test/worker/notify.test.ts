import { beforeEach, describe, expect, it } from "vitest";
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
