/**
 * The pruning suite's bands: each night's pruning results are judged by the suite's baseline file
 * (`benchmark/baselines/pruning.json`) at the night's commit, with the bundled copy as the
 * fallback, and a variant out of its band raises the suite's one alert.
 */
import { beforeEach, describe, expect, it } from "vitest";
import bundled from "../../baselines/pruning.json";
import suitesText from "../../chimney.suites.json?raw";
import { REPO } from "../../sandbox/github.ts";
import passing from "../fixtures/smoke-metrics.json";
import pruningIoUring from "../fixtures/pruning-metrics-io-uring-bf256.json?raw";
import pruningStandard from "../fixtures/pruning-metrics-standard-bf16.json?raw";
import { noise } from "../support/nights.ts";
import { pruningAt } from "../support/pruning.ts";
import { TEST_BINDINGS } from "../bindings.ts";
import { harness, NIGHTLY, resetStorage } from "./harness.ts";

beforeEach(() => resetStorage());

const PATH = "benchmark/baselines/pruning.json";
const DAY = 86_400_000;
const THROUGHPUT = "standard-bf16 - throughput_ops_per_sec";
// The shipped suites, watching the emulator's repository.
const SUITES = (JSON.parse(suitesText) as { suites: { name: string }[] }).suites.map((s) => ({
  ...s,
  repository: REPO,
}));
const withSuites = (suites = SUITES) => harness(undefined, { CHIMNEY_SUITES: JSON.stringify({ suites }) });
type Harness = ReturnType<typeof withSuites>;

/** The bundled file with standard-bf16's throughput band changed. */
const withThroughput = (band: { lower: number | null; upper: number | null }) =>
  JSON.stringify(
    { ...bundled, "standard-bf16": { ...bundled["standard-bf16"], throughput_ops_per_sec: band } },
    null,
    2,
  );

interface Band {
  state: string;
  out_of_band: string[];
  unjudged: string[];
  judged_by: Record<string, string>[];
}

/**
 * Night `i`: a commit lands (with `files`), the nightly perf.yml run benchmarks it, and its
 * pruning legs report standard-bf16 at `standard` times its usual block time (18.2 ops/s at 1)
 * and io-uring-bf256 at 0.9 (12.3 ops/s, 8.1 s), each with ±3% noise.
 */
async function night(
  h: Harness,
  i: number,
  options: { standard?: number; files?: Record<string, string | null> } = {},
) {
  h.clock.advance(DAY);
  const sha = h.github.addCommit(`night ${i}`, { files: options.files ?? {} });
  await h.cron(NIGHTLY);
  const run = [...h.github.runs.values()].at(-1)!;
  expect(run.head_sha).toBe(sha);
  h.github.complete(run.id, {
    conclusion: "success",
    files: { "smoke-metrics.json": JSON.stringify(passing) },
    artifacts: {
      "pruning-benchmark-standard-bf16": {
        "pruning-metrics-standard-bf16.json": pruningAt(pruningStandard, (options.standard ?? 1) * noise(i)),
      },
      "pruning-benchmark-io-uring-bf256": {
        "pruning-metrics-io-uring-bf256.json": pruningAt(pruningIoUring, 0.9 * noise(i + 50)),
      },
    },
  });
  expect((await h.deliver(run, "completed")).status).toBe(202);
  return sha;
}

async function results(h: Harness): Promise<{ sha: string; band: Band }[]> {
  return ((await (await h.request("/runs?suite=pruning")).json()) as { results: { sha: string; band: Band }[] })
    .results;
}

async function pruningStatus(h: Harness): Promise<{ state: string; bands: Band | null }> {
  const doc = (await (await h.request("/status")).json()) as {
    suites: { name: string; state: string; bands: Band | null }[];
  };
  return doc.suites.find((s) => s.name === "pruning")!;
}

const logged = (h: Harness, event: string) => h.logs.map((l) => JSON.parse(l)).filter((e) => e.event === event);
const pruningIssues = (h: Harness) => h.github.alertIssues().filter((i) => i.title.startsWith("pruning "));

