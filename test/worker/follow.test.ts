/**
 * A followed suite (issue 16, item 3): chimney ingests every completed run of the suite's
 * workflow on its branch, whatever started it, and keeps its benches as series.
 */
import { beforeEach, describe, expect, it } from "vitest";
import passing from "../fixtures/smoke-metrics.json";
import cargoFirewood from "../fixtures/formats/cargo-firewood.txt?raw";
import cargoOutput from "../fixtures/formats/cargo-output.txt?raw";
import customReexecution from "../fixtures/formats/custom-firewood-reexecution.json?raw";
import { TEST_BINDINGS } from "../bindings.ts";
import historyText from "../fixtures/firewood-bench-history.json?raw";
import { CRITERION } from "../support/criterion-tree.ts";
import { noise } from "../support/nights.ts";
import suitesText from "../../chimney.suites.json?raw";
import pruningIoUring from "../fixtures/pruning-metrics-io-uring-bf256.json?raw";
import pruningStandard from "../fixtures/pruning-metrics-standard-bf16.json?raw";
import { REPO } from "../../sandbox/github.ts";
import { harness, NIGHTLY, RECONCILE, resetStorage } from "./harness.ts";
import { SMOKE_SUITE as SMOKE, RUST_SUITE as RUST } from "../support/suites.ts";

beforeEach(() => resetStorage());

const CCHAIN = {
  name: "cchain-reexecution",
  workflow: "benchmarks.yaml",
  artifacts: ["cchain-output-*"],
  format: "customBiggerIsBetter",
  start: "follow",
};

const withSuites = (...suites: object[]) => harness(undefined, { CHIMNEY_SUITES: JSON.stringify({ suites }) });
type Harness = ReturnType<typeof withSuites>;

interface SeriesList {
  series: { key: string; suite: string; name: string; unit: string; points: number }[];
}

async function seriesOf(h: Harness): Promise<SeriesList["series"]> {
  return ((await (await h.request("/series")).json()) as SeriesList).series;
}

const logged = (h: Harness, event: string) => h.logs.map((l) => JSON.parse(l)).filter((e) => e.event === event);

/** A run of benchmarks.yaml that someone else started (a push), completed with these artifacts. */
function pushedRun(h: Harness, artifacts: Record<string, Record<string, string>>, branch = "main") {
  const sha = h.github.addCommit("Speed up the hasher");
  const run = h.github.addRun({ workflow: "benchmarks.yaml", event: "push", head_branch: branch, head_sha: sha });
  h.github.complete(run.id, { conclusion: "success", artifacts });
  return run;
}

