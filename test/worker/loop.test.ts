import { env } from "cloudflare:workers";
import { harness, NIGHTLY, RECONCILE, resetStorage } from "./harness.ts";
import { zipSync } from "fflate";
import { beforeEach, describe, expect, it } from "vitest";
import { TEST_BINDINGS } from "../bindings.ts";
import { REPO } from "../../sandbox/github.ts";
import passing from "../fixtures/smoke-metrics.json";
import regressed from "../fixtures/smoke-metrics-regressed.json";
import summaryMd from "../fixtures/golden/smoke-summary.md?raw";
import { Faults } from "../support/faults.ts";

const ARTIFACT = {
  "smoke-benchmark.log": "SMOKE_BENCHMARK throughput_ops_per_sec=10233.32 total_batches=5 batch_size=100\n",
  "smoke-metrics.json": JSON.stringify(passing, null, 2),
  "smoke-summary.md": summaryMd,
};

const ADMIN = { authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "content-type": "application/json" };

beforeEach(() => resetStorage());

describe("the nightly loop", () => {
  it("dispatches at night, follows the run through its webhooks and ingests its artifact", async () => {
    const h = harness();
    await h.cron(NIGHTLY);
    expect(h.github.calls("POST", /\/dispatches$/)).toBe(1);
    const [run] = h.github.runs.values();
    expect(run.display_title).toBe("Firewood smoke benchmark chimney-nightly-2026-11-29");
    expect(await h.runRecord(`${run.id}-1`)).toMatchObject({
      state: "dispatched",
      dispatch: { kind: "nightly", correlation_id: "chimney-nightly-2026-11-29" },
    });
    expect(((await (await h.request("/status")).json()) as { state: string }).state).toBe("pending");

    h.clock.advance(60_000);
    h.github.start(run.id);
    expect((await h.deliver(run, "in_progress")).status).toBe(202);
    expect((await h.runRecord(`${run.id}-1`))?.state).toBe("running");

    h.clock.advance(20 * 60_000);
    h.github.complete(run.id, { conclusion: "success", files: ARTIFACT });
    const res = await h.deliver(run, "completed");
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: true });

    const record = await h.runRecord(`${run.id}-1`);
    expect(record).toMatchObject({
      state: "passed",
      sha: run.head_sha,
      ref: "main",
      mainline: true,
      input: "smoke-metrics.json",
      dispatch: { kind: "nightly" },
      links: { workflow_run: `https://github.com/${REPO}/actions/runs/${run.id}/attempts/1` },
    });
    expect(record!.artifacts.map((a: { name: string }) => a.name).sort()).toEqual([
      "chimney-summary.html",
      "chimney-summary.json",
      "chimney-summary.md",
      "smoke-benchmark.log",
      "smoke-metrics.json",
      "smoke-summary.md",
    ]);
    expect(await (await h.request(`/runs/${run.id}-1/artifacts/smoke-benchmark.log`)).text()).toBe(
      ARTIFACT["smoke-benchmark.log"],
    );
    expect(((await (await h.request("/status")).json()) as { state: string }).state).toBe("passing");

    // The zip was fetched from storage without the token, after the API's 302.
    const download = h.github.requests.find((r) => r.url.startsWith("https://blobs.github-storage.test/"));
    expect(download?.authorization).toBe(null);
  });

  it("records a run whose benchmark step failed as crashed, naming the job, the step and the log", async () => {
    const h = harness();
    await h.cron(NIGHTLY);
    const [run] = h.github.runs.values();
    h.github.complete(run.id, { conclusion: "failure", failAt: "Run smoke benchmark", files: null });
    await h.deliver(run, "completed");
    const record = await h.runRecord(`${run.id}-1`);
    expect(record).toMatchObject({
      state: "crashed",
      failure: {
        reason: 'step "Run smoke benchmark" of job "Firewood smoke benchmark" ended in failure',
        job: "Firewood smoke benchmark",
        step: "Run smoke benchmark",
        log_url: `https://github.com/${REPO}/actions/runs/${run.id}/job/${run.id * 10 + 1}`,
        rerun_requested: false,
      },
    });
    expect(h.github.calls("POST", /rerun-failed-jobs$/)).toBe(0);
    expect(((await (await h.request("/status")).json()) as { state: string }).state).toBe("crashed");
  });

  it("ingests a regressed night whose workflow failed at the summarizer's threshold check", async () => {
    const h = harness();
    await h.cron(NIGHTLY);
    const [run] = h.github.runs.values();
    h.github.complete(run.id, {
      conclusion: "failure",
      failAt: "Summarize metrics",
      files: { "smoke-metrics.json": JSON.stringify(regressed) },
    });
    await h.deliver(run, "completed");
    expect(await h.runRecord(`${run.id}-1`)).toMatchObject({
      state: "regressed",
      failure: { step: "Summarize metrics" },
    });
  });

  it("reruns an infrastructure failure once, then records the second attempt", async () => {
    const h = harness();
    await h.cron(NIGHTLY);
    const [run] = h.github.runs.values();
    h.github.complete(run.id, { conclusion: "failure", failAt: "Install nightly toolchain", files: null });
    await h.deliver(run, "completed");
    expect(h.github.calls("POST", /rerun-failed-jobs$/)).toBe(1);
    expect(await h.runRecord(`${run.id}-1`)).toMatchObject({
      state: "crashed",
      failure: { step: "Install nightly toolchain", rerun_requested: true },
    });
    expect(await h.runRecord(`${run.id}-2`)).toMatchObject({ state: "dispatched", github: { run_attempt: 2 } });
    expect(((await (await h.request("/status")).json()) as { state: string }).state).toBe("pending");

    h.clock.advance(15 * 60_000);
    h.github.complete(run.id, { conclusion: "success", files: ARTIFACT });
    await h.deliver(run, "completed", { attempt: 2 });
    expect((await h.runRecord(`${run.id}-2`))?.state).toBe("passed");
    expect(((await (await h.request("/status")).json()) as { state: string }).state).toBe("passing");
  });

  it("keeps the first body of a delivery id, and refuses a different body under the same id", async () => {
    const h = harness();
    await h.cron(NIGHTLY);
    await h.cron(NIGHTLY);
    h.clock.advance(24 * 3_600_000);
    await h.cron(NIGHTLY);
    const [first, second] = h.github.runs.values();
    h.github.complete(first.id, { conclusion: "success", files: ARTIFACT });
    expect((await h.deliver(first, "completed", { id: "delivery-1" })).status).toBe(202);
    const refused = await h.deliver(second, "in_progress", { id: "delivery-1" });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({
      detail: "X-GitHub-Delivery: delivery-1 was received before with a different body",
    });
    expect(await h.runRecord(`${second.id}-1`)).toMatchObject({ state: "dispatched" });
    expect(h.logs.some((l) => l.includes('"event":"delivery_conflict"') && l.includes("delivery-1"))).toBe(true);
    // A redelivery of the first body is still the duplicate it always was.
    expect(await (await h.deliver(first, "completed", { id: "delivery-1" })).json()).toMatchObject({ duplicate: true });
  });

  it("records a run crashed, naming why, when GitHub redirects its artifact anywhere but an http(s) URL", async () => {
    const h = harness();
    await h.cron(NIGHTLY);
    const [run] = h.github.runs.values();
    h.github.complete(run.id, { conclusion: "success", files: ARTIFACT });
    h.github.fail(
      "GET",
      /\/artifacts\/\d+\/zip$/,
      10,
      () => new Response(null, { status: 302, headers: { location: "file:///etc/passwd" } }),
    );
    expect((await h.deliver(run, "completed")).status).toBe(202);
    expect(h.github.calls("GET", /\/artifacts\/\d+\/zip$/)).toBe(1);
    const record = await h.runRecord(`${run.id}-1`);
    expect(record?.state).toBe("crashed");
    expect(record?.failure.reason).toMatch(
      /^the smoke-benchmark artifact was refused: artifact \d+: GitHub redirected to "file:\/\/\/etc\/passwd", not an http\(s\) URL$/,
    );
  });

  it("records a second infrastructure failure without another rerun", async () => {
    const h = harness();
    await h.cron(NIGHTLY);
    const [run] = h.github.runs.values();
    h.github.complete(run.id, { conclusion: "failure", failAt: "Checkout repository", files: null });
    await h.deliver(run, "completed");
    h.github.complete(run.id, { conclusion: "failure", failAt: "Checkout repository", files: null });
    await h.deliver(run, "completed", { attempt: 2 });
    expect(h.github.calls("POST", /rerun-failed-jobs$/)).toBe(1);
    expect(await h.runRecord(`${run.id}-2`)).toMatchObject({
      state: "crashed",
      failure: { step: "Checkout repository", rerun_requested: false },
    });
  });

  it.each([
    ["an expired artifact", { files: "expired" as const }, "the smoke-benchmark artifact has expired"],
    ["no artifact", { files: null }, "the run uploaded no smoke-benchmark artifact"],
    [
      "an artifact without metrics",
      { files: { "smoke-benchmark.log": "panicked\n" } },
      "the smoke-benchmark artifact has no smoke-metrics.json",
    ],
    [
      "invalid metrics",
      { files: { "smoke-metrics.json": JSON.stringify({ ...passing, batches: 0 }) } },
      "smoke-metrics.json.batches: must be at least 1 (batches committed)",
    ],
    [
      "a `../` entry",
      {
        zip: zipSync({
          "../../etc/passwd": new TextEncoder().encode("x"),
          "smoke-metrics.json": new TextEncoder().encode(JSON.stringify(passing)),
        }),
      },
      'the smoke-benchmark artifact was refused: entry "../../etc/passwd" is not a plain file name',
    ],
    [
      "an absolute entry",
      { zip: zipSync({ "/tmp/x": new TextEncoder().encode("x") }) },
      'the smoke-benchmark artifact was refused: entry "/tmp/x" is not a plain file name',
    ],
    [
      "a zip bomb",
      { zip: zipSync({ "smoke-benchmark.log": new Uint8Array(100 * 1024 * 1024) }, { level: 9 }) },
      "the smoke-benchmark artifact was refused: the entries add up to more than 67108864 bytes",
    ],
    [
      "not a zip",
      { zip: new TextEncoder().encode("this is not a zip archive") },
      "the smoke-benchmark artifact was refused: not a readable zip",
    ],
  ])("records a successful run with %s as crashed, with the reason", async (_what, outcome, reason) => {
    const h = harness();
    await h.cron(NIGHTLY);
    const [run] = h.github.runs.values();
    h.github.complete(run.id, { conclusion: "success", ...outcome });
    await h.deliver(run, "completed");
    const record = await h.runRecord(`${run.id}-1`);
    expect(record?.state).toBe("crashed");
    expect(record?.failure.reason.startsWith(reason)).toBe(true);
    expect(record?.measurements).toBe(null);
  });

  it("finishes a run whose webhook was lost on the next reconcile tick", async () => {
    const h = harness();
    await h.cron(NIGHTLY);
    const [run] = h.github.runs.values();
    h.clock.advance(25 * 60_000);
    h.github.complete(run.id, { conclusion: "success", files: ARTIFACT });
    await h.cron(RECONCILE);
    expect((await h.runRecord(`${run.id}-1`))?.state).toBe("passed");
    expect(h.github.calls("POST", /\/dispatches$/)).toBe(1);
  });

  it("processes one delivery sent 20 times at once: one run, one download", async () => {
    const h = harness();
    await h.cron(NIGHTLY);
    const [run] = h.github.runs.values();
    h.github.complete(run.id, { conclusion: "success", files: ARTIFACT });
    const id = crypto.randomUUID();
    const answers = await Promise.all(Array.from({ length: 20 }, () => h.deliver(run, "completed", { id })));
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as { accepted?: boolean; duplicate?: boolean }[];
    expect(answers.every((r) => r.status === 202)).toBe(true);
    expect(bodies.filter((b) => b.accepted)).toHaveLength(1);
    expect(bodies.filter((b) => b.duplicate)).toHaveLength(19);
    expect(h.github.calls("GET", /\/actions\/artifacts\/\d+\/zip$/)).toBe(1);
    expect((await h.history()).filter((r) => r.id === `${run.id}-1`)).toHaveLength(1);
  });

  it("dispatches at most once per night, however often and however concurrently the trigger fires", async () => {
    const first = harness();
    const second = harness(); // another isolate: its own app, the same Durable Object
    await Promise.all([first.cron(NIGHTLY), first.cron(NIGHTLY), second.cron(NIGHTLY)]);
    first.clock.advance(5 * 60_000);
    await first.cron(NIGHTLY);
    expect(first.github.calls("POST", /\/dispatches$/) + second.github.calls("POST", /\/dispatches$/)).toBe(1);
  });

  it.each([
    ["answers 204", "no-content" as const, 1],
    ["refuses return_run_details", "refuses-field" as const, 2],
  ])("finds the run by its correlation id when GitHub %s", async (_what, style, dispatchCalls) => {
    const h = harness();
    h.github.dispatchStyle = style;
    await h.cron(NIGHTLY);
    expect(h.github.calls("POST", /\/dispatches$/)).toBe(dispatchCalls);
    const [run] = h.github.runs.values();
    expect(await h.runRecord(`${run.id}-1`)).toMatchObject({
      state: "dispatched",
      dispatch: { correlation_id: "chimney-nightly-2026-11-29" },
    });
  });

  it("retries GitHub's 500s with backoff, then succeeds", async () => {
    const h = harness();
    h.github.fail(
      "POST",
      /\/dispatches$/,
      2,
      () => new Response(JSON.stringify({ message: "Server Error" }), { status: 500 }),
    );
    await h.cron(NIGHTLY);
    expect(h.github.calls("POST", /\/dispatches$/)).toBe(3);
    expect(h.clock.slept).toEqual([500, 1000]);
    expect(h.github.runs.size).toBe(1);
  });

  it("waits out a 429 for its retry-after, then succeeds", async () => {
    const h = harness();
    await h.cron(NIGHTLY);
    const [run] = h.github.runs.values();
    h.github.complete(run.id, { conclusion: "success", files: ARTIFACT });
    h.github.fail(
      "GET",
      /\/artifacts$/,
      1,
      () =>
        new Response(JSON.stringify({ message: "You have exceeded a secondary rate limit." }), {
          status: 429,
          headers: { "retry-after": "3" },
        }),
    );
    await h.deliver(run, "completed");
    expect(h.clock.slept).toContain(3000);
    expect((await h.runRecord(`${run.id}-1`))?.state).toBe("passed");
  });

  it("retries a failed dispatch on the next ticks, then records the night as missed", async () => {
    const h = harness("2026-11-29T03:00:00.000Z");
    h.github.fail(
      "POST",
      /\/dispatches$/,
      100,
      () => new Response(JSON.stringify({ message: "Server Error" }), { status: 502 }),
    );
    await h.cron(NIGHTLY);
    for (let tick = 0; tick < 5; tick++) {
      h.clock.advance(30 * 60_000);
      await h.cron(RECONCILE);
    }
    const runs = await h.history();
    expect(runs).toHaveLength(1);
    expect(runs[0].state).toBe("missed");
    const missed = await h.runRecord(runs[0].id);
    expect(missed?.failure.reason).toMatch(
      /^the dispatch failed 5 times \(last: POST https:\/\/api\.github\.test\/repos\/HUBId\/chain\/actions\/workflows\/perf\.yml\/dispatches: 502 server error\)$/,
    );
    expect(((await (await h.request("/status")).json()) as { state: string }).state).toBe("missed");
  });

  it("dispatches on demand with the admin token, for a ref and a pull request", async () => {
    const h = harness();
    const res = await h.request("/api/dispatch", {
      method: "POST",
      headers: ADMIN,
      body: JSON.stringify({ ref: "feature/faster-commit", pr_number: 1234 }),
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { run_id: string; correlation_id: string; run_url: string };
    const [run] = h.github.runs.values();
    expect(body.run_id).toBe(`${run.id}-1`);
    expect(body.run_url).toBe(`/runs/${run.id}-1`);
    expect(body.correlation_id).toMatch(/^chimney-manual-[0-9a-z]{26}$/);
    expect(run.head_branch).toBe("feature/faster-commit");
    expect(await h.runRecord(`${run.id}-1`)).toMatchObject({
      mainline: false,
      dispatch: { kind: "manual", pr_number: 1234 },
    });
    // A pull request's run never moves the nightly signal.
    expect(((await (await h.request("/status")).json()) as { state: string }).state).toBe("unknown");
  });

  it("refuses on-demand dispatch without the admin token, and bad bodies", async () => {
    const h = harness();
    expect((await h.request("/api/dispatch", { method: "POST" })).status).toBe(401);
    expect(
      (
        await h.request("/api/dispatch", {
          method: "POST",
          headers: { authorization: `Bearer ${TEST_BINDINGS.PERF_DASHBOARD_TOKEN}` },
        })
      ).status,
    ).toBe(401);
    const bad = await h.request("/api/dispatch", {
      method: "POST",
      headers: ADMIN,
      body: JSON.stringify({ pr_number: -3 }),
    });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/^pr_number: /);
    expect(h.github.requests).toHaveLength(0);
  });

  it.each([
    ["an array", "[]", "(body)"],
    ["a pull request number beyond 2^53", '{"pr_number": 1e300}', "pr_number"],
    ["a pull request number just beyond 2^53", '{"pr_number": 9007199254740993}', "pr_number"],
    ["a ref git refuses", '{"ref": "-x"}', "ref"],
  ])(
    "refuses an on-demand dispatch whose body is %s (%s): 422 naming the field, nothing dispatched",
    async (_what, body, field) => {
      const h = harness();
      const res = await h.request("/api/dispatch", { method: "POST", headers: ADMIN, body });
      expect(res.status).toBe(422);
      const problem = (await res.json()) as { detail: string; errors: { field: string }[] };
      expect(problem.errors.map((e) => e.field)).toEqual([field]);
      expect(h.github.requests).toHaveLength(0);
      expect(await h.history()).toEqual([]);
    },
  );

  it("answers 502 when GitHub refuses an on-demand dispatch, and retries it on the next tick", async () => {
    const h = harness("2026-11-29T15:00:00.000Z");
    h.github.fail(
      "POST",
      /\/dispatches$/,
      4,
      () => new Response(JSON.stringify({ message: "Server Error" }), { status: 500 }),
    );
    const res = await h.request("/api/dispatch", { method: "POST", headers: ADMIN });
    expect(res.status).toBe(502);
    expect(h.github.runs.size).toBe(0);
    await h.cron(RECONCILE);
    expect(h.github.runs.size).toBe(1);
  });
});

