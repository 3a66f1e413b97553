import { harness, RECONCILE, resetStorage } from "./harness.ts";
import { beforeEach, describe, expect, it } from "vitest";
import { TEST_BINDINGS } from "../bindings.ts";
import { appKeys } from "../support/app-keys.ts";
import { APP_SLUG, TOKEN_USER } from "../../sandbox/github.ts";
import { deliveryHeaders, pullRequestCommentPayload } from "../../sandbox/webhooks.ts";
import regressed from "../fixtures/smoke-metrics-regressed.json";
import passing from "../fixtures/smoke-metrics.json";

beforeEach(() => resetStorage());

type Harness = ReturnType<typeof harness>;

const MARKER = "<!-- chimney:pr-bench -->";

/** A run of the pull request through POST /api/dispatch, finished with `result` and reported by its webhook. */
async function prRun(h: Harness, pr: number, result: unknown): Promise<string> {
  const res = await h.request("/api/dispatch", {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ ref: "feature/faster-commit", pr_number: pr }),
  });
  expect(res.status).toBe(202);
  const run = [...h.github.runs.values()].at(-1)!;
  h.github.complete(run.id, { conclusion: "success", files: { "smoke-metrics.json": JSON.stringify(result) } });
  await h.deliver(run, "completed");
  return `${run.id}-1`;
}

/** `n` reconcile ticks, half an hour apart: what retries a failed delivery or write. */
async function ticks(h: Harness, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    h.clock.advance(30 * 60_000);
    await h.cron(RECONCILE);
  }
}

async function nights(h: Harness, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await h.night(passing, `night ${i}`);
}

describe("the pull request's benchmark comment", () => {
  it("is one comment, edited in place over three runs, comparing with the recent nights; no issue opens", async () => {
    const h = harness("2026-11-20T03:00:00.000Z");
    await nights(h, 3);
    const pr = h.github.addPullRequest();
    const ids = [];
    for (const result of [passing, regressed, passing]) {
      h.clock.advance(3_600_000);
      ids.push(await prRun(h, pr, result));
    }
    expect(h.github.alertIssues()).toEqual([]);
    const comments = h.github.issues.get(pr)!.comments;
    expect(comments).toHaveLength(1);
    expect(comments[0].startsWith(MARKER)).toBe(true);
    expect(comments[0]).toContain(`Latest run: \`${ids[2]}\``);
    expect(comments[0]).not.toContain(ids[1]);
    expect(comments[0]).toContain("| metric | this run | median of `main`'s last 3 nights | change | noise | |");
    // The same numbers as every night: no change, within the noise.
    expect(comments[0]).toContain("| Throughput (ops/sec) | 10233.32 | 10233.32 | 0.0% | ±0.00 | within noise |");
    expect(comments[0]).toContain("(only 3 so far)");
  });

  it("says when a run is worse beyond the nights' noise", async () => {
    const h = harness("2026-11-20T03:00:00.000Z");
    await nights(h, 2);
    const pr = h.github.addPullRequest();
    await prRun(h, pr, regressed);
    const [body] = h.github.issues.get(pr)!.comments;
    expect(body).toContain("| Throughput (ops/sec) | 6898.27 | 10233.32 | -32.6% | ±0.00 | worse, beyond noise |");
    expect(body).toContain("* Throughput (ops/sec): 6898.27 (>= 8500.00, <= 12000.00) ❌");
  });

  it("retries an edit GitHub answered 5xx on the next tick, and still keeps one comment", async () => {
    const h = harness("2026-11-20T03:00:00.000Z");
    await nights(h, 1);
    const pr = h.github.addPullRequest();
    await prRun(h, pr, passing);
    h.github.fail("PATCH", /\/issues\/comments\/\d+$/, 8, () => new Response("unicorn", { status: 502 }));
    const second = await prRun(h, pr, regressed);
    expect(h.github.issues.get(pr)!.comments[0]).not.toContain(second);
    await ticks(h, 2);
    expect(h.github.unfired()).toEqual([]);
    const comments = h.github.issues.get(pr)!.comments;
    expect(comments).toHaveLength(1);
    expect(comments[0]).toContain(`Latest run: \`${second}\``);
  });
});

