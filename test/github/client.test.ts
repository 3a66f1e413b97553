import { describe, expect, it } from "vitest";
import { tokenAuth } from "../../src/github/auth.ts";
import { getRunAttempt } from "../../src/github/actions.ts";
import { GitHubClient, GitHubError } from "../../src/github/client.ts";
import { testClock } from "../support/memory.ts";

const TOKEN = "github_pat_client_test_0123456789";
const START = Date.parse("2026-11-29T03:00:00.000Z");

/** A client over a scripted server: each request gets the next answer. */
function scripted(answers: (Response | Error | "hang")[], options: { budget?: number; timeoutMs?: number } = {}) {
  const clock = testClock(new Date(START).toISOString());
  const seen: Request[] = [];
  const client = new GitHubClient({
    apiUrl: "https://api.github.test",
    repository: "ava-labs/firewood",
    auth: tokenAuth(TOKEN),
    clock,
    budget: options.budget,
    timeoutMs: options.timeoutMs ?? 1_000,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      seen.push(request);
      const answer = answers.shift() ?? new Response("{}", { status: 200 });
      if (answer === "hang") {
        return new Promise((_, reject) =>
          request.signal.addEventListener("abort", () => reject(request.signal.reason)),
        );
      }
      if (answer instanceof Error) throw answer;
      return answer;
    },
  });
  return { client, clock, seen };
}

const json = (status: number, body: unknown = {}, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers });

async function failure(promise: Promise<unknown>): Promise<GitHubError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GitHubError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("the GitHub client", () => {
  it("sends GitHub's headers and the token", async () => {
    const { client, seen } = scripted([json(200)]);
    await client.request("GET", "/repos/ava-labs/firewood/actions/runs/1");
    expect(seen[0].url).toBe("https://api.github.test/repos/ava-labs/firewood/actions/runs/1");
    expect(Object.fromEntries(seen[0].headers)).toMatchObject({
      accept: "application/vnd.github+json",
      "x-github-api-version": "2022-11-28",
      authorization: `Bearer ${TOKEN}`,
    });
    expect(seen[0].headers.get("user-agent")).toMatch(/^chimney/);
  });

  it("backs off exponentially on 5xx and network errors, up to its attempts", async () => {
    const { client, clock, seen } = scripted([json(502), new TypeError("fetch failed"), json(500), json(503)]);
    const error = await failure(client.request("GET", "/x"));
    expect(error.kind).toBe("server");
    expect(error.status).toBe(503);
    expect(seen).toHaveLength(4);
    expect(clock.slept).toEqual([500, 1000, 2000]);
  });

  it("retries a request that timed out", async () => {
    const { client, seen } = scripted(["hang", json(200, { ok: 1 })], { timeoutMs: 20 });
    const res = await client.request("GET", "/slow");
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(2);
  });

  it("gives up with a timeout error when every attempt hangs", async () => {
    const { client } = scripted(["hang", "hang", "hang", "hang"], { timeoutMs: 10 });
    expect((await failure(client.request("GET", "/slow"))).kind).toBe("timeout");
  });

  it("waits until x-ratelimit-reset when the limit is spent and the reset is near", async () => {
    const reset = Math.floor(START / 1000) + 5;
    const { client, clock } = scripted([
      json(
        403,
        { message: "API rate limit exceeded" },
        { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) },
      ),
      json(200),
    ]);
    await client.request("GET", "/x");
    expect(clock.slept).toEqual([5000]);
  });

  it("fails at once, saying when to come back, when the reset is far", async () => {
    const reset = Math.floor(START / 1000) + 3600;
    const { client, clock } = scripted([
      json(403, {}, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) }),
    ]);
    const error = await failure(client.request("GET", "/x"));
    expect(error.kind).toBe("rate_limited");
    expect(error.retryAt).toBe(reset * 1000);
    expect(clock.slept).toEqual([]);
  });

  it("treats a 403 without rate-limit signs as forbidden and does not retry it", async () => {
    const { client, seen } = scripted([json(403, { message: "Resource not accessible by integration" })]);
    const error = await failure(client.request("POST", "/repos/ava-labs/firewood/actions/runs/1/rerun-failed-jobs"));
    expect(error.kind).toBe("forbidden");
    expect(error.message).toContain("Resource not accessible by integration");
    expect(seen).toHaveLength(1);
  });

  it("does not wait out a secondary rate limit inside an invocation", async () => {
    const { client, clock } = scripted([json(403, { message: "You have exceeded a secondary rate limit." })]);
    const error = await failure(client.request("GET", "/x"));
    expect(error.kind).toBe("rate_limited");
    expect(error.retryAt! - clock.now()).toBe(60_000);
  });

  it.each([
    [401, "unauthorized"],
    [404, "not_found"],
    [410, "gone"],
    [422, "invalid"],
  ] as const)("reports %i as %s without retrying", async (status, kind) => {
    const { client, seen } = scripted([json(status, { message: "nope" })]);
    expect((await failure(client.request("GET", "/x"))).kind).toBe(kind);
    expect(seen).toHaveLength(1);
  });

  it("stops at its request budget", async () => {
    const { client, seen } = scripted([json(200), json(500), json(200)], { budget: 2 });
    await client.request("GET", "/a");
    const error = await failure(client.request("GET", "/b"));
    expect(error.kind).toBe("budget");
    expect(seen).toHaveLength(2);
  });

  it("never puts the token in an error, and hides signed query strings", async () => {
    const { client } = scripted([json(500), json(500), json(500), json(500)]);
    const error = await failure(client.request("GET", "https://blobs.test/zip?sig=SECRETSIG", { authorization: null }));
    expect(error.message).toBe("GET https://blobs.test/zip?…: 500 server error");
    expect(JSON.stringify(error)).not.toContain(TOKEN);
  });
});

