import { beforeEach, describe, expect, it } from "vitest";
import { TOKEN_USER } from "../../sandbox/github.ts";
import { deliveryHeaders, issueCommentPayload, issueLabeledPayload } from "../../sandbox/webhooks.ts";
import { TEST_BINDINGS } from "../bindings.ts";
import { metricsAt, wobble } from "../support/nights.ts";
import { harness, RECONCILE, resetStorage } from "./harness.ts";

beforeEach(() => resetStorage());

type Harness = ReturnType<typeof harness>;

const MAINTAINER = "perf-oncall";
const READER = "drive-by";

/** Two good nights, then a night 1.5 times as slow: the regression issue opens. */
async function regressed(h: Harness) {
  h.github.roles.set(MAINTAINER, "maintain");
  h.github.roles.set(READER, "read");
  await h.night(metricsAt(wobble(0)));
  await h.night(metricsAt(wobble(1)));
  await h.night(metricsAt(1.5 * wobble(2)), "Rework the node cache");
  const issues = h.github.alertIssues();
  expect(issues).toHaveLength(1);
  return issues[0];
}

async function send(h: Harness, event: string, body: string, id?: string) {
  const headers = await deliveryHeaders(TEST_BINDINGS.GITHUB_WEBHOOK_SECRET, event, body, id);
  return h.request("/webhooks/github", { method: "POST", headers, body });
}

const label = (h: Harness, issue: number, name: string, sender: string, id?: string) =>
  send(h, "issues", issueLabeledPayload(h.github, issue, name, sender), id);

let commentIds = 7_000_000;
const commentOn = (
  h: Harness,
  issue: number,
  body: string,
  sender: string,
  options: { id?: string; commentId?: number } = {},
) =>
  send(
    h,
    "issue_comment",
    issueCommentPayload(h.github, issue, body, sender, options.commentId ?? commentIds++),
    options.id,
  );

async function status(h: Harness) {
  return (await (await h.request("/status")).json()) as {
    open_alerts: { fingerprint: string; snoozed_until: string | null }[];
    accepted_alerts: { fingerprint: string; issue_number: number; accepted_by: string; accepted_at: string }[];
  };
}

