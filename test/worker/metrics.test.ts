import { beforeEach, describe, expect, it } from "vitest";
import passing from "../fixtures/smoke-metrics.json";
import regressed from "../fixtures/smoke-metrics-regressed.json";
import { TEST_BINDINGS } from "../bindings.ts";
import cargoOutput from "../fixtures/formats/cargo-output.txt?raw";
import { parseExposition, samples } from "../support/prometheus.ts";
import { RUST_SUITE, SMOKE_SUITE } from "../support/suites.ts";
import { harness, resetStorage } from "./harness.ts";
import { expectProblem } from "./helpers.ts";

type H = ReturnType<typeof harness>;

async function scrape(h: H, token?: string) {
  const res = await h.request("/metrics", token ? { headers: { authorization: `Bearer ${token}` } } : undefined);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  return parseExposition(await res.text());
}

function upload(h: H, result: unknown, runId: number) {
  return h.request(`/api/results?run_id=${runId}&run_attempt=1&ref=main`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_BINDINGS.PERF_DASHBOARD_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(result),
  });
}

describe("GET /metrics: chimney's own health", () => {
  beforeEach(() => resetStorage());

  it("counts runs, alerts, deliveries, GitHub requests and the outbox after uploads, a webhook and a failed GitHub call", async () => {
    const h = harness();
    expect((await upload(h, passing, 9001)).status).toBe(201);
    expect((await upload(h, passing, 9002)).status).toBe(201);
    // The night: dispatched by the cron, reported by the webhook, passed.
    await h.night(passing);
    // GitHub refuses the issue a regression opens: the write stays in the outbox.
    h.github.fail("POST", /\/issues$/, 10, () => new Response("unicorn", { status: 502 }));
    expect((await upload(h, regressed, 9003)).status).toBe(201);

    const families = await scrape(h);

    const runs = samples(families, "chimney_runs");
    expect(runs.type).toBe("GAUGE");
    expect(runs.values).toEqual({ "suite=smoke,state=passed": 3, "suite=smoke,state=regressed": 1 });

    const alerts = samples(families, "chimney_open_alerts");
    expect(alerts.type).toBe("GAUGE");
    expect(alerts.values).toEqual({ "kind=regression": 1, "kind=crash": 0, "kind=missed": 0, "kind=dashboards": 0 });

    const age = samples(families, "chimney_last_settled_night_age_hours");
    expect(age.type).toBe("GAUGE");
    expect(age.values[""]).toBeGreaterThanOrEqual(0);
    expect(age.values[""]).toBeLessThan(1);

    const deliveries = samples(families, "chimney_webhook_deliveries_total");
    expect(deliveries.type).toBe("COUNTER");
    expect(deliveries.values).toEqual({ "outcome=processed": 1 });

    const github = samples(families, "chimney_github_requests_total");
    expect(github.type).toBe("COUNTER");
    expect(github.values["outcome=ok"]).toBeGreaterThan(0);
    expect(github.values["outcome=server_error"]).toBeGreaterThan(0);

    const outbox = samples(families, "chimney_outbox_depth");
    expect(outbox.type).toBe("GAUGE");
    expect(outbox.values[""]).toBe(1);
  });

  it("says how long ago the last settled night ran, and nothing before the first", async () => {
    const h = harness();
    expect(samples(await scrape(h), "chimney_last_settled_night_age_hours").values).toEqual({});
    await h.night(passing);
    h.clock.advance(6 * 3_600_000);
    const age = samples(await scrape(h), "chimney_last_settled_night_age_hours").values[""];
    expect(age).toBeGreaterThanOrEqual(6);
    expect(age).toBeLessThan(7);
  });

  it("keeps counting across isolates", async () => {
    const h = harness();
    h.github.fail("GET", /\/contents\//, 4, () => new Response("unicorn", { status: 503 }));
    await h.night(passing);
    // Another isolate: a worker of its own, its tally empty, reading the same ledger.
    const families = await scrape(harness(new Date(h.clock.now()).toISOString()));
    expect(samples(families, "chimney_webhook_deliveries_total").values).toEqual({ "outcome=processed": 1 });
    expect(samples(families, "chimney_github_requests_total").values["outcome=server_error"]).toBe(4);
  });

  it("asks for METRICS_TOKEN when it is set, with a 401 problem", async () => {
    const token = "metrics-token-0123456789abcdef";
    const h = harness(undefined, { METRICS_TOKEN: token });
    const res = await h.request("/metrics");
    await expectProblem(res, 401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="chimney"');
    await expectProblem(await h.request("/metrics", { headers: { authorization: "Bearer wrong" } }), 401);
    expect(samples(await scrape(h, token), "chimney_outbox_depth").values).toEqual({ "": 0 });
  });
});

describe("GET /metrics: runs by suite", () => {
  beforeEach(() => resetStorage());

  it("counts each suite's runs beside the smoke suite's: a run read into a suite's series once, however often it is sent", async () => {
    const h = harness(undefined, { CHIMNEY_SUITES: JSON.stringify({ suites: [SMOKE_SUITE, RUST_SUITE] }) });
    const post = (sha: string) =>
      h.request(`/api/results?suite=rust-benches&sha=${sha}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_BINDINGS.PERF_DASHBOARD_TOKEN}`, "content-type": "text/plain" },
        body: cargoOutput,
      });
    expect((await upload(h, passing, 9001)).status).toBe(201);
    expect((await post("a".repeat(40))).status).toBe(201);
    h.clock.advance(60_000);
    expect((await post("b".repeat(40))).status).toBe(201);
    // The same result again (the same time and commit) adds no point: no run either.
    await post("b".repeat(40));
    const runs = samples(await scrape(h), "chimney_runs");
    expect(runs.type).toBe("GAUGE");
    expect(runs.values).toEqual({ "suite=smoke,state=passed": 1, "suite=rust-benches,state=read": 2 });
  });
});