describe("where the client goes", () => {
  it.each([
    "file:///etc/passwd",
    "javascript:alert(1)",
    "//evil.test/zip",
    "ftp://files.test/zip",
    "api.github.test/x",
  ])("refuses to request %s, and never sends it anywhere", async (path) => {
    const { client, seen } = scripted([]);
    const error = await failure(client.request("GET", path));
    expect(error.kind).toBe("unexpected");
    expect(error.message).toContain("not an http(s) URL or an API path");
    expect(seen).toEqual([]);
  });

  it("follows an artifact's 302 only to an absolute http(s) URL, naming the refusal", async () => {
    const { downloadArtifact, UnusableArtifact } = await import("../../src/github/actions.ts");
    for (const location of ["file:///tmp/zip", "/relative/zip", "javascript:0"]) {
      const { client, seen } = scripted([new Response(null, { status: 302, headers: { location } })]);
      const refused = await downloadArtifact(client, 7, 1024).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(UnusableArtifact);
      expect((refused as Error).message).toBe(
        `artifact 7: GitHub redirected to ${JSON.stringify(location)}, not an http(s) URL`,
      );
      expect(seen).toHaveLength(1);
    }
  });
});

describe("runs read from the API (what the reconcile tick asks)", () => {
  const RUN = {
    id: 9_000_000_001,
    name: "Performance smoke benchmark",
    display_title: "Firewood smoke benchmark",
    path: ".github/workflows/perf.yml",
    head_branch: "main",
    head_sha: "1F0E9D8C7B6A59483726150F1E2D3C4B5A697887",
    run_attempt: 1,
    status: "completed",
    conclusion: "success",
    html_url: "https://github.com/ava-labs/firewood/actions/runs/9000000001",
    created_at: "2026-11-29T03:00:00Z",
    run_started_at: "2026-11-29T03:00:05Z",
    updated_at: "2026-11-29T03:20:00Z",
  };

  it("takes a well-formed run, its commit id lower-cased", async () => {
    const { client } = scripted([json(200, RUN)]);
    const run = await getRunAttempt(client, RUN.id, 1);
    expect(run.head_sha).toBe(RUN.head_sha.toLowerCase());
    expect(run.html_url).toBe(RUN.html_url);
  });

  it.each([
    ["html_url", "javascript:alert(1)"],
    ["html_url", "https://user:pass@github.com/ava-labs/firewood/actions/runs/1"],
    ["head_sha", "../../user/repos?x="],
    ["head_branch", "a//b"],
    ["id", 2 ** 53 + 2],
    ["run_attempt", -1],
  ])("refuses a run whose %s is %j, naming the field", async (field, value) => {
    const { client } = scripted([json(200, { ...RUN, [field]: value })]);
    const error = await failure(getRunAttempt(client, RUN.id, 1));
    expect(error.kind).toBe("unexpected");
    expect(error.message).toContain(`(${field}: `);
  });

  it("takes the links of the GitHub Enterprise instance it talks to, and no other", async () => {
    const ghe = (html_url: string) =>
      new GitHubClient({
        apiUrl: "https://ghe.example.test/api/v3",
        repository: "ava-labs/firewood",
        auth: tokenAuth(TOKEN),
        clock: testClock(new Date(START).toISOString()),
        fetch: async () => json(200, { ...RUN, html_url }),
      });
    const own = "https://ghe.example.test/ava-labs/firewood/actions/runs/9000000001";
    expect((await getRunAttempt(ghe(own), RUN.id, 1)).html_url).toBe(own);
    const error = await failure(getRunAttempt(ghe("https://ghe.other.test/x"), RUN.id, 1));
    expect(error.message).toContain("(html_url: ");
  });
});