describe("accepting a regression's level", () => {
  it("by the label: the issue closes naming who accepted, with the suggested baseline; the level is no news until it worsens", async () => {
    const h = harness("2026-11-20T03:00:00.000Z");
    const issue = await regressed(h);

    const res = await label(h, issue.number, "perf-accepted", MAINTAINER);
    expect(res.status).toBe(202);
    expect(issue.state).toBe("closed");
    expect(issue.state_reason).toBe("completed");
    const said = issue.comments.at(-1)!;
    expect(said).toContain("**Accepted by @perf-oncall.**");
    const json = /```json\n([\s\S]*?)\n```/.exec(said)?.[1];
    const proposed = JSON.parse(json!) as Record<string, { lower: number; upper: number }>;
    // ±15% around the accepted night: 1.5 times as slow as the passing fixture.
    expect(proposed.throughput_ops_per_sec.upper).toBeLessThan(8500);
    expect(proposed.throughput_ops_per_sec.lower).toBeGreaterThan(5000);
    expect(json).toMatch(/"lower": \d+\.\d+/);

    const page = await (await h.request("/")).text();
    expect(page).toContain("level accepted by perf-oncall on 2026-11-23");
    const st = await status(h);
    expect(st.open_alerts).toEqual([]);
    expect(st.accepted_alerts).toMatchObject([
      { fingerprint: "regression:smoke", issue_number: issue.number, accepted_by: MAINTAINER },
    ]);

    // The next nights stay at the accepted level: no new issue, no comment, no confirming run.
    const comments = issue.comments.length;
    for (let i = 3; i < 7; i++) await h.night(metricsAt(1.5 * wobble(i)));
    expect(h.github.alertIssues()).toHaveLength(1);
    expect(issue.comments).toHaveLength(comments);

    // A further slowdown beyond the accepted level opens a new issue.
    await h.night(metricsAt(2.2));
    const issues = h.github.alertIssues();
    expect(issues).toHaveLength(2);
    expect(issues[1].labels).toContain("perf-regression");
    expect((await status(h)).accepted_alerts).toEqual([]);
  });

  it("by the comment /chimney accept from a maintainer", async () => {
    const h = harness("2026-11-20T03:00:00.000Z");
    const issue = await regressed(h);
    h.github.roles.set("admin-person", "admin");

    expect(
      (await commentOn(h, issue.number, "Looks expected after the cache rework.\n/chimney accept", "admin-person"))
        .status,
    ).toBe(202);
    expect(issue.state).toBe("closed");
    expect(issue.comments.at(-1)).toContain("**Accepted by @admin-person.**");
    expect(issue.comments.at(-1)).toContain("benchmark/baselines/smoke.json");

    // Closing it while the level stays opens nothing new.
    await h.night(metricsAt(1.5 * wobble(5)));
    expect(h.github.alertIssues()).toHaveLength(1);
  });

  it("ignores a command from someone without write permission, and logs why", async () => {
    const h = harness("2026-11-20T03:00:00.000Z");
    const issue = await regressed(h);
    const comments = issue.comments.length;

    await commentOn(h, issue.number, "/chimney accept", READER);
    await label(h, issue.number, "perf-accepted", "stranger");
    expect(issue.state).toBe("open");
    expect(issue.comments).toHaveLength(comments);
    const ignored = h.logs.map((l) => JSON.parse(l)).filter((l) => l.event === "issue_command_ignored");
    expect(ignored.map((l) => l.reason)).toEqual([
      "drive-by has read permission, not write, maintain or admin",
      "stranger has read permission, not write, maintain or admin",
    ]);
    expect((await status(h)).open_alerts).toHaveLength(1);
  });

  it("ignores chimney's own comments, issues chimney did not open and labels not chimney's, without asking GitHub", async () => {
    const h = harness("2026-11-20T03:00:00.000Z");
    const issue = await regressed(h);
    const asked = () => h.github.requests.filter((r) => r.url.includes("/collaborators/")).length;

    // chimney writes with a maintainer's token here: its comment is the token user's, with its marker.
    h.github.roles.set(TOKEN_USER, "maintain");
    await commentOn(h, issue.number, "<!-- chimney:alert=x -->\n/chimney accept", TOKEN_USER);
    expect(
      h.logs.some((l) => l.includes('"issue_command_ignored"') && l.includes("the comment is chimney's own")),
    ).toBe(true);
    const bot = await send(
      h,
      "issue_comment",
      issueCommentPayload(h.github, issue.number, "/chimney accept", "chimney[bot]", 1, "Bot"),
    );
    expect(await bot.json()).toMatchObject({ ignored: true });
    const other = await label(h, issue.number, "bug", MAINTAINER);
    expect(await other.json()).toMatchObject({ ignored: true, reason: "the label bug is not chimney's" });
    await commentOn(h, 4242, "/chimney accept", MAINTAINER);
    expect(asked()).toBe(0);
    expect(h.logs.some((l) => l.includes("#4242 is not the issue of an open alert chimney opened"))).toBe(true);
    expect(issue.state).toBe("open");
  });

  it("does not take chimney's marker in someone else's comment for chimney's own: their command is theirs, checked", async () => {
    const h = harness("2026-11-20T03:00:00.000Z");
    const issue = await regressed(h);
    await commentOn(h, issue.number, "<!-- chimney:alert=x -->\n/chimney accept", READER);
    expect(h.logs.some((l) => l.includes("drive-by has read permission, not write, maintain or admin"))).toBe(true);
    expect(h.logs.some((l) => l.includes("the comment is chimney's own"))).toBe(false);
    expect(issue.state).toBe("open");
  });

  it("refuses a signed issue event that is not shaped as GitHub's, naming the field, and stores nothing", async () => {
    const h = harness("2026-11-20T03:00:00.000Z");
    const issue = await regressed(h);
    const res = await send(h, "issue_comment", JSON.stringify({ action: "created", issue: { number: "1" } }));
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain("issue.number");
    expect(issue.state).toBe("open");
  });

  it("leaves the alert as it was when GitHub fails to say the permission, and the tick retries it", async () => {
    const h = harness("2026-11-20T03:00:00.000Z");
    const issue = await regressed(h);
    h.github.fail("GET", /\/collaborators\/[^/]+\/permission$/, 20, () =>
      Response.json({ message: "Server Error" }, { status: 502 }),
    );

    expect((await commentOn(h, issue.number, "/chimney accept", MAINTAINER)).status).toBe(202);
    expect(issue.state).toBe("open");
    expect((await status(h)).open_alerts).toHaveLength(1);
    expect(h.logs.some((l) => l.includes('"event":"delivery_failed"') && l.includes("comment-"))).toBe(true);

    h.github.heal();
    h.clock.advance(30 * 60_000);
    await h.cron(RECONCILE);
    expect(issue.state).toBe("closed");
    expect(issue.comments.at(-1)).toContain("**Accepted by @perf-oncall.**");
  });
});