describe("the webhook receiver", () => {
  it("answers ping", async () => {
    const h = harness();
    const { pingPayload, deliveryHeaders } = await import("../../sandbox/webhooks.ts");
    const body = pingPayload();
    const res = await h.request("/webhooks/github", {
      method: "POST",
      headers: await deliveryHeaders(TEST_BINDINGS.GITHUB_WEBHOOK_SECRET, "ping", body),
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, message: "pong" });
  });

  it.each([
    ["a wrong secret", { secret: "not-the-secret" }],
    ["a body altered by one byte", { alter: true }],
    ["no signature", { unsigned: true }],
  ])("refuses a delivery with %s: 401, nothing stored", async (_what, how) => {
    const h = harness();
    const run = h.github.addRun({ display_title: "Firewood smoke benchmark" });
    const { workflowRunPayload, deliveryHeaders } = await import("../../sandbox/webhooks.ts");
    const body = workflowRunPayload(h.github, run, "requested");
    const headers: Record<string, string> = await deliveryHeaders(
      "secret" in how ? how.secret : TEST_BINDINGS.GITHUB_WEBHOOK_SECRET,
      "workflow_run",
      body,
    );
    if ("unsigned" in how) delete headers["x-hub-signature-256"];
    const sent = "alter" in how ? body.replace('"requested"', '"requestee"') : body;
    const res = await h.request("/webhooks/github", { method: "POST", headers, body: sent });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await h.history()).toEqual([]);
  });

  it("accepts the previous secret while it is being rotated", async () => {
    const h = harness();
    const run = h.github.addRun({});
    const res = await h.deliver(run, "requested", { secret: TEST_BINDINGS.GITHUB_WEBHOOK_SECRET_PREVIOUS });
    expect(res.status).toBe(202);
    expect((await h.runRecord(`${run.id}-1`))?.state).toBe("dispatched");
  });

  it("ignores other workflows, other repositories and other events with a 202 that says why", async () => {
    const h = harness();
    const other = h.github.addRun({ workflow: "ci.yml" });
    const res = await h.deliver(other, "completed");
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({
      ignored: true,
      reason: "the run is of .github/workflows/ci.yml, not perf.yml",
    });

    const { workflowRunPayload, deliveryHeaders } = await import("../../sandbox/webhooks.ts");
    const mine = h.github.addRun({});
    const elsewhere = JSON.parse(workflowRunPayload(h.github, mine, "completed"));
    elsewhere.repository.full_name = "someone/else";
    const body = JSON.stringify(elsewhere);
    const foreign = await h.request("/webhooks/github", {
      method: "POST",
      headers: await deliveryHeaders(TEST_BINDINGS.GITHUB_WEBHOOK_SECRET, "workflow_run", body),
      body,
    });
    expect(await foreign.json()).toMatchObject({
      ignored: true,
      reason: "the event is about someone/else, not HUBId/chain",
    });

    const push = '{"ref":"refs/heads/main"}';
    const event = await h.request("/webhooks/github", {
      method: "POST",
      headers: await deliveryHeaders(TEST_BINDINGS.GITHUB_WEBHOOK_SECRET, "push", push),
      body: push,
    });
    expect(await event.json()).toMatchObject({ ignored: true, reason: "chimney does not handle push events" });
    expect(await h.history()).toEqual([]);
  });

  it.each([
    ["a javascript: link", { html_url: "javascript:alert(document.domain)//" }, "workflow_run.html_url"],
    ["a link to another host", { html_url: "https://github.com.evil.test/runs/1" }, "workflow_run.html_url"],
    ["a plain-http GitHub link", { html_url: `http://github.com/${REPO}/actions/runs/1` }, "workflow_run.html_url"],
    ["a head sha that is a path", { head_sha: "../../user/repos?x=" }, "workflow_run.head_sha"],
    ["a short head sha", { head_sha: "1f0e9d8" }, "workflow_run.head_sha"],
    ["a branch with ..", { head_branch: "main/../../x" }, "workflow_run.head_branch"],
    ["a branch that is an option", { head_branch: "--upload-pack=touch" }, "workflow_run.head_branch"],
    ["a branch with a control character", { head_branch: "main\u0007" }, "workflow_run.head_branch"],
    ["a branch ending in .lock", { head_branch: "topic.lock" }, "workflow_run.head_branch"],
    ["a branch over 255 bytes", { head_branch: "é".repeat(128) }, "workflow_run.head_branch"],
    ["a run id beyond 2^53", { id: 2 ** 53 + 2 }, "workflow_run.id"],
    ["a run id of 0", { id: 0 }, "workflow_run.id"],
    ["a fractional attempt", { run_attempt: 1.5 }, "workflow_run.run_attempt"],
    ["a time that is no time", { created_at: "<b>yesterday</b>" }, "workflow_run.created_at"],
  ])("refuses a signed delivery with %s: 400 naming the field, nothing recorded", async (_what, patch, field) => {
    const h = harness();
    const run = h.github.addRun({});
    const { workflowRunPayload, deliveryHeaders } = await import("../../sandbox/webhooks.ts");
    const payload = JSON.parse(workflowRunPayload(h.github, run, "requested"));
    Object.assign(payload.workflow_run, patch);
    const body = JSON.stringify(payload);
    const res = await h.request("/webhooks/github", {
      method: "POST",
      headers: await deliveryHeaders(TEST_BINDINGS.GITHUB_WEBHOOK_SECRET, "workflow_run", body),
      body,
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await res.json()) as { detail: string; errors: { field: string }[] };
    expect(problem.errors.map((e) => e.field)).toEqual([field]);
    expect(problem.detail.startsWith(`${field}: `)).toBe(true);
    expect(await h.history()).toEqual([]);
    // Not even the body was kept for a retry.
    expect((await env.ARTIFACTS.list()).objects).toEqual([]);
  });

  it("keeps a run's head sha lower-cased, and takes a GitHub Enterprise link", async () => {
    const h = harness(undefined, { GITHUB_API_URL: "https://ghe.example.test/api/v3" });
    const run = h.github.addRun({});
    const { workflowRunPayload, deliveryHeaders } = await import("../../sandbox/webhooks.ts");
    const payload = JSON.parse(workflowRunPayload(h.github, run, "requested"));
    payload.workflow_run.head_sha = run.head_sha.toUpperCase();
    payload.workflow_run.html_url = `https://ghe.example.test/${REPO}/actions/runs/${run.id}`;
    const body = JSON.stringify(payload);
    const res = await h.request("/webhooks/github", {
      method: "POST",
      headers: await deliveryHeaders(TEST_BINDINGS.GITHUB_WEBHOOK_SECRET, "workflow_run", body),
      body,
    });
    expect(res.status).toBe(202);
    expect(await h.runRecord(`${run.id}-1`)).toMatchObject({
      sha: run.head_sha.toLowerCase(),
      github: { html_url: `https://ghe.example.test/${REPO}/actions/runs/${run.id}` },
    });
  });

  it("processes again a delivery that failed, when it is redelivered", async () => {
    const faults = new Faults();
    const h = harness(undefined, {}, faults.wrap);
    await h.cron(NIGHTLY);
    const [run] = h.github.runs.values();
    h.github.complete(run.id, { conclusion: "success", files: ARTIFACT });
    faults.fail("runs", "record", 1);
    const id = crypto.randomUUID();
    await h.deliver(run, "completed", { id });
    expect(faults.hits).toEqual(["runs.record"]);
    expect((await h.runRecord(`${run.id}-1`))?.state).toBe("dispatched");
    expect(h.logs.some((l) => l.includes('"event":"delivery_failed"'))).toBe(true);
    const again = await h.deliver(run, "completed", { id });
    expect(await again.json()).toMatchObject({ accepted: true });
    expect((await h.runRecord(`${run.id}-1`))?.state).toBe("passed");
  });

  it("leaves no secret in any log line", async () => {
    const h = harness();
    h.github.fail(
      "POST",
      /\/dispatches$/,
      4,
      () => new Response(JSON.stringify({ message: `token ${TEST_BINDINGS.GITHUB_TOKEN} rejected` }), { status: 400 }),
    );
    await h.cron(NIGHTLY);
    // The error is logged, with GitHub's echo of the token replaced by the token's name.
    const failed = h.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.event === "dispatch_failed");
    expect(failed?.error).toContain("token [GITHUB_TOKEN] rejected");
    expect(h.github.unfired()).toEqual([]);
    for (const secret of [TEST_BINDINGS.GITHUB_TOKEN, TEST_BINDINGS.GITHUB_WEBHOOK_SECRET, TEST_BINDINGS.ADMIN_TOKEN]) {
      expect(h.logs.join("\n")).not.toContain(secret);
    }
  });
});