describe("the pruning suite's baseline file", () => {
  it("judges each night by the file at the night's own commit: a band tightened in a commit judges that commit's run", async () => {
    const h = withSuites();
    const a = await night(h, 0, { files: { [PATH]: JSON.stringify(bundled, null, 2) } });
    const [atA] = await results(h);
    expect(atA.band).toEqual({
      state: "in_band",
      out_of_band: [],
      unjudged: [],
      judged_by: [{ type: "Repository", repository: REPO, path: PATH, commit: a, blob_sha: expect.any(String) }],
    });
    expect(pruningIssues(h)).toEqual([]);

    // Commit B raises standard-bf16's lower throughput bound past its 18 ops/s; B's own night is judged by it.
    const b = await night(h, 1, { files: { [PATH]: withThroughput({ lower: 19, upper: 25 }) } });
    const [atB, stillA] = await results(h);
    expect(atB).toMatchObject({
      sha: b,
      band: { state: "out_of_band", out_of_band: [THROUGHPUT], judged_by: [{ type: "Repository", commit: b }] },
    });
    expect(atB.band.judged_by[0].blob_sha).not.toBe(atA.band.judged_by[0].blob_sha);
    // A's night keeps the verdict of A's file.
    expect(stillA).toEqual(atA);
    expect(await pruningStatus(h)).toMatchObject({ state: "regressed", bands: atB.band });

    const [issue, ...others] = pruningIssues(h);
    expect(others).toEqual([]);
    expect(issue.title).toMatch(
      /^pruning benchmarks out of band: standard-bf16 - throughput_ops_per_sec 1[78]\.\d\d \(band 19–25\) \(since \d{4}-\d\d-\d\d\)$/,
    );
    expect(issue.body).toMatch(/\| `standard-bf16` \| `throughput_ops_per_sec` \| 1[78]\.\d{4} ops\/sec \| 19–25 \|/);
    expect(issue.body).toContain(`${REPO}@${b.slice(0, 12)}:${PATH}`);
    expect(issue.body).toContain(`/compare/${a}...${b}`);
    // Each night reads the smoke file for the smoke suite, as before, and the pruning file once.
    expect(h.github.calls("GET", /\/contents\/benchmark\/baselines\/smoke\.json$/)).toBe(2);
    expect(h.github.calls("GET", /\/contents\/benchmark\/baselines\/pruning\.json$/)).toBe(2);
    expect(logged(h, "baseline_parsed").map((e) => e.path)).toEqual(["benchmark/baselines/smoke.json", PATH, PATH]);
  });

  it("falls back to the bundled baselines/pruning.json, saying why, when the file is not at the commit", async () => {
    const h = withSuites();
    const sha = await night(h, 0);
    const fallback = {
      type: "File",
      path: "baselines/pruning.json",
      fallback: `${PATH} is not in ${REPO} at ${sha}`,
    };
    expect((await results(h))[0].band).toEqual({
      state: "in_band",
      out_of_band: [],
      unjudged: [],
      judged_by: [fallback],
    });
    expect((await pruningStatus(h)).bands).toMatchObject({ state: "in_band", judged_by: [fallback] });
  });

  it("falls back to the bundled file when the file at the commit is invalid, naming the field", async () => {
    const h = withSuites();
    const sha = await night(h, 0, { files: { [PATH]: withThroughput({ lower: 30, upper: 25 }) } });
    const [result] = await results(h);
    expect(result.band.state).toBe("in_band");
    expect(result.band.judged_by).toEqual([
      {
        type: "File",
        path: "baselines/pruning.json",
        fallback: `${PATH} at ${sha} is invalid: standard-bf16.throughput_ops_per_sec.lower: must not exceed \`upper\``,
      },
    ]);
    expect(logged(h, "baseline_invalid")).toMatchObject([
      { path: PATH, commit: sha, issues: [{ field: "standard-bf16.throughput_ops_per_sec.lower" }] },
    ]);
  });

  it("reports a variant the file has no profile for as unjudged, not out of band", async () => {
    const h = withSuites();
    const { "io-uring-bf256": _, ...withoutIoUring } = bundled;
    await night(h, 0, { files: { [PATH]: JSON.stringify(withoutIoUring) } });
    const [result] = await results(h);
    expect(result.band).toMatchObject({
      state: "in_band",
      out_of_band: [],
      unjudged: [
        "io-uring-bf256 - per_block_p95_ms",
        "io-uring-bf256 - throughput_ops_per_sec",
        "io-uring-bf256 - total_duration_ms",
      ],
    });
    expect(pruningIssues(h)).toEqual([]);
  });

  it("judges an upload with a sha by the file at that commit", async () => {
    const h = withSuites();
    const sha = h.github.addCommit("tighten the pruning band", {
      files: { [PATH]: withThroughput({ lower: 19, upper: 25 }) },
    });
    const res = await h.request(`/api/results?suite=pruning&sha=${sha}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_BINDINGS.PERF_DASHBOARD_TOKEN}`, "content-type": "application/json" },
      body: pruningStandard,
    });
    expect(res.status).toBe(201);
    expect((await results(h))[0].band).toMatchObject({
      state: "out_of_band",
      out_of_band: [THROUGHPUT],
      judged_by: [{ type: "Repository", path: PATH, commit: sha }],
    });
  });
});