describe("snoozing an issue", () => {
  it("stops chimney's comments until the snooze ends, says so once, and resumes after", async () => {
    const h = harness("2026-11-20T03:00:00.000Z");
    const issue = await regressed(h);
    const before = issue.comments.length;

    await commentOn(h, issue.number, "/chimney snooze 36h", MAINTAINER);
    expect(issue.comments).toHaveLength(before + 1);
    expect(issue.comments.at(-1)).toMatch(/\*\*Snoozed by @perf-oncall\.\*\* .* until 2026-11-24T15:00:00\.000Z/);
    expect((await status(h)).open_alerts).toMatchObject([{ snoozed_until: "2026-11-24T15:00:00.000Z" }]);
    expect(await (await h.request("/")).text()).toContain("snoozed until 2026-11-24");

    await h.night(metricsAt(1.5 * wobble(3)));
    expect(issue.comments).toHaveLength(before + 1);
    await h.night(metricsAt(1.5 * wobble(4)));
    expect(issue.comments).toHaveLength(before + 2);
    expect(issue.comments.at(-1)).toContain("Still regressed");
    expect(issue.state).toBe("open");
  });

  it("by the label, for seven days", async () => {
    const h = harness("2026-11-20T03:00:00.000Z");
    const issue = await regressed(h);
    await label(h, issue.number, "perf-snoozed", MAINTAINER);
    expect(issue.comments.at(-1)).toContain("until 2026-11-30T03:00:00.000Z");
  });

  it("answers a duration it cannot take with what it takes, and changes nothing", async () => {
    const h = harness("2026-11-20T03:00:00.000Z");
    const issue = await regressed(h);
    for (const bad of ["/chimney snooze forever", "/chimney snooze 91d", "/chimney snooze"]) {
      await commentOn(h, issue.number, bad, MAINTAINER);
      expect(issue.comments.at(-1)).toContain("takes a duration in whole days or hours, from `1h` to `90d`");
    }
    expect((await status(h)).open_alerts).toMatchObject([{ snoozed_until: null }]);
  });

  it("answers a refused command even when someone pasted its reply's marker first", async () => {
    const h = harness("2026-11-20T03:00:00.000Z");
    const issue = await regressed(h);
    h.github.commentAs(issue.number, READER, "<!-- chimney:reply=comment-424242 -->");
    await commentOn(h, issue.number, "/chimney snooze forever", MAINTAINER, { commentId: 424242 });
    expect(issue.comments.at(-1)).toContain("takes a duration in whole days or hours, from `1h` to `90d`");
  });

  it("acts once on a comment delivered twice", async () => {
    const h = harness("2026-11-20T03:00:00.000Z");
    const issue = await regressed(h);
    const before = issue.comments.length;
    const body = issueCommentPayload(h.github, issue.number, "/chimney snooze 2d", MAINTAINER, 99);
    expect((await send(h, "issue_comment", body, "delivery-a")).status).toBe(202);
    expect(await (await send(h, "issue_comment", body, "delivery-a")).json()).toMatchObject({ duplicate: true });
    expect((await send(h, "issue_comment", body, "delivery-b")).status).toBe(202);
    expect(issue.comments).toHaveLength(before + 1);
  });
});
