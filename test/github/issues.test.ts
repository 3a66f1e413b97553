import { describe, expect, it } from "vitest";
import { API, GitHubEmulator, REPO, TOKEN, TOKEN_USER } from "../../sandbox/github.ts";
import { tokenAuth } from "../../src/github/auth.ts";
import { GitHubClient } from "../../src/github/client.ts";
import { findIssue, hasComment } from "../../src/github/issues.ts";
import { testClock } from "../support/memory.ts";

function setup() {
  const clock = testClock("2026-11-29T03:00:00.000Z");
  const github = new GitHubEmulator(clock.now);
  const client = new GitHubClient({
    apiUrl: API,
    repository: REPO,
    auth: tokenAuth(TOKEN),
    fetch: github.fetch,
    clock,
  });
  return { github, client };
}

describe("looking for a write that may already have been made", () => {
  it("finds a marker in the 120th of an issue's 150 comments, page by page", async () => {
    const { github, client } = setup();
    const comments = Array.from({ length: 150 }, (_, i) => `<!-- chimney:alert=w${i} -->\n\nStill regressed`);
    github.issues.set(1, {
      number: 1,
      title: "t",
      body: "b",
      labels: [],
      state: "open",
      state_reason: null,
      pull_request: false,
      comments,
    });
    const self = { kind: "user", login: TOKEN_USER } as const;
    expect(await hasComment(client, 1, "chimney:alert=w119", self)).toBe(true);
    expect(await hasComment(client, 1, "chimney:alert=w150", self)).toBe(false);
    expect(github.calls("GET", /\/issues\/1\/comments/)).toBe(4);
    // Someone else's comment carrying the marker is not chimney's.
    expect(await hasComment(client, 1, "chimney:alert=w119", { kind: "user", login: "mallory" })).toBe(false);
  });

  it("finds an issue beyond the first page of its labels", async () => {
    const { github, client } = setup();
    for (let n = 1; n <= 130; n++) {
      github.issues.set(n, {
        number: n,
        title: `issue ${n}`,
        body: `<!-- chimney:alert=w${n} -->`,
        labels: ["performance"],
        state: "closed",
        state_reason: "completed",
        pull_request: false,
        comments: [],
      });
    }
    expect((await findIssue(client, ["performance"], "chimney:alert=w3"))?.number).toBe(3);
  });
});
