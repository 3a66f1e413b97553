/** `POST /api/results?suite=NAME`: one document of a series suite, merged into its series. */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import passing from "../fixtures/smoke-metrics.json";
import cargoOutput from "../fixtures/formats/cargo-output.txt?raw";
import pruningStandard from "../fixtures/pruning-metrics-standard-bf16.json?raw";
import { TEST_BINDINGS } from "../bindings.ts";
import { harness, resetStorage } from "./harness.ts";
import { SMOKE_SUITE as SMOKE, RUST_SUITE as RUST } from "../support/suites.ts";

beforeEach(() => resetStorage());

const withSuites = (...suites: object[]) => harness(undefined, { CHIMNEY_SUITES: JSON.stringify({ suites }) });
type Harness = ReturnType<typeof withSuites>;

async function seriesOf(h: Harness): Promise<{ key: string; name: string }[]> {
  return ((await (await h.request("/series")).json()) as { series: { key: string; name: string }[] }).series;
}

describe("POST /api/results?suite=", () => {
  const post = (h: Harness, query: string, body: string, contentType = "text/plain") =>
    h.request(`/api/results?${query}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_BINDINGS.PERF_DASHBOARD_TOKEN}`, "content-type": contentType },
      body,
    });

  it("takes a pruning-metrics.json document for a pruning suite, one series per metric, and names a bad field", async () => {
    const h = withSuites(SMOKE, {
      name: "pruning",
      workflow: "perf.yml",
      artifacts: ["pruning-*"],
      format: "pruning",
      start: "follow",
    });
    const res = await post(h, "suite=pruning", pruningStandard, "application/json");
    expect(res.status).toBe(201);
    expect(((await res.json()) as { series: { name: string }[] }).series.map((s) => s.name)).toEqual([
      "standard-bf16 - throughput_ops_per_sec",
      "standard-bf16 - per_block_p95_ms",
      "standard-bf16 - total_duration_ms",
    ]);
    const bad = await post(h, "suite=pruning", JSON.stringify({ ...JSON.parse(pruningStandard), blocks: 0 }));
    expect(bad.status).toBe(422);
    expect(JSON.stringify(await bad.json())).toContain('"blocks"');
  });

  it("merges one document into the suite's series, at now, with the commit given", async () => {
    const h = withSuites(SMOKE, RUST);
    const sha = "1f0e9d8c7b6a59483726150f1e2d3c4b5a697887";
    const res = await post(h, `suite=rust-benches&sha=${sha}&ref=main`, cargoOutput);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { suite: string; series: { name: string; added: number; points: number }[] };
    expect(body.suite).toBe("rust-benches");
    expect(body.series).toMatchObject([
      { name: "bench_fib_10", unit: "ns/iter", added: 1, points: 1 },
      { name: "bench_fib_20", unit: "ns/iter", added: 1, points: 1 },
    ]);
    const [fib10] = await seriesOf(h);
    const one = (await (await h.request(`/series/${fib10.key}`)).json()) as { points: object[] };
    expect(one.points).toEqual([
      {
        at: new Date(h.clock.now()).toISOString(),
        sha,
        value: 135,
        commit_url: `https://github.test/HUBId/chain/commit/${sha}`,
        message: null,
      },
    ]);
  });

  it("refuses bad input naming the line or field, and stores nothing", async () => {
    const criterion = { ...RUST, name: "criterion", artifacts: ["benchmark-results"], format: "criterion" };
    const h = withSuites(SMOKE, RUST, criterion);
    const problem = async (res: Response, status: number) => {
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      return ((await res.json()) as { detail: string }).detail;
    };
    expect(
      await problem(await post(h, "suite=rust-benches", "test a ... bench:   fast ns/iter (+/- 1)\n"), 422),
    ).toMatch(/^line 1: /);
    expect(await problem(await post(h, "suite=rust-benches&sha=nope", cargoOutput), 422)).toMatch(/^sha: /);
    expect(await problem(await post(h, "suite=rust-benches&ref=feature", cargoOutput), 422)).toMatch(/^ref: /);
    expect(await problem(await post(h, "suite=rust-benches&run_id=5", cargoOutput), 422)).toMatch(/^run_id: /);
    expect(await problem(await post(h, "suite=nightly-go", cargoOutput), 404)).toMatch(/^suite: /);
    expect(await problem(await post(h, "suite=criterion", "{}", "application/json"), 422)).toMatch(
      /^suite: is a criterion suite: its results are Criterion's files/,
    );
    expect(await seriesOf(h)).toEqual([]);
    const unauthorized = await h.request("/api/results?suite=rust-benches", { method: "POST", body: cargoOutput });
    expect(unauthorized.status).toBe(401);
  });

  it("is today's upload for suite=smoke", async () => {
    const h = withSuites(SMOKE, RUST);
    const res = await post(h, "suite=smoke", JSON.stringify(passing), "application/json");
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ outcome: "created", run: { state: "passed" } });
  });
});

describe("the status page after a suite's upload", () => {
  it("is published again with the suite's new series", async () => {
    const h = withSuites(SMOKE, RUST);
    expect((await h.request("/", { headers: { accept: "text/html" } })).status).toBe(200);
    const res = await h.request("/api/results?suite=rust-benches", {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_BINDINGS.PERF_DASHBOARD_TOKEN}`, "content-type": "text/plain" },
      body: cargoOutput,
    });
    expect(res.status).toBe(201);
    const page = await (await h.request("/", { headers: { accept: "text/html" } })).text();
    const [first] = await seriesOf(h);
    expect(page).toContain(first.name);
  });
});

describe("a series suite's state", () => {
  it("is read from each series' newest point, not from every point of every series", async () => {
    const h = withSuites(SMOKE, RUST);
    await h.request("/api/results?suite=rust-benches", {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_BINDINGS.PERF_DASHBOARD_TOKEN}`, "content-type": "text/plain" },
      body: cargoOutput,
    });
    const count = (await seriesOf(h)).length;
    // What /status and /badge read is bounded by the number of series: the whole series are not read.
    await env.RUNS.put("series", "[]");
    const status = (await (await h.request("/status")).json()) as {
      suites: { name: string; state: string; reason: string }[];
    };
    const rust = status.suites.find((s) => s.name === "rust-benches");
    expect(rust?.state).toBe("passing");
    expect(rust?.reason).toMatch(new RegExp(`^${count} series, the newest result from `));
    const badge = (await (await h.request("/badge?suite=rust-benches")).json()) as { message: string };
    expect(badge.message).toBe("passing");
  });
});