describe("the pull request's benchmark comment is chimney's own", () => {
  const SPOOF = `${MARKER}\n\nchimney says this pull request is perfect.`;

  it("leaves a comment someone else wrote with chimney's marker alone, and edits only its own over runs", async () => {
    const h = harness("2026-11-20T03:00:00.000Z");
    await nights(h, 2);
    const pr = h.github.addPullRequest();
    h.github.commentAs(pr, "mallory", SPOOF);
    const first = await prRun(h, pr, passing);
    h.clock.advance(3_600_000);
    const second = await prRun(h, pr, regressed);
    const comments = h.github.issues.get(pr)!.comments;
    expect(comments).toHaveLength(2);
    expect(comments[0]).toBe(SPOOF);
    expect(comments[1]).toContain(`Latest run: \`${second}\``);
    expect(comments[1]).not.toContain(first);
    expect(h.github.issues.get(pr)!.authors?.[1]).toEqual({ login: TOKEN_USER });
    // The token's user is asked for once, not at every run.
    expect(h.github.calls("GET", /^\/user$/)).toBe(1);
  });

  it("with a GitHub App, knows its comments by the App they were performed via, asking GitHub nothing more", async () => {
    const { pem, publicKey } = await appKeys();
    const h = harness("2026-11-20T03:00:00.000Z", {
      GITHUB_APP_ID: "424242",
      GITHUB_APP_PRIVATE_KEY: pem,
      GITHUB_TOKEN: "",
    });
    h.github.appPublicKey = publicKey;
    await nights(h, 1);
    const pr = h.github.addPullRequest();
    h.github.commentAs(pr, `${APP_SLUG}-lookalike[bot]`, SPOOF);
    await prRun(h, pr, passing);
    h.clock.advance(3_600_000);
    const second = await prRun(h, pr, regressed);
    const issue = h.github.issues.get(pr)!;
    expect(issue.comments).toHaveLength(2);
    expect(issue.comments[0]).toBe(SPOOF);
    expect(issue.authors?.[1]).toBe("app");
    expect(issue.comments[1]).toContain(`Latest run: \`${second}\``);
    expect(h.github.calls("GET", /^\/user$/)).toBe(0);
  });

  it.each([
    ["listing the comments when its comment is there", /\/issues\/\d+\/comments$/, 1],
    ["asking who the token is", /^\/user$/, 0],
  ])(
    "retries a GitHub 5xx while %s on the next tick, and never writes a second comment",
    async (_what, path, before) => {
      const h = harness("2026-11-20T03:00:00.000Z");
      await nights(h, 1);
      const pr = h.github.addPullRequest();
      for (let i = 0; i < before; i++) await prRun(h, pr, passing);
      h.github.fail("GET", path, 8, () => new Response("unicorn", { status: 502 }));
      h.clock.advance(3_600_000);
      const failed = await prRun(h, pr, regressed);
      expect(h.github.issues.get(pr)!.comments.join("")).not.toContain(failed);
      await ticks(h, 2);
      expect(h.github.unfired()).toEqual([]);
      const comments = h.github.issues.get(pr)!.comments;
      expect(comments).toHaveLength(1);
      expect(comments[0]).toContain(`Latest run: \`${failed}\``);
    },
  );
});

let nextComment = 900_001;

/** A comment on the pull request, as GitHub delivers it (signed); `id` names the delivery. */
async function say(
  h: Harness,
  pr: number,
  login: string,
  body: string,
  options: { id?: string; comment?: number } = {},
) {
  const payload = pullRequestCommentPayload(h.github, { pr, body, login, id: options.comment ?? nextComment++ });
  const headers = await deliveryHeaders(TEST_BINDINGS.GITHUB_WEBHOOK_SECRET, "issue_comment", payload, options.id);
  return h.request("/webhooks/github", { method: "POST", headers, body: payload });
}

const dispatches = (h: Harness) => [...h.github.runs.values()];

