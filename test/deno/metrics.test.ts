/**
 * GET /metrics on Deno: the health counts kept in Deno KV on write, parsed as Prometheus parses
 * them. Run with --deny-write on a Deno KV database in memory.
 */
import assert from "node:assert/strict";
import { parseExposition, samples } from "../support/prometheus.ts";
import { ADMIN, deliverCompleted, denoChimney as chimney, type Chimney, TOKEN, until } from "./chimney.ts";

const fixture = (name: string) => Deno.readTextFile(new URL(`../fixtures/${name}`, import.meta.url));
const passing = await fixture("smoke-metrics.json");
const regressed = await fixture("smoke-metrics-regressed.json");

function upload(c: Chimney, body: string, runId: number) {
  return c.app.request(`/api/results?run_id=${runId}&run_attempt=1&ref=main`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body,
  });
}

/** Each family's type and samples as `labels → value`, labels written `k=v,k=v`. */
async function scrape(c: Chimney) {
  const res = await c.app.request("/metrics");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const families = parseExposition(await res.text());
  return (name: string) => samples(families, name);
}

/** The nightly tick dispatches; the run completes and its signed webhook is delivered and processed. */
async function night(c: Chimney) {
  c.advance(86_400_000);
  await c.app.request("/api/ticks/nightly", { method: "POST", headers: { authorization: `Bearer ${ADMIN}` } });
  const run = [...c.github.runs.values()].at(-1)!;
  c.github.complete(run.id, { conclusion: "success", files: { "smoke-metrics.json": passing } });
  const res = await deliverCompleted(c, run);
  assert.equal(res.status, 202);
  await until(async () => (await c.deps.runs.run(`${run.id}-1`))?.state === "passed");
}

Deno.test("GET /metrics on Deno counts runs, alerts, deliveries, GitHub requests and the outbox", async () => {
  const c = await chimney();
  assert.equal((await upload(c, passing, 9001)).status, 201);
  assert.equal((await upload(c, passing, 9002)).status, 201);
  await night(c);
  // GitHub refuses the issue a regression opens: the write stays in the outbox.
  c.github.fail("POST", /\/issues$/, 10, () => new Response("unicorn", { status: 502 }));
  assert.equal((await upload(c, regressed, 9003)).status, 201);
  // Settled after the answer, on Deno: wait for the alert and its write.
  await until(async () => (await c.deps.alerts.open()).length > 0);
  // Recorded again, unchanged: counted once.
  await upload(c, passing, 9001);

  const family = await scrape(c);
  assert.deepEqual(family("chimney_runs"), {
    type: "GAUGE",
    values: { "suite=smoke,state=passed": 3, "suite=smoke,state=regressed": 1 },
  });
  assert.deepEqual(family("chimney_open_alerts").values, {
    "kind=regression": 1,
    "kind=crash": 0,
    "kind=missed": 0,
    "kind=dashboards": 0,
  });
  assert.deepEqual(family("chimney_webhook_deliveries_total"), {
    type: "COUNTER",
    values: { "outcome=processed": 1 },
  });
  const github = family("chimney_github_requests_total").values;
  assert.ok(github["outcome=ok"] > 0);
  assert.ok(github["outcome=server_error"] > 0);
  assert.deepEqual(family("chimney_outbox_depth").values, { "": 1 });
  const age = family("chimney_last_settled_night_age_hours").values[""];
  assert.ok(age >= 0 && age < 1, `age ${age}`);

  // GitHub is well again and takes the issue: the outbox drains.
  c.github.heal();
  c.advance(3_600_000);
  await c.app.request("/api/ticks/reconcile", { method: "POST", headers: { authorization: `Bearer ${ADMIN}` } });
  assert.deepEqual((await scrape(c))("chimney_outbox_depth").values, { "": 0 });
  c.kv.close();
});

Deno.test("a run that changes state moves between the counts", async () => {
  const c = await chimney();
  await c.app.request("/api/ticks/nightly", { method: "POST", headers: { authorization: `Bearer ${ADMIN}` } });
  const [run] = c.github.runs.values();
  assert.deepEqual((await scrape(c))("chimney_runs").values, { "suite=smoke,state=dispatched": 1 });
  c.github.complete(run.id, { conclusion: "success", files: { "smoke-metrics.json": passing } });
  await deliverCompleted(c, run);
  await until(async () => (await c.deps.runs.run(`${run.id}-1`))?.state === "passed");
  assert.deepEqual((await scrape(c))("chimney_runs").values, { "suite=smoke,state=passed": 1 });
  c.kv.close();
});

Deno.test("a store written before the counts were kept is counted once, on the first scrape", async () => {
  const c = await chimney();
  assert.equal((await upload(c, passing, 9001)).status, 201);
  assert.equal((await upload(c, regressed, 9002)).status, 201);
  // As a database from before the counts: none of their keys.
  for await (const { key } of c.kv.list({ prefix: ["health"] })) await c.kv.delete(key);
  assert.deepEqual((await scrape(c))("chimney_runs").values, {
    "suite=smoke,state=passed": 1,
    "suite=smoke,state=regressed": 1,
  });
  assert.equal((await upload(c, passing, 9003)).status, 201);
  assert.deepEqual((await scrape(c))("chimney_runs").values, {
    "suite=smoke,state=passed": 2,
    "suite=smoke,state=regressed": 1,
  });
  c.kv.close();
});

Deno.test("counts each suite's runs beside the smoke suite's, once however often a result is sent", async () => {
  const suites = [
    {
      name: "smoke",
      workflow: "perf.yml",
      artifacts: ["smoke-benchmark"],
      format: "smoke",
      start: { dispatch: { cron: "0 3 * * *" } },
    },
    {
      name: "rust-benches",
      workflow: "benchmarks.yaml",
      artifacts: ["bench-output-*"],
      format: "cargo",
      start: "follow",
    },
  ];
  const c = await chimney({ CHIMNEY_SUITES: JSON.stringify({ suites }) });
  const cargo = await fixture("formats/cargo-output.txt");
  const post = (sha: string) =>
    c.app.request(`/api/results?suite=rust-benches&sha=${sha}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "text/plain" },
      body: cargo,
    });
  assert.equal((await upload(c, passing, 9001)).status, 201);
  assert.equal((await post("a".repeat(40))).status, 201);
  c.advance(60_000);
  assert.equal((await post("b".repeat(40))).status, 201);
  await post("b".repeat(40));
  assert.deepEqual((await scrape(c))("chimney_runs").values, {
    "suite=smoke,state=passed": 1,
    "suite=rust-benches,state=read": 2,
  });
  c.kv.close();
});