describe("a followed suite", () => {
  it("ingests a run it did not dispatch as one point per bench, and the same delivery twice adds nothing", async () => {
    const h = withSuites(SMOKE, RUST);
    const run = pushedRun(h, {
      "bench-output-hashops": { "output.txt": cargoFirewood, "cargo.log": "   Compiling firewood v0.1.0" },
    });
    const res = await h.deliver(run, "completed", { id: "delivery-1" });
    expect(res.status).toBe(202);

    const series = await seriesOf(h);
    expect(series.map((s) => [s.suite, s.name, s.unit, s.points])).toEqual(
      expect.arrayContaining([
        ["rust-benches", "Merkle/insert", "ns/iter", 1],
        ["rust-benches", "hash", "ns/iter", 1],
      ]),
    );
    const merkle = series.find((s) => s.name === "Merkle/insert")!;
    const one = (await (await h.request(`/series/${merkle.key}`)).json()) as {
      points: { at: string; sha: string; value: number; commit_url: string }[];
    };
    expect(one.points).toEqual([
      expect.objectContaining({
        at: h.github.runJson(run).run_started_at,
        sha: run.head_sha,
        value: 2913,
        commit_url: `https://github.test/HUBId/chain/commit/${run.head_sha}`,
      }),
    ]);
    expect(logged(h, "suite_run_ingested")).toMatchObject([
      { suite: "rust-benches", run: run.id, added: series.length },
    ]);

    // GitHub redelivers; and a new delivery id for the same run adds no point either.
    await h.deliver(run, "completed", { id: "delivery-1" });
    await h.deliver(run, "completed", { id: "delivery-2" });
    expect((await seriesOf(h)).map((s) => s.points)).toEqual(series.map(() => 1));
    // The smoke suite's history is untouched: a followed run is not a night.
    expect((await (await h.request("/runs?limit=10")).json()) as { runs: unknown[] }).toMatchObject({ runs: [] });
  });

  it("ignores a run of another branch, saying why", async () => {
    const h = withSuites(SMOKE, RUST);
    const run = pushedRun(h, { "bench-output-hashops": { "output.txt": cargoFirewood } }, "feature/faster");
    const res = await h.deliver(run, "completed");
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({
      ignored: true,
      reason: "the run is of branch feature/faster; rust-benches follows main",
    });
    expect(await seriesOf(h)).toEqual([]);
  });

  it("logs an artifact that does not parse with its line, stores nothing, and does not retry it", async () => {
    const h = withSuites(SMOKE, RUST);
    const run = pushedRun(h, {
      "bench-output-hashops": { "output.txt": "test Merkle/insert ... bench:   fast ns/iter (+/- 41)\n" },
    });
    await h.deliver(run, "completed");
    expect(await seriesOf(h)).toEqual([]);
    expect(logged(h, "suite_run_failed")).toMatchObject([
      {
        suite: "rust-benches",
        run: run.id,
        retry: false,
        reason: expect.stringMatching(/^bench-output-hashops\/output\.txt: line 1: /),
      },
    ]);
    const downloads = h.github.calls("GET", /\/actions\/artifacts\/\d+\/zip$/);
    h.clock.advance(31 * 60_000);
    await h.cron(RECONCILE);
    expect(h.github.calls("GET", /\/actions\/artifacts\/\d+\/zip$/)).toBe(downloads);
  });

  it("retries the delivery when GitHub fails the download, and ingests the run once GitHub is well", async () => {
    const h = withSuites(SMOKE, RUST);
    const run = pushedRun(h, { "bench-output-hashops": { "output.txt": cargoFirewood } });
    h.github.fail("GET", /\/actions\/artifacts\/\d+\/zip$/, 20, () =>
      Response.json({ message: "Server Error" }, { status: 502 }),
    );
    await h.deliver(run, "completed");
    expect(await seriesOf(h)).toEqual([]);
    expect(logged(h, "suite_run_failed")).toMatchObject([{ suite: "rust-benches", retry: true }]);
    expect(logged(h, "delivery_failed")).toHaveLength(1);

    h.github.heal();
    h.clock.advance(31 * 60_000);
    await h.cron(RECONCILE);
    const series = await seriesOf(h);
    expect(series.map((s) => s.name)).toEqual(expect.arrayContaining(["Merkle/insert", "Db/commit", "hash"]));
    expect(series.every((s) => s.points === 1)).toBe(true);
    expect(logged(h, "suite_run_ingested")).toHaveLength(1);
  });

  it("gives each of two suites following one workflow its own artifacts", async () => {
    const h = withSuites(SMOKE, RUST, CCHAIN);
    const run = pushedRun(h, {
      "bench-output-fib": { "output.txt": cargoOutput },
      "cchain-output-firewood": { "benchmark-output.json": customReexecution },
    });
    await h.deliver(run, "completed");
    const series = await seriesOf(h);
    expect(series.filter((s) => s.suite === "rust-benches").map((s) => s.name)).toEqual([
      "bench_fib_10",
      "bench_fib_20",
    ]);
    const cchain = series.filter((s) => s.suite === "cchain-reexecution");
    expect(cchain.length).toBe((JSON.parse(customReexecution) as unknown[]).length);
    expect(cchain.every((s) => s.points === 1)).toBe(true);
  });

  it("leaves the smoke suite's nights as they were", async () => {
    const h = withSuites(SMOKE, RUST);
    const night = await h.night(passing);
    expect(await h.runRecord(`${night.id}-1`)).toMatchObject({ state: "passed" });
    expect(await seriesOf(h)).toEqual([]);
  });
});

