/** Security as tests: tokens on every write route, secrets never shown, bodies capped before reading. */
import { beforeEach, describe, expect, it } from "vitest";
import { TEST_BINDINGS } from "../bindings.ts";
import historyText from "../fixtures/firewood-bench-history.json?raw";
import regressed from "../fixtures/smoke-metrics-regressed.json";
import passing from "../fixtures/smoke-metrics.json";
import { GRAFANA, GRAFANA_KEY } from "../../sandbox/grafana.ts";
import { FILES, liveDashboards } from "../support/hubid-dashboards.ts";
import { harness, NIGHTLY, RECONCILE, resetStorage } from "./harness.ts";
import { expectProblem } from "./helpers.ts";

beforeEach(() => resetStorage());

const { PERF_DASHBOARD_TOKEN, ADMIN_TOKEN } = TEST_BINDINGS;
const otherLast = (token: string) => `${token.slice(0, -1)}${token.endsWith("x") ? "y" : "x"}`;

/** Every route that writes, with the token it takes and a body it would accept. */
const WRITE_ROUTES = [
  { path: "/api/results?run_id=77", token: PERF_DASHBOARD_TOKEN, body: JSON.stringify(passing) },
  { path: "/api/dispatch", token: ADMIN_TOKEN, body: "{}" },
  { path: "/api/ticks/reconcile", token: ADMIN_TOKEN, body: "" },
  { path: "/api/ticks/nightly", token: ADMIN_TOKEN, body: "" },
  { path: "/api/import", token: ADMIN_TOKEN, body: JSON.stringify([{ at: "2026-10-01T03:00:00Z", result: passing }]) },
];

const BAD_TOKENS: [string, (token: string) => string | null][] = [
  ["no Authorization header", () => null],
  ["an empty bearer token", () => ""],
  ["a wrong token", () => "not-the-token"],
  ["the token with its last character changed", otherLast],
  ["the token cut short by one character", (t) => t.slice(0, -1)],
  ["the other route's token", (t) => (t === ADMIN_TOKEN ? PERF_DASHBOARD_TOKEN : ADMIN_TOKEN)],
  ["the token as a Basic credential", (t) => `Basic ${btoa(`chimney:${t}`)}`],
];

describe("every write route", () => {
  it.each(WRITE_ROUTES.flatMap((route) => BAD_TOKENS.map(([what, make]) => [route.path, what, route, make] as const)))(
    "%s refuses %s: 401, nothing done",
    async (_path, _what, route, make) => {
      const h = harness();
      const token = make(route.token);
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (token !== null) headers.authorization = token.startsWith("Basic ") ? token : `Bearer ${token}`;
      const res = await h.request(route.path, { method: "POST", headers, body: route.body });
      const problem = await expectProblem(res, 401, "Authorization");
      expect(problem.detail).toBe("Authorization: a valid bearer token is required");
      expect(JSON.stringify(problem)).not.toContain(route.token.slice(0, 6));
      expect(h.github.requests).toEqual([]);
      expect(await h.history()).toEqual([]);
      expect(await (await h.request("/series")).json()).toEqual({ series: [] });
    },
  );

  it.each(WRITE_ROUTES.filter((r) => r.path !== "/api/ticks/nightly" && r.path !== "/api/ticks/reconcile"))(
    "$path caps its body by Content-Length before reading it",
    async (route) => {
      const h = harness();
      let pulled = 0;
      const res = await h.request(route.path, {
        method: "POST",
        headers: {
          authorization: `Bearer ${route.token}`,
          "content-type": "application/json",
          "content-length": String(64 * 1024 * 1024),
        },
        body: new ReadableStream({
          pull: (c) => void (pulled++ < 1 ? c.enqueue(new TextEncoder().encode("[")) : c.close()),
        }),
        duplex: "half",
      } as RequestInit);
      await expectProblem(res, 413, "(body)");
      expect(await h.history()).toEqual([]);
    },
  );

  it("the webhook caps its body by Content-Length before checking the signature", async () => {
    const h = harness();
    const res = await h.request("/webhooks/github", {
      method: "POST",
      headers: {
        "x-github-event": "workflow_run",
        "x-github-delivery": "d-1",
        "x-hub-signature-256": `sha256=${"0".repeat(64)}`,
        "content-length": String(64 * 1024 * 1024),
      },
      body: new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode("{")) }),
      duplex: "half",
    } as RequestInit);
    await expectProblem(res, 413, "(body)");
  });
});

