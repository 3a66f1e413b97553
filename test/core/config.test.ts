import { describe, expect, it } from "vitest";
import { githubCredentials, parseConfig, redactSecrets } from "../../src/core/config.ts";
import { defaultSuites } from "../../src/core/suites.ts";

describe("configuration", () => {
  it("applies the documented defaults and names what is missing", () => {
    const { config, problems } = parseConfig({});
    expect(config).toMatchObject({
      GITHUB_REPOSITORY: null,
      GITHUB_WORKFLOW: "perf.yml",
      GITHUB_REF: "main",
      GITHUB_API_URL: "https://api.github.com",
      ARTIFACT_NAME: "smoke-benchmark",
      ALERT_LABELS: ["performance"],
      STALE_AFTER_HOURS: 36,
      PUBLIC_URL: null,
      PERF_DASHBOARD_TOKEN: null,
    });
    expect(problems.map((p) => p.name)).toEqual([
      "GITHUB_REPOSITORY",
      "PERF_GRAFANA_URL",
      "PUBLIC_URL",
      "PERF_DASHBOARD_TOKEN",
      "ADMIN_TOKEN",
      "GITHUB_WEBHOOK_SECRET",
      "PERF_GRAFANA_API_KEY",
      "GITHUB_TOKEN",
    ]);
  });

  it("parses well-formed values", () => {
    const { config, problems } = parseConfig({
      GITHUB_REPOSITORY: "ava-labs/firewood",
      ALERT_LABELS: " performance , smoke-benchmark ,,",
      STALE_AFTER_HOURS: "48",
      PUBLIC_URL: "https://chimney.example.org/",
      PERF_DASHBOARD_TOKEN: "abc.DEF-123_~+/==",
      ADMIN_TOKEN: "admin-0123456789",
      GITHUB_WEBHOOK_SECRET: "It's a Secret to Everybody",
      GITHUB_TOKEN: "github_pat_0123456789",
      PERF_GRAFANA_URL: "https://grafana.example.org/",
      PERF_GRAFANA_API_KEY: "glsa_0123456789",
    });
    expect(problems).toEqual([]);
    expect(config.ALERT_LABELS).toEqual(["performance", "smoke-benchmark"]);
    expect(config.STALE_AFTER_HOURS).toBe(48);
    expect(config.PUBLIC_URL).toBe("https://chimney.example.org");
    expect(config.PERF_DASHBOARD_TOKEN).toBe("abc.DEF-123_~+/==");
  });

  it("falls back on malformed values and names them, never their values", () => {
    const secret = "has spaces and ! so cannot be a bearer token";
    const { config, problems } = parseConfig({
      GITHUB_REPOSITORY: "not a repo",
      STALE_AFTER_HOURS: "soon",
      PUBLIC_URL: "ftp://x",
      PERF_DASHBOARD_TOKEN: secret,
    });
    expect(config.STALE_AFTER_HOURS).toBe(36);
    expect(config.PERF_DASHBOARD_TOKEN).toBe(null);
    expect(problems.map((p) => p.name)).toEqual([
      "GITHUB_REPOSITORY",
      "STALE_AFTER_HOURS",
      "PERF_GRAFANA_URL",
      "PUBLIC_URL",
      "PERF_DASHBOARD_TOKEN",
      "ADMIN_TOKEN",
      "GITHUB_WEBHOOK_SECRET",
      "PERF_GRAFANA_API_KEY",
      "GITHUB_TOKEN",
    ]);
    expect(JSON.stringify(problems)).not.toContain(secret);
    expect(JSON.stringify(problems)).not.toContain("soon");
  });

  it("prefers a fully configured GitHub App over a token, and names a half-configured one", () => {
    const key = "-----BEGIN RSA PRIVATE KEY-----\\nMIIEow\\n-----END RSA PRIVATE KEY-----";
    const app = parseConfig({ GITHUB_TOKEN: "ghp_x", GITHUB_APP_ID: "123", GITHUB_APP_PRIVATE_KEY: key });
    expect(githubCredentials(app.config)).toEqual({
      kind: "app",
      appId: "123",
      privateKey: "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
      installationId: null,
    });
    const half = parseConfig({ GITHUB_TOKEN: "ghp_x", GITHUB_APP_ID: "123" });
    expect(githubCredentials(half.config)).toEqual({ kind: "token", token: "ghp_x" });
    expect(half.problems).toContainEqual({
      name: "GITHUB_APP_PRIVATE_KEY",
      problem: "not set: a GitHub App needs both GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY",
    });
  });

  it("scrubs every configured secret from a log line", () => {
    const { config } = parseConfig({
      PERF_DASHBOARD_TOKEN: "upload-tok",
      GITHUB_TOKEN: "ghp_secret",
      GITHUB_WEBHOOK_SECRET: "hook secret",
    });
    expect(redactSecrets("a upload-tok b ghp_secret c hook secret", config)).toBe(
      "a [PERF_DASHBOARD_TOKEN] b [GITHUB_TOKEN] c [GITHUB_WEBHOOK_SECRET]",
    );
  });
});