describe("a followed suite's results", () => {
  it("are listed by /runs?suite=NAME, newest first, a page at a time", async () => {
    const h = withSuites(SMOKE, RUST);
    const first = pushedRun(h, { "bench-output-hashops": { "output.txt": cargoFirewood } });
    expect((await h.deliver(first, "completed")).status).toBe(202);
    h.clock.advance(86_400_000);
    const second = pushedRun(h, { "bench-output-hashops": { "output.txt": cargoFirewood } });
    expect((await h.deliver(second, "completed")).status).toBe(202);

    type Page = { suite: string; results: { sha: string; values: Record<string, number> }[]; next: string | null };
    const page = async (query: string) => (await (await h.request(`/runs?${query}`)).json()) as Page;
    const all = await page("suite=rust-benches");
    expect(all.results.map((r) => r.sha)).toEqual([second.head_sha, first.head_sha]);
    expect(all.results[0].values).toMatchObject({ "Merkle/insert": 2913, hash: 418 });
    expect(all.next).toBeNull();
    const one = await page("suite=rust-benches&limit=1");
    expect(one.results.map((r) => r.sha)).toEqual([second.head_sha]);
    const rest = await page(`suite=rust-benches&limit=1&before=${encodeURIComponent(one.next!)}`);
    expect(rest.results.map((r) => r.sha)).toEqual([first.head_sha]);

    expect((await h.request("/runs?suite=nope")).status).toBe(404);
    const bad = await h.request("/runs?suite=rust-benches&before=yesterday");
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('"before"');
    // The smoke suite's runs are the ledger's, as without suite.
    expect(((await (await h.request("/runs?suite=smoke")).json()) as { runs: unknown[] }).runs).toEqual([]);
  });
});

describe("a followed suite continuing history kept before chimney", () => {
  const ADMIN = { authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "content-type": "application/json" };

  it("imports Firewood's data.js into the suite, and the next run extends the same series", async () => {
    const h = withSuites(SMOKE, CCHAIN);
    const imported = await h.request("/api/import?suite=cchain-reexecution", {
      method: "POST",
      headers: ADMIN,
      body: historyText,
    });
    expect(imported.status).toBe(200);
    const before = await seriesOf(h);
    expect(new Set(before.map((s) => s.suite))).toEqual(new Set(["cchain-reexecution"]));
    const mgas = before.find((s) =>
      s.name.endsWith("[33000001,33500000]-Config-firewood-Runner-avago-runner-i4i-2xlarge-local-ssd - mgas/s"),
    )!;
    expect(mgas.points).toBeGreaterThan(10);

    const run = pushedRun(h, { "cchain-output-33m": { "benchmark-output.json": customReexecution } });
    expect((await h.deliver(run, "completed")).status).toBe(202);
    const after = await seriesOf(h);
    expect(after.find((s) => s.key === mgas.key)?.points).toBe(mgas.points + 1);
    expect(after).toHaveLength(before.length);
  });

  it("refuses ?suite= of a suite not watched through its series, naming suite, and stores nothing", async () => {
    const h = withSuites(SMOKE, CCHAIN);
    for (const suite of ["nope", "smoke"]) {
      const res = await h.request(`/api/import?suite=${suite}`, { method: "POST", headers: ADMIN, body: historyText });
      expect(res.status).toBe(suite === "nope" ? 404 : 422);
      expect(JSON.stringify(await res.json())).toContain("suite");
    }
    expect(await seriesOf(h)).toEqual([]);
  });
});

describe("a followed Criterion suite", () => {
  it("reads Firewood's benchmark-results artifact, a target/criterion tree, one point per benchmark", async () => {
    const h = withSuites(SMOKE, {
      name: "criterion",
      workflow: "benchmarks.yaml",
      artifacts: ["benchmark-results"],
      format: "criterion",
      start: "follow",
    });
    const run = pushedRun(h, { "benchmark-results": CRITERION });
    expect((await h.deliver(run, "completed")).status).toBe(202);
    expect(logged(h, "suite_run_failed")).toEqual([]);
    const names = (await seriesOf(h)).map((s) => [s.suite, s.name, s.unit, s.points]);
    expect(names).toEqual(
      expect.arrayContaining([
        ["criterion", "Merkle/insert", "ns/iter", 1],
        ["criterion", "Proofs/single_key_proof/generate", "ns/iter", 1],
      ]),
    );
  });
});

