import { exports } from "cloudflare:workers";
import { resetStorage } from "./harness.ts";
import { beforeEach, describe, expect, it } from "vitest";
import disagree from "../fixtures/smoke-metrics-disagree.json";
import regressed from "../fixtures/smoke-metrics-regressed.json";
import passing from "../fixtures/smoke-metrics.json";
import summaryPassing from "../fixtures/golden/smoke-summary.json?raw";
import mdPassing from "../fixtures/golden/smoke-summary.md?raw";
import { metricsAt } from "../support/nights.ts";
import { call, expectProblem, json, upload, uploadUntilTaken } from "./helpers.ts";

const SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b";
const PROVENANCE = `run_id=7001&run_attempt=1&sha=${SHA}&ref=main`;

describe("the results store, through the Worker", () => {
  beforeEach(() => resetStorage());

  it("upload → status → runs → run → artifact → badge", async () => {
    expect(await (await call("/status")).json()).toMatchObject({ state: "unknown", latest_run: null, runs: 0 });

    const res = await upload(json(passing), { contentType: "application/json", query: PROVENANCE });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe(`/runs/7001-1`);
    const created = (await res.json()) as { outcome: string; run: { id: string; state: string }; evaluation: unknown };
    expect(created.outcome).toBe("created");
    expect(created.run).toMatchObject({ id: "7001-1", state: "passed", sha: SHA, ref: "main" });
    expect(created.evaluation).toEqual({
      // The commit is not in the (emulated) repository: the bundled baseline judges, and says why.
      source: {
        type: "File",
        path: "baselines/smoke.json",
        fallback: `benchmark/baselines/smoke.json is not in HUBId/chain at ${SHA}`,
      },
      throughput_ops_per_sec: { actual: 10233.31968890708, lower: 8500, upper: 12000, within_range: true },
      total_duration_ms: { actual: 48.86, lower: 0, upper: 65, within_range: true },
      per_batch_p95_ms: { actual: 11.2, lower: 0, upper: 15, within_range: true },
    });

    const status = await (await call("/status")).json();
    expect(status).toMatchObject({
      state: "passing",
      runs: 1,
      latest_run: { id: "7001-1", state: "passed", sha: SHA, url: `/runs/7001-1` },
      last_completed_run: { id: "7001-1" },
    });

    const runs = (await (await call("/runs")).json()) as {
      runs: { id: string; state: string }[];
      cursor: string | null;
    };
    expect(runs.cursor).toBe(null);
    expect(runs.runs.map((r) => [r.id, r.state])).toEqual([["7001-1", "passed"]]);

    const run = (await (await call("/runs/7001-1")).json()) as Record<string, any>;
    expect(run.links).toEqual({
      self: `/runs/7001-1`,
      workflow_run: "https://github.test/HUBId/chain/actions/runs/7001/attempts/1",
      commit: `https://github.test/HUBId/chain/commit/${SHA}`,
    });
    expect(run.identity).toBeUndefined();
    const summary = run.artifacts.find((a: { name: string }) => a.name === "chimney-summary.md");
    expect(summary.url).toBe(`/runs/7001-1/artifacts/chimney-summary.md`);

    const artifact = await call("/runs/7001-1/artifacts/chimney-summary.md");
    expect(artifact.status).toBe(200);
    expect(artifact.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(await artifact.text()).toBe(mdPassing);

    const metrics = await call("/runs/7001-1/artifacts/smoke-metrics.json");
    expect(metrics.headers.get("content-type")).toBe("application/json");
    expect(await metrics.json()).toEqual(passing);

    expect(await (await call("/badge")).json()).toEqual({
      schemaVersion: 1,
      label: "firewood smoke",
      message: "10.2k ops/s",
      color: "brightgreen",
    });
  });

  it("takes multipart uploads with the log and the runner's summaries", async () => {
    const form = new FormData();
    form.append("metrics", new File([json(regressed)], "smoke-metrics.json", { type: "application/json" }));
    form.append(
      "log",
      new File(
        ["SMOKE_BENCHMARK throughput_ops_per_sec=6898.27 total_batches=5 batch_size=100\n"],
        "smoke-benchmark.log",
      ),
    );
    form.append("summary", new File([summaryPassing.replace('"pass"', '"pass"')], "smoke-summary.json"));
    form.append("summary", new File(["<html></html>"], "smoke-summary.html", { type: "text/html" }));
    form.append("run_id", "7002");
    form.append("sha", SHA);
    const res = await upload(form);
    expect(res.status).toBe(201);
    const { run } = (await res.json()) as { run: { id: string; state: string; artifacts: { name: string }[] } };
    expect(run.id).toBe("7002-1");
    expect(run.state).toBe("regressed");
    expect(run.artifacts.map((a) => a.name)).toEqual([
      "smoke-metrics.json",
      "smoke-benchmark.log",
      "smoke-summary.json",
      "smoke-summary.html",
      "chimney-summary.md",
      "chimney-summary.json",
      "chimney-summary.html",
    ]);
    const log = await call("/runs/7002-1/artifacts/smoke-benchmark.log");
    expect(log.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await log.text()).toContain("SMOKE_BENCHMARK");
    const html = await call("/runs/7002-1/artifacts/smoke-summary.html");
    expect(html.headers.get("content-security-policy")).toContain("sandbox");
    expect(html.headers.get("x-content-type-options")).toBe("nosniff");

    const status = (await (await call("/status")).json()) as { state: string; reason: string };
    expect(status.state).toBe("regressed");
    expect(status.reason).toBe(
      "run 7002-1 is outside the baseline: throughput_ops_per_sec, per_batch_p95_ms, total_duration_ms",
    );
    expect(await (await call("/badge")).json()).toMatchObject({ message: "6.9k ops/s (regressed)", color: "red" });
  });

  it("takes smoke-summary.json exactly as Firewood's workflow POSTs it to dashboard-endpoint", async () => {
    const res = await upload(summaryPassing, { contentType: "application/json" });
    expect(res.status).toBe(201);
    const { run } = (await res.json()) as { run: { id: string; input: string; state: string; measurements: unknown } };
    expect(run).toMatchObject({ input: "smoke-summary.json", state: "passed", github: null });
    expect(run.id).toMatch(/^[0-9A-Z]{26}$/);
    const again = await upload(summaryPassing, { contentType: "application/json" });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { run: { id: string } }).run.id).toBe(run.id);
  });

  it("keeps both reports when the runner's disagrees, and says so", async () => {
    const res = await upload(json(disagree), { contentType: "application/json", query: "run_id=7003" });
    const { run } = (await res.json()) as { run: Record<string, any> };
    expect(run.state).toBe("regressed");
    expect(run.runner_report.source).toEqual({ type: "File", path: "/home/runner/perf/baselines/smoke-loose.json" });
    expect(
      run.disagreements
        .filter((d: { fields: string[] }) => d.fields.includes("within_range"))
        .map((d: { metric: string }) => d.metric),
    ).toEqual(["throughput_ops_per_sec", "total_duration_ms"]);
  });

  it("stores the same run once, however often and however concurrently it is uploaded", async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        uploadUntilTaken(json(passing), { contentType: "application/json", query: "run_id=7100&run_attempt=2" }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const runs = (await (await call("/runs?limit=100")).json()) as { runs: { id: string }[] };
    expect(runs.runs.filter((r) => r.id === "7100-2")).toHaveLength(1);
  });

  it("loses no run when many different runs arrive at once", async () => {
    const ids = Array.from({ length: 15 }, (_, i) => 8000 + i);
    const results = await Promise.all(
      ids.map((id) => uploadUntilTaken(json(passing), { contentType: "application/json", query: `run_id=${id}` })),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    const runs = (await (await call("/runs?limit=100")).json()) as { runs: { id: string }[] };
    expect(runs.runs.map((r) => r.id).sort()).toEqual(ids.map((id) => `${id}-1`).sort());
    expect(((await (await call("/status")).json()) as { runs: number }).runs).toBe(15);
  });

  it("pages through /runs newest first with an opaque cursor", async () => {
    for (const id of [9001, 9002, 9003, 9004, 9005]) {
      expect((await upload(json(passing), { contentType: "application/json", query: `run_id=${id}` })).status).toBe(
        201,
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Response = await call(`/runs?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      const page = (await res.json()) as { runs: { id: string }[]; cursor: string | null };
      expect(page.runs.length).toBeLessThanOrEqual(2);
      seen.push(...page.runs.map((r) => r.id));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual(["9005-1", "9004-1", "9003-1", "9002-1", "9001-1"]);
  });

  it("answers a conflicting result for a stored run with 409 and keeps the first", async () => {
    await upload(json(passing), { contentType: "application/json", query: "run_id=7200" });
    const before = await (await call("/runs/7200-1")).json();
    await expectProblem(await upload(json(regressed), { contentType: "application/json", query: "run_id=7200" }), 409);
    expect(await (await call("/runs/7200-1")).json()).toEqual(before);
  });

  it("leaves nothing behind for a refused upload: five conflicting uploads store no file", async () => {
    const { env } = await import("cloudflare:workers");
    const objects = async () => (await env.ARTIFACTS.list({ prefix: "artifacts/" })).objects.length;
    await upload(json(passing), { contentType: "application/json", query: "run_id=7300" });
    const stored = await objects();
    for (let i = 0; i < 5; i++) {
      const slower = metricsAt(1.3 + i / 100);
      await expectProblem(await upload(json(slower), { contentType: "application/json", query: "run_id=7300" }), 409);
    }
    expect(await objects()).toBe(stored);
  });

  it("serves status and badge with validators", async () => {
    const first = await call("/status");
    const etag = first.headers.get("etag");
    expect(etag).toBeTruthy();
    expect(first.headers.get("cache-control")).toBe("public, max-age=30");
    const again = await call("/status", { headers: { "if-none-match": etag! } });
    expect(again.status).toBe(304);
    const badge = await call("/badge");
    expect((await call("/badge", { headers: { "if-none-match": badge.headers.get("etag")! } })).status).toBe(304);
  });

  it("answers /healthz without storage, through the Worker's default export", async () => {
    const res = await exports.default.fetch("https://chimney.test/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
});