describe("GITHUB_REQUEST_BUDGET", () => {
  it("defaults to 40 requests a job, under the Workers Free plan's 50 subrequests", () => {
    expect(parseConfig({}).config.GITHUB_REQUEST_BUDGET).toBe(40);
  });

  it("takes a budget for the Paid plan, and names a bad value without using it", () => {
    expect(parseConfig({ GITHUB_REQUEST_BUDGET: "900" }).config.GITHUB_REQUEST_BUDGET).toBe(900);
    const bad = parseConfig({ GITHUB_REQUEST_BUDGET: "0" });
    expect(bad.config.GITHUB_REQUEST_BUDGET).toBe(40);
    expect(bad.problems.map((p) => p.name)).toContain("GITHUB_REQUEST_BUDGET");
  });

  it("bounds every job's GitHub client as wired", async () => {
    const { wire } = await import("../../src/wiring.ts");
    const { memoryStores } = await import("../../src/store/memory.ts");
    let calls = 0;
    const deps = wire(
      { GITHUB_REPOSITORY: "ava-labs/firewood", GITHUB_TOKEN: "github_pat_x", GITHUB_REQUEST_BUDGET: "5" },
      { fetch: async () => (calls++, new Response("{}")), now: () => 0, sleep: async () => {}, write: () => {} },
      memoryStores,
    );
    const client = deps.github?.client();
    for (let i = 0; i < 5; i++) await client?.request("GET", `/page/${i}`);
    await expect(client?.request("GET", "/one-more")).rejects.toThrow(/no GitHub requests left/);
    expect(calls).toBe(5);
    // Each job gets a client of its own, with a fresh budget.
    await deps.github?.client().request("GET", "/next-job");
    expect(calls).toBe(6);
  });
});

describe("NIGHTLY_CRON", () => {
  it("takes any five-field cron expression, and names one it cannot read", () => {
    expect(parseConfig({ NIGHTLY_CRON: "0 3 * * 1-5" }).config.NIGHTLY_CRON).toBe("0 3 * * 1-5");
    for (const cron of ["every night", "0 3 * *", "61 3 * * *", "0 0 31 2 *"]) {
      const parsed = parseConfig({ NIGHTLY_CRON: cron });
      expect(parsed.config.NIGHTLY_CRON).toBe("0 3 * * *");
      expect(parsed.problems.map((p) => p.name)).toContain("NIGHTLY_CRON");
    }
  });
});

describe("CHIMNEY_SUITES", () => {
  const follow = {
    name: "cargo",
    repository: "ava-labs/firewood",
    workflow: "benchmarks.yaml",
    artifacts: ["bench-output-*"],
    format: "cargo",
    start: "follow",
  };

  it("is the smoke suite of the variables when unset, and no problem", () => {
    const { config, problems, issues } = parseConfig({ GITHUB_REPOSITORY: "ava-labs/firewood" });
    expect(config.CHIMNEY_SUITES).toEqual(defaultSuites(config));
    expect(problems.map((p) => p.name)).not.toContain("CHIMNEY_SUITES");
    expect(issues).toEqual([]);
  });

  it("takes a suite document as JSON text, or as the object a wrangler.toml variable may hold", () => {
    const env = { GITHUB_REPOSITORY: "HUBId/chain", GITHUB_REF: "develop" };
    const text = parseConfig({ ...env, CHIMNEY_SUITES: JSON.stringify({ suites: [follow] }) });
    const object = parseConfig({ ...env, CHIMNEY_SUITES: { suites: [follow] } });
    expect(text.config.CHIMNEY_SUITES).toEqual(object.config.CHIMNEY_SUITES);
    expect(text.config.CHIMNEY_SUITES).toMatchObject([{ name: "cargo", branch: "develop" }]);
    expect(text.problems.map((p) => p.name)).not.toContain("CHIMNEY_SUITES");
  });

  it("falls back to the default suite when malformed, naming the fields but never a value", () => {
    const secretish = "ghp_looks_like_a_token_0123456789";
    const { config, problems, issues } = parseConfig({
      GITHUB_REPOSITORY: "ava-labs/firewood",
      CHIMNEY_SUITES: JSON.stringify({
        suites: [
          { ...follow, workflow: secretish },
          { ...follow, name: "b", start: 3 },
        ],
      }),
    });
    expect(config.CHIMNEY_SUITES).toEqual(defaultSuites(config));
    expect(problems).toContainEqual({
      name: "CHIMNEY_SUITES",
      problem: "malformed at suites[0].workflow, suites[1].start: watching the default suite (smoke) instead",
    });
    expect(issues.map((i) => i.field)).toEqual(["suites[0].workflow", "suites[1].start"]);
    expect(JSON.stringify({ problems, issues })).not.toContain(secretish);
  });

  it("names a document that is not JSON", () => {
    const { problems, issues } = parseConfig({ CHIMNEY_SUITES: "suites: smoke" });
    expect(problems).toContainEqual({
      name: "CHIMNEY_SUITES",
      problem: "malformed at (document): watching the default suite (smoke) instead",
    });
    expect(issues[0].message).toMatch(/^is not valid JSON/);
  });

  it("names at most ten fields in the problem; the issues keep them all", () => {
    const suites = Array.from({ length: 12 }, (_, i) => ({ ...follow, name: `s${i}`, format: "unknown" }));
    const { problems, issues } = parseConfig({ CHIMNEY_SUITES: JSON.stringify({ suites }) });
    expect(problems.find((p) => p.name === "CHIMNEY_SUITES")?.problem).toBe(
      "malformed at suites[0].format, suites[1].format, suites[2].format, suites[3].format, suites[4].format, " +
        "suites[5].format, suites[6].format, suites[7].format, suites[8].format, suites[9].format and 2 more: " +
        "watching the default suite (smoke) instead",
    );
    expect(issues).toHaveLength(12);
  });
});