describe("/chimney bench on a pull request", () => {
  it("from a collaborator with write permission dispatches the head commit once, however often it is delivered", async () => {
    const h = harness("2026-11-29T15:00:00.000Z");
    h.github.roles.set("dev", "write");
    const pr = h.github.addPullRequest("Faster commits", { ref: "feature/faster-commit" });
    const head = h.github.issues.get(pr)!.head!.sha;
    const first = await say(h, pr, "dev", "/chimney bench", { id: "delivery-1", comment: 4242 });
    expect(first.status).toBe(202);
    const again = await say(h, pr, "dev", "/chimney bench", { id: "delivery-1", comment: 4242 });
    expect(await again.json()).toMatchObject({ duplicate: true });
    // GitHub's redelivery of the same comment under another id
    await say(h, pr, "dev", "/chimney bench", { id: "delivery-2", comment: 4242 });
    expect(dispatches(h)).toHaveLength(1);
    const [run] = dispatches(h);
    expect(run.head_branch).toBe("feature/faster-commit");
    expect(run.inputs).toMatchObject({ ref: head, correlation_id: `chimney-pr-${pr}-4242` });
    const record = await h.runRecord(`${run.id}-1`);
    expect(record).toMatchObject({ mainline: false, sha: head, dispatch: { pr_number: pr } });

    h.github.complete(run.id, { conclusion: "success", files: { "smoke-metrics.json": JSON.stringify(passing) } });
    await h.deliver(run, "completed");
    expect(h.github.issues.get(pr)!.comments).toEqual([expect.stringContaining(MARKER)]);
  });

  it.each([
    ["a non-collaborator", undefined],
    ["a triager", "triage" as const],
  ])("from %s is ignored and logged", async (_who, role) => {
    const h = harness("2026-11-29T15:00:00.000Z");
    if (role) h.github.roles.set("stranger", role);
    const pr = h.github.addPullRequest();
    expect((await say(h, pr, "stranger", "/chimney bench")).status).toBe(202);
    expect(dispatches(h)).toEqual([]);
    expect(h.github.issues.get(pr)!.comments).toEqual([]);
    expect(h.logs.some((l) => l.includes('"pr_command_ignored"') && l.includes("stranger"))).toBe(true);
    // Anyone may comment: what they may not command costs chimney no read of the pull request.
    expect(h.github.calls("GET", /\/pulls\/\d+$/)).toBe(0);
  });

  it("from a custom role that grants write permission dispatches, as its accept and snooze are taken", async () => {
    const h = harness("2026-11-29T15:00:00.000Z");
    h.github.roles.set("perf-team-member", { custom: "perf-engineer", permission: "write" });
    const pr = h.github.addPullRequest();
    expect((await say(h, pr, "perf-team-member", "/chimney bench")).status).toBe(202);
    expect(dispatches(h)).toHaveLength(1);
  });

  it("ignores comments that are not the command without keeping them", async () => {
    const h = harness("2026-11-29T15:00:00.000Z");
    h.github.roles.set("dev", "write");
    const pr = h.github.addPullRequest();
    const res = await say(h, pr, "dev", "LGTM, but please /chimney bench later");
    expect(await res.json()).toMatchObject({ ignored: true });
    expect(dispatches(h)).toEqual([]);
  });

  it("on a fork's pull request asks a maintainer to approve the exact head sha, and dispatches only on that approval", async () => {
    const h = harness("2026-11-29T15:00:00.000Z");
    h.github.roles.set("dev", "write");
    h.github.roles.set("lead", "maintain");
    const pr = h.github.addPullRequest("Faster commits", { ref: "main", repository: "mallory/chain" });
    const head = h.github.issues.get(pr)!.head!.sha;
    await say(h, pr, "dev", "/chimney bench");
    await say(h, pr, "dev", "/chimney bench");
    expect(dispatches(h)).toEqual([]);
    const comments = h.github.issues.get(pr)!.comments;
    expect(comments).toHaveLength(1);
    expect(comments[0]).toContain(`/chimney bench approve ${head}`);

    // Not a maintainer, not the head, not the exact sha: nothing runs.
    await say(h, pr, "dev", `/chimney bench approve ${head}`);
    await say(h, pr, "lead", `/chimney bench approve ${"0".repeat(40)}`);
    await say(h, pr, "mallory", `/chimney bench approve ${head}`);
    expect(dispatches(h)).toEqual([]);

    await say(h, pr, "lead", `/chimney bench approve ${head}`);
    expect(dispatches(h)).toHaveLength(1);
    const [run] = dispatches(h);
    // The fork's branch is not the base repository's: the tracked branch's workflow checks out the approved sha.
    expect(run.head_branch).toBe("main");
    expect(run.inputs.ref).toBe(head);
  });

  it("a GitHub failure reading the permission fails the delivery, and the tick retries it", async () => {
    const h = harness("2026-11-29T15:00:00.000Z");
    h.github.roles.set("dev", "write");
    const pr = h.github.addPullRequest();
    h.github.fail("GET", /\/permission$/, 4, () => new Response("unicorn", { status: 502 }));
    await say(h, pr, "dev", "/chimney bench");
    expect(dispatches(h)).toEqual([]);
    await ticks(h, 1);
    expect(dispatches(h)).toHaveLength(1);
  });
});

describe("POST /api/dispatch with a pull request and no ref", () => {
  const dispatch = (h: Harness, body: unknown) =>
    h.request("/api/dispatch", {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("runs the pull request's head, recorded as the pull request's", async () => {
    const h = harness("2026-11-29T15:00:00.000Z");
    const pr = h.github.addPullRequest("Faster commits", { ref: "feature/bloom" });
    const head = h.github.issues.get(pr)!.head!.sha;
    const res = await dispatch(h, { pr_number: pr });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ ref: "feature/bloom", pr_number: pr });
    const [run] = dispatches(h);
    expect(run.head_branch).toBe("feature/bloom");
    expect(run.inputs.ref).toBe(head);
    expect(await h.runRecord(`${run.id}-1`)).toMatchObject({ sha: head, mainline: false, dispatch: { pr_number: pr } });
  });

  it("refuses a pull request GitHub does not know, naming pr_number", async () => {
    const h = harness("2026-11-29T15:00:00.000Z");
    const res = await dispatch(h, { pr_number: 4711 });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/^pr_number: /);
    expect(dispatches(h)).toEqual([]);
  });
});
