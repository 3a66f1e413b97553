import { describe, expect, it } from "vitest";
import { seriesKey, seriesOfResult, type Series } from "../../src/core/series.ts";
import {
  benchesOfArtifacts,
  claimArtifacts,
  readersOfRun,
  seriesSuitesOf,
  seriesWorkflows,
  suiteResults,
} from "../../src/core/suite-results.ts";
import cargoOutput from "../fixtures/formats/cargo-output.txt?raw";
import customBigger from "../fixtures/formats/custom-bigger.json?raw";
import { SMOKE_SUITE as SMOKE, RUST_SUITE as RUST, parsedSuites as suites } from "../support/suites.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const POINT = {
  at: "2026-11-29T03:00:00.000Z",
  sha: "1f0e9d8c7b6a59483726150f1e2d3c4b5a697887",
  commit_url: "https://github.com/ava-labs/firewood/commit/1f0e9d8c7b6a59483726150f1e2d3c4b5a697887",
  message: null,
};

const CUSTOM = {
  name: "reexecution",
  workflow: "benchmarks.yaml",
  artifacts: ["cchain-output-*"],
  format: "customBiggerIsBetter",
  start: "follow",
};
const PRUNING = { name: "pruning", workflow: "perf.yml", artifacts: ["pruning-*"], format: "pruning", start: "follow" };

describe("seriesOfResult", () => {
  it("makes one series of one point per bench, keyed by the suite and the bench's name", () => {
    const benches = [
      { name: "bench_fib_10", unit: "ns/iter", value: 135, bigger_is_better: false, range: "± 24", extra: null },
      { name: "mgas", unit: "mgas/s", value: 84.5, bigger_is_better: true, range: null, extra: null },
    ];
    expect(seriesOfResult("rust-benches", benches, POINT, "https://github.com/ava-labs/firewood")).toEqual([
      {
        key: seriesKey("rust-benches", "bench_fib_10"),
        suite: "rust-benches",
        name: "bench_fib_10",
        unit: "ns/iter",
        bigger_is_better: false,
        repo_url: "https://github.com/ava-labs/firewood",
        points: [{ ...POINT, value: 135 }],
        changes: [],
      },
      {
        key: seriesKey("rust-benches", "mgas"),
        suite: "rust-benches",
        name: "mgas",
        unit: "mgas/s",
        bigger_is_better: true,
        repo_url: "https://github.com/ava-labs/firewood",
        points: [{ ...POINT, value: 84.5 }],
        changes: [],
      },
    ]);
  });
});

describe("readersOfRun", () => {
  const run = (path: string, branch: string | null, title = "Firewood smoke benchmark") => ({
    path: `.github/workflows/${path}`,
    head_branch: branch,
    display_title: title,
    name: "Performance smoke benchmark",
  });
  const names = (found: { name: string }[]) => found.map((s) => s.name);

  it("gives the suites following the run's workflow on the run's branch", () => {
    const all = suites(SMOKE, RUST, CUSTOM, { ...PRUNING, branch: "release" });
    expect(names(readersOfRun(all, "ava-labs/firewood", "perf.yml", run("benchmarks.yaml", "main")))).toEqual([
      "rust-benches",
      "reexecution",
    ]);
    expect(readersOfRun(all, "ava-labs/firewood", "perf.yml", run("benchmarks.yaml", "feature/x"))).toEqual([]);
    expect(readersOfRun(all, "ava-labs/firewood", "perf.yml", run("benchmarks.yaml", null))).toEqual([]);
    expect(names(readersOfRun(all, "ava-labs/firewood", "perf.yml", run("perf.yml", "release")))).toEqual(["pruning"]);
  });

  it("gives none for a confirming run of the smoke workflow: it benchmarks a suspect commit, not the branch's head", () => {
    const all = suites(SMOKE, PRUNING);
    const confirming = run("perf.yml", "main", "Firewood smoke benchmark chimney-confirm-9000000001-1");
    expect(readersOfRun(all, "ava-labs/firewood", "perf.yml", confirming)).toEqual([]);
    const nightly = run("perf.yml", "main", "Firewood smoke benchmark chimney-nightly-2026-11-30");
    expect(names(readersOfRun(all, "ava-labs/firewood", "perf.yml", nightly))).toEqual(["pruning"]);
  });
});

describe("seriesWorkflows", () => {
  it("gives each workflow and branch that followed suites of the repository read, once", () => {
    const all = suites(SMOKE, RUST, CUSTOM, PRUNING, {
      ...CUSTOM,
      name: "release-reexecution",
      branch: "release",
      artifacts: ["release-*"],
    });
    expect(seriesWorkflows(all, "ava-labs/firewood")).toEqual([
      { workflow: "benchmarks.yaml", branch: "main" },
      { workflow: "perf.yml", branch: "main" },
      { workflow: "benchmarks.yaml", branch: "release" },
    ]);
    expect(seriesWorkflows(all, "someone/else")).toEqual([]);
    // A suite chimney dispatches on its cron is read from its runs too, so a lost webhook is looked for.
    const dispatched = {
      ...RUST,
      name: "nightly-benches",
      workflow: "criterion.yml",
      start: { dispatch: { cron: "0 2 * * *" } },
    };
    expect(seriesWorkflows(suites(SMOKE, dispatched), "ava-labs/firewood")).toEqual([
      { workflow: "criterion.yml", branch: "main" },
    ]);
  });
});