describe("secrets", () => {
  it("appear in no response and no log line, through a whole week of nights, failures included", async () => {
    const secrets = { ...TEST_BINDINGS, PERF_GRAFANA_API_KEY: GRAFANA_KEY };
    const values = Object.entries(secrets)
      .filter(([name]) => /TOKEN|SECRET|KEY/.test(name))
      .map(([, value]) => value);
    const h = harness("2026-11-20T03:00:00.000Z", {
      PERF_GRAFANA_URL: GRAFANA,
      PERF_GRAFANA_API_KEY: GRAFANA_KEY,
      PUBLIC_URL: "https://chimney.test",
    });
    for (const [path, text] of Object.entries(FILES)) h.github.files.set(path, text);
    for (const d of liveDashboards()) h.grafana.dashboards.set(String(d.uid), d);
    h.grafana.failures.set("pipeline-overview", "500");
    const answers: string[] = [];
    const keep = async (res: Response) =>
      void answers.push(`${res.status} ${[...res.headers].join(" ")} ${await res.text()}`);

    // GitHub echoes the credential it was sent in its error; Grafana fails for one dashboard.
    h.github.fail(
      "POST",
      /\/dispatches$/,
      1,
      () =>
        new Response(JSON.stringify({ message: `Unexpected inputs for token ${TEST_BINDINGS.GITHUB_TOKEN}` }), {
          status: 422,
        }),
    );
    await h.cron(NIGHTLY);
    for (const night of [passing, regressed, "crash", regressed, passing] as const) {
      await h.night(night);
      h.clock.advance(30 * 60_000);
      await h.cron(RECONCILE);
    }
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };
    await keep(
      await h.request("/api/dispatch", {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ ref: "feature/x", pr_number: 12 }),
      }),
    );
    await keep(await h.request("/api/ticks/reconcile", { method: "POST", headers: admin }));
    await keep(await h.request("/api/import", { method: "POST", headers: admin, body: historyText }));
    await keep(await h.request("/api/import", { method: "POST", headers: admin, body: "{not json" }));
    await keep(
      await h.request("/api/results?run_id=5", {
        method: "POST",
        headers: { authorization: `Bearer ${PERF_DASHBOARD_TOKEN}`, "content-type": "application/json" },
        body: "{}",
      }),
    );
    for (const path of [
      "/",
      "/status",
      "/badge",
      "/runs",
      "/changes",
      "/series",
      "/dashboards",
      "/baseline",
      "/healthz",
      "/nope",
    ])
      await keep(await h.request(path));
    const [latest] = await h.history();
    await keep(await h.request(`/runs/${latest.id}`));
    await keep(await h.request(`/runs/${latest.id}`, { headers: { accept: "text/html" } }));

    const everything = [
      ...answers,
      ...h.logs,
      ...h.github.alertIssues().flatMap((i) => [i.title, i.body, ...i.comments]),
    ].join("\n");
    expect(h.logs.length).toBeGreaterThan(10);
    expect(h.grafana.requests).toBeGreaterThan(0);
    for (const secret of values) expect(everything).not.toContain(secret);
    // GitHub's echo of the token did reach the log, by name only.
    expect(h.logs.join("\n")).toContain("[GITHUB_TOKEN]");
  });
});

describe("the Host header", () => {
  it("is never reflected into a Location or into publicly cached links when PUBLIC_URL is not set", async () => {
    const h = harness();
    const headers = {
      host: "evil.test",
      authorization: `Bearer ${TEST_BINDINGS.PERF_DASHBOARD_TOKEN}`,
      "content-type": "application/json",
    };
    const created = await h.worker.fetch(
      new Request("https://evil.test/api/results?run_id=8100", {
        method: "POST",
        headers,
        body: JSON.stringify(passing),
      }) as never,
      { ...(await import("cloudflare:workers")).env } as Env,
      (await import("cloudflare:test")).createExecutionContext(),
    );
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe("/runs/8100-1");
    for (const path of ["/status", "/runs", "/runs/8100-1"]) {
      const res = await h.worker.fetch(
        new Request(`https://evil.test${path}`, { headers: { host: "evil.test" } }) as never,
        { ...(await import("cloudflare:workers")).env } as Env,
        (await import("cloudflare:test")).createExecutionContext(),
      );
      expect(await res.text()).not.toContain("evil.test");
    }
  });
});

describe("answers in a browser", () => {
  const PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

  it("pages run no script and are never framed; no answer is sniffed", async () => {
    const h = harness();
    const run = await h.night(passing);
    const id = `${run.id}-1`;
    const html = { accept: "text/html" };
    for (const [path, headers] of [
      ["/", html],
      [`/runs/${id}`, html],
    ] as const) {
      const res = await h.request(path, { headers });
      expect(res.headers.get("content-type"), path).toBe("text/html; charset=UTF-8");
      expect(res.headers.get("content-security-policy"), path).toBe(PAGE_POLICY);
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
    }
    for (const path of ["/status", "/badge", "/healthz", `/runs/${id}`, "/runs/nope", "/no-such-page"]) {
      const res = await h.request(path);
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
    }
    const refused = await h.request("/api/results", { method: "POST" });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("x-content-type-options")).toBe("nosniff");
    // A file from the runner keeps the sandbox its route gives it.
    const summary = await h.request(`/runs/${id}/artifacts/chimney-summary.html`);
    expect(summary.headers.get("content-security-policy")).toBe(
      "sandbox; default-src 'none'; style-src 'unsafe-inline'",
    );
    expect(summary.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("a served file", () => {
  it("is named to the browser with its quotes escaped and its name percent-encoded (RFC 6266)", async () => {
    const h = harness();
    await h.cron(NIGHTLY);
    const [run] = h.github.runs.values();
    const name = 'rap"port 数据 (1).log';
    h.github.complete(run.id, {
      conclusion: "success",
      files: { "smoke-metrics.json": JSON.stringify(passing), [name]: "a log\n" },
    });
    expect((await h.deliver(run, "completed")).status).toBe(202);
    const res = await h.request(`/runs/${run.id}-1/artifacts/${encodeURIComponent(name)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe(
      `inline; filename="rap\\"port __ (1).log"; filename*=UTF-8''rap%22port%20%E6%95%B0%E6%8D%AE%20%281%29.log`,
    );
    expect(await res.text()).toBe("a log\n");
  });
});