describe("a followed suite's regression alert", () => {
  const DAY = 86_400_000;
  const cargo = (insert: number, hash: number) =>
    [
      `test insert/1000 ... bench: ${Math.round(insert).toLocaleString("en-US")} ns/iter (+/- 18,450)`,
      `test hash ... bench: ${Math.round(hash).toLocaleString("en-US")} ns/iter (+/- 3)`,
    ].join("\n");
  /** One pushed run a day: insert/1000 at `level` times its usual time, both benches with ±3% noise. */
  async function day(h: Harness, i: number, level: number) {
    h.clock.advance(DAY);
    const run = pushedRun(h, {
      "bench-output-hashops": { "output.txt": cargo(1_200_000 * level * noise(i), 418 * noise(i + 50)) },
    });
    expect((await h.deliver(run, "completed")).status).toBe(202);
  }

  it("opens one issue once a bench stood slower for three runs, naming it, and closes it when it is back", async () => {
    const h = withSuites(SMOKE, { ...RUST, alerts: { labels: ["performance", "rust"] } });
    for (let i = 0; i < 20; i++) await day(h, i, 1);
    await day(h, 20, 1.15);
    await day(h, 21, 1.15);
    expect(h.github.alertIssues()).toEqual([]);
    await day(h, 22, 1.15);
    const [issue, ...others] = h.github.alertIssues();
    expect(others).toEqual([]);
    expect(issue.labels).toEqual(["performance", "rust", "perf-regression"]);
    expect(issue.title).toMatch(
      /^rust-benches benchmarks regressed: insert\/1000 \+1\d\.\d% \(since \d{4}-\d\d-\d\d\)$/,
    );
    expect(issue.body).toContain("1 of the 2 series of the `rust-benches` suite");
    expect(issue.body).toMatch(/\/compare\/[0-9a-f]{40}\.\.\.[0-9a-f]{40}/);
    const status = (await (await h.request("/status")).json()) as { suites: { name: string; state: string }[] };
    expect(status.suites.find((s) => s.name === "rust-benches")?.state).toBe("regressed");

    for (let i = 23; i < 26; i++) await day(h, i, 1.15);
    expect(issue.comments).toEqual([]);
    for (let i = 26; i < 30; i++) await day(h, i, 1);
    expect(issue.state).toBe("closed");
    expect(issue.comments.at(-1)).toMatch(/Recovered: no series of `rust-benches` stands worse any more/);
    expect(h.github.alertIssues()).toHaveLength(1);
  });

  it("alerts for each suite on its own: two suites of one workflow, two issues, each naming its own series", async () => {
    const h = withSuites(SMOKE, RUST, CCHAIN);
    const reexecution = (mgas: number) => JSON.stringify([{ name: "reexecute 40M-41M", unit: "mgas/s", value: mgas }]);
    const both = async (i: number, rust: number, cchain: number) => {
      h.clock.advance(DAY);
      const run = pushedRun(h, {
        "bench-output-hashops": { "output.txt": cargo(1_200_000 * rust * noise(i), 418 * noise(i + 50)) },
        "cchain-output-40m": { "benchmark-output.json": reexecution(95 * cchain * noise(i + 90)) },
      });
      expect((await h.deliver(run, "completed")).status).toBe(202);
    };
    for (let i = 0; i < 20; i++) await both(i, 1, 1);
    for (let i = 20; i < 24; i++) await both(i, 1.15, 1);
    expect(h.github.alertIssues().map((i) => i.title.split(":")[0])).toEqual(["rust-benches benchmarks regressed"]);
    for (let i = 24; i < 28; i++) await both(i, 1.15, 0.8);
    const titles = h.github.alertIssues().map((i) => [i.title.split(":")[0], i.state]);
    expect(titles).toEqual([
      ["rust-benches benchmarks regressed", "open"],
      ["cchain-reexecution benchmarks regressed", "open"],
    ]);
    expect(h.github.alertIssues()[1].title).toMatch(/reexecute 40M-41M -\d\d\.\d%/);
  });
});