describe("the pruning suite's alert from its bands", () => {
  it("opens one issue when a variant leaves its band, keeps it while it stays out, and closes it once all are back", async () => {
    const h = withSuites();
    const files = { [PATH]: JSON.stringify(bundled, null, 2) };
    let last = "";
    for (let i = 0; i < 10; i++) last = await night(h, i, i === 0 ? { files } : {});
    expect(pruningIssues(h)).toEqual([]);

    // standard-bf16 takes 55% longer: 11.7 ops/s against at least 12, and 8.5 s against at most 8.
    const first = await night(h, 10, { standard: 1.55 });
    await night(h, 11, { standard: 1.55 });
    const [issue, ...others] = pruningIssues(h);
    expect(others).toEqual([]);
    expect(issue.state).toBe("open");
    expect(issue.labels).toEqual(["performance", "pruning-benchmark", "perf-regression"]);
    expect(issue.title).toMatch(/^pruning benchmarks out of band: standard-bf16 - t/);
    expect(issue.body).toMatch(/\| `standard-bf16` \| `throughput_ops_per_sec` \| 1[12]\.\d{4} ops\/sec \| 12–25 \|/);
    expect(issue.body).toMatch(/\| `standard-bf16` \| `total_duration_ms` \| 8\d{3}\.\d\d ms \| ≤ 8000 \|/);
    expect(issue.body).toContain(`${REPO}@${first.slice(0, 12)}:${PATH}`);
    expect(issue.body).toContain(`/compare/${last}...${first}`);
    expect((await pruningStatus(h)).bands).toMatchObject({
      state: "out_of_band",
      out_of_band: [THROUGHPUT, "standard-bf16 - total_duration_ms"],
    });

    for (let i = 12; i < 16; i++) await night(h, i);
    expect(issue.state).toBe("closed");
    expect(issue.comments.at(-1)).toMatch(/Recovered: .* every one is back in its band/);
    expect(pruningIssues(h)).toHaveLength(1);
    expect(await pruningStatus(h)).toMatchObject({ state: "passing", bands: { state: "in_band" } });
  }, 30_000);

  it("opens its issue out of band though the suite looks for no change points", async () => {
    const bandsOnly = SUITES.map((s) =>
      s.name === "pruning"
        ? { ...s, alerts: { change_points: false, confirm: false, labels: ["performance", "pruning-benchmark"] } }
        : s,
    );
    const h = withSuites(bandsOnly);
    const files = { [PATH]: JSON.stringify(bundled, null, 2) };
    for (let i = 0; i < 4; i++) await night(h, i, i === 0 ? { files } : {});
    expect(pruningIssues(h)).toEqual([]);
    await night(h, 4, { standard: 1.55 });
    const [issue] = pruningIssues(h);
    expect(issue?.title).toMatch(/^pruning benchmarks out of band: standard-bf16 - t/);
    await night(h, 5);
    expect(issue.state).toBe("closed");
  }, 30_000);
});