describe("seriesSuitesOf", () => {
  it("gives the suites read from a workflow's runs, followed or dispatched, in declaration order", () => {
    const CRITERION = {
      name: "criterion",
      workflow: "criterion.yml",
      artifacts: ["benchmark-results"],
      format: "criterion",
      start: { dispatch: { cron: "0 2 * * *" } },
    };
    const all = suites(SMOKE, RUST, CUSTOM, PRUNING, CRITERION);
    expect(seriesSuitesOf(all, "ava-labs/firewood", ".github/workflows/benchmarks.yaml").map((s) => s.name)).toEqual([
      "rust-benches",
      "reexecution",
    ]);
    // smoke is dispatched and read by the nightly loop; pruning follows the same workflow
    expect(seriesSuitesOf(all, "ava-labs/firewood", ".github/workflows/perf.yml").map((s) => s.name)).toEqual([
      "pruning",
    ]);
    // chimney dispatches criterion.yml on its cron, and reads its runs as a followed suite's
    expect(seriesSuitesOf(all, "ava-labs/firewood", ".github/workflows/criterion.yml").map((s) => s.name)).toEqual([
      "criterion",
    ]);
    expect(seriesSuitesOf(all, "someone/else", ".github/workflows/benchmarks.yaml")).toEqual([]);
    expect(seriesSuitesOf(all, "ava-labs/firewood", null)).toEqual([]);
  });
});

describe("claimArtifacts", () => {
  it("gives each artifact to the first suite whose patterns match it", () => {
    const all = suites({ ...RUST, artifacts: ["bench-*-a"] }, { ...CUSTOM, artifacts: ["bench-x-*", "cchain-*"] });
    const claimed = claimArtifacts(all, ["bench-x-a", "bench-x-b", "cchain-output-1", "unrelated"]);
    expect(claimed.get("rust-benches")).toEqual(["bench-x-a"]);
    expect(claimed.get("reexecution")).toEqual(["bench-x-b", "cchain-output-1"]);
  });
});

describe("benchesOfArtifacts", () => {
  it("parses every file of every artifact but logs, and gives all their benches", () => {
    const parsed = benchesOfArtifacts("cargo", [
      {
        name: "bench-output-fib",
        files: new Map([
          ["output.txt", bytes(cargoOutput)],
          ["cargo.log", bytes("warning: not a result")],
        ]),
      },
    ]);
    expect(parsed.ok && parsed.value.map((b) => b.name)).toEqual(["bench_fib_10", "bench_fib_20"]);
  });

  it("refuses a file that does not parse, naming the artifact, the file and the line", () => {
    const parsed = benchesOfArtifacts("cargo", [
      { name: "bench-output-fib", files: new Map([["output.txt", bytes("test a ... bench: fast ns/iter (+/- 1)\n")]]) },
    ]);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.issues[0].field).toBe("bench-output-fib/output.txt: line 1");
  });

  it("refuses an artifact without a result file, and a bench two files both give", () => {
    expect(benchesOfArtifacts("cargo", [{ name: "bench-output-x", files: new Map([["a.log", bytes("")]]) }])).toEqual({
      ok: false,
      issues: [{ field: "bench-output-x", message: "holds no result file (only logs, Markdown or HTML)" }],
    });
    const twice = benchesOfArtifacts("customBiggerIsBetter", [
      { name: "cchain-output-1", files: new Map([["a.json", bytes(customBigger)]]) },
      { name: "cchain-output-2", files: new Map([["b.json", bytes(customBigger)]]) },
    ]);
    expect(twice.ok).toBe(false);
    expect(!twice.ok && twice.issues[0].field).toBe("cchain-output-2/b.json");
  });
});

describe("a suite's results", () => {
  const point = (at: string, sha: string, value: number) => ({ at, sha, value, commit_url: null, message: null });
  const s = (suite: string, name: string, points: ReturnType<typeof point>[]) =>
    ({
      key: `${suite}--${name}`,
      suite,
      name,
      unit: "ns/iter",
      bigger_is_better: false,
      repo_url: null,
      points,
      changes: [],
    }) as Series;
  const all = [
    s("rust", "a", [
      point("2026-11-01T00:00:00Z", "1", 10),
      point("2026-11-02T00:00:00Z", "2", 11),
      point("2026-11-02T00:00:00Z", "3", 12),
    ]),
    s("rust", "b", [point("2026-11-02T00:00:00Z", "2", 20)]),
    s("go", "c", [point("2026-11-03T00:00:00Z", "9", 1)]),
  ];

  it("are the suite's points grouped by time and commit, newest first, and a page never splits one time", () => {
    const first = suiteResults(all, "rust", 1, null);
    expect(first.results.map((r) => [r.sha, r.values])).toEqual([
      ["2", { a: 11, b: 20 }],
      ["3", { a: 12 }],
    ]);
    expect(first.next).toBe("2026-11-02T00:00:00Z");
    const rest = suiteResults(all, "rust", 1, first.next);
    expect(rest).toEqual({
      results: [{ at: "2026-11-01T00:00:00Z", sha: "1", commit_url: null, values: { a: 10 } }],
      next: null,
    });
  });
});