describe("a suite following the smoke workflow (pruning on perf.yml)", () => {
  const shipped = JSON.parse(suitesText) as { suites: { repository?: string }[] };
  // The shipped file, watching the emulator's repository.
  const SUITES = shipped.suites.map((s) => ({ ...s, repository: REPO }));
  const PRUNING_ARTIFACTS = {
    "pruning-benchmark-standard-bf16": {
      "pruning-metrics-standard-bf16.json": pruningStandard,
      "pruning-benchmark.log": "pruned",
    },
    "pruning-benchmark-io-uring-bf256": { "pruning-metrics-io-uring-bf256.json": pruningIoUring },
  };

  /** The nightly perf.yml run chimney dispatches, completed with the smoke artifact and these. */
  async function nightWith(h: Harness, artifacts: Record<string, Record<string, string>>) {
    h.clock.advance(24 * 3_600_000);
    h.github.addCommit("a commit of the night");
    await h.cron(NIGHTLY);
    const run = [...h.github.runs.values()].at(-1)!;
    h.github.complete(run.id, {
      conclusion: "success",
      files: { "smoke-metrics.json": JSON.stringify(passing) },
      artifacts,
    });
    return run;
  }

  it("records the smoke run as before and gives the pruning series one point per metric per variant", async () => {
    const h = withSuites(...SUITES);
    const run = await nightWith(h, PRUNING_ARTIFACTS);
    expect((await h.deliver(run, "completed", { id: "night-1" })).status).toBe(202);

    expect(await h.runRecord(`${run.id}-1`)).toMatchObject({ state: "passed" });
    const series = await seriesOf(h);
    expect(series.map((s) => [s.suite, s.name, s.unit, s.points]).sort()).toEqual(
      [
        ["pruning", "io-uring-bf256 - per_block_p95_ms", "ms", 1],
        ["pruning", "io-uring-bf256 - throughput_ops_per_sec", "ops/sec", 1],
        ["pruning", "io-uring-bf256 - total_duration_ms", "ms", 1],
        ["pruning", "standard-bf16 - per_block_p95_ms", "ms", 1],
        ["pruning", "standard-bf16 - throughput_ops_per_sec", "ops/sec", 1],
        ["pruning", "standard-bf16 - total_duration_ms", "ms", 1],
      ].sort(),
    );
    expect(logged(h, "suite_run_ingested")).toMatchObject([{ suite: "pruning", run: run.id, added: 6 }]);

    // The same delivery twice, and the same run under another delivery id, add nothing.
    const runs = await h.history();
    await h.deliver(run, "completed", { id: "night-1" });
    await h.deliver(run, "completed", { id: "night-1-again" });
    expect((await seriesOf(h)).map((s) => s.points)).toEqual(series.map(() => 1));
    expect(await h.history()).toEqual(runs);
    expect(logged(h, "suite_run_failed")).toEqual([]);
  });

  it("leaves a confirming run to the smoke loop: it benchmarks a suspect commit, not the night's", async () => {
    const h = withSuites(...SUITES);
    const run = h.github.addRun({
      workflow: "perf.yml",
      display_title: "Performance smoke benchmark chimney-confirm-9000000001-1",
      inputs: { correlation_id: "chimney-confirm-9000000001-1", ref: "a".repeat(40) },
    });
    h.github.complete(run.id, {
      conclusion: "success",
      files: { "smoke-metrics.json": JSON.stringify(passing) },
      artifacts: PRUNING_ARTIFACTS,
    });
    expect((await h.deliver(run, "completed")).status).toBe(202);
    expect(await seriesOf(h)).toEqual([]);
    expect(h.github.calls("GET", new RegExp(`/actions/runs/${run.id}/artifacts$`))).toBe(1);
  });

  it("logs a pruning artifact that does not parse, and still records the smoke run passed", async () => {
    const h = withSuites(...SUITES);
    const run = await nightWith(h, {
      ...PRUNING_ARTIFACTS,
      "pruning-benchmark-standard-bf16": { "pruning-metrics-standard-bf16.json": "{not json" },
    });
    expect((await h.deliver(run, "completed")).status).toBe(202);
    expect(await h.runRecord(`${run.id}-1`)).toMatchObject({ state: "passed" });
    expect(await seriesOf(h)).toEqual([]);
    expect(logged(h, "suite_run_failed")).toMatchObject([
      {
        suite: "pruning",
        run: run.id,
        retry: false,
        reason: expect.stringMatching(/^pruning-benchmark-standard-bf16\/pruning-metrics-standard-bf16\.json/),
      },
    ]);
    expect(logged(h, "delivery_failed")).toEqual([]);
  });

  it("leaves the requested and in_progress news of the smoke workflow to the nightly loop alone", async () => {
    const h = withSuites(...SUITES);
    h.github.addCommit("a commit of the night");
    await h.cron(NIGHTLY);
    const run = [...h.github.runs.values()].at(-1)!;
    expect((await h.deliver(run, "in_progress")).status).toBe(202);
    expect(await h.runRecord(`${run.id}-1`)).toMatchObject({ state: "running" });
    expect(h.github.calls("GET", /\/actions\/runs\/\d+\/artifacts$/)).toBe(0);
    expect(logged(h, "suite_run_ignored")).toEqual([]);
  });
});
