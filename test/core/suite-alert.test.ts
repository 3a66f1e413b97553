import { describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS } from "../../src/core/changepoints/analysis.ts";
import { locateChanges, seriesKey, type Series } from "../../src/core/series.ts";
import { suiteBody, suiteTitle } from "../../src/core/issue/suite.ts";
import { groupSeries, movedSeries, suiteSubject } from "../../src/core/suite-alert.ts";
import { noise } from "../support/nights.ts";

const AT = "2026-12-01T04:00:00.000Z";
const DAY = 86_400_000;

/** A bench's nightly values: ±3% noise around `levels[i]` (one level per night). */
/** A bench's series as stored: its change points found when it was merged. */
function series(suite: string, name: string, levels: number[], seed = 0, bigger = false): Series {
  const points = levels.map((level, i) => ({
    at: new Date(Date.parse("2026-10-01T03:00:00Z") + i * DAY).toISOString(),
    sha: i.toString(16).padStart(40, "0"),
    value: level * noise(i * 13 + seed),
    commit_url: null,
    message: null,
  }));
  return {
    key: seriesKey(suite, name),
    suite,
    name,
    unit: bigger ? "ops/s" : "ns/iter",
    bigger_is_better: bigger,
    repo_url: null,
    points,
    changes: locateChanges(points, bigger, DEFAULT_OPTIONS),
  };
}
const steady = (n: number) => Array(n).fill(1000);
const step = (before: number, after: number, by: number) => [...steady(before), ...Array(after).fill(1000 * by)];
const subject = (all: Series[], suite = "rust-benches", changePoints = true) =>
  suiteSubject(suite, all, DEFAULT_OPTIONS, 3, AT, { change_points: changePoints });

describe("a suite's regression alert", () => {
  it("is bad once a bench stood 15% slower for three nights, naming the series and the first commit after", () => {
    const moved = series("rust-benches", "insert/1000", step(25, 3, 1.15));
    const calm = series("rust-benches", "hash", steady(28), 7);
    const s = subject([moved, calm]);
    expect(s).toEqual({
      id: `moved@rust-benches--insert-1000:${(25).toString(16).padStart(40, "0")}`,
      at: AT,
      verdicts: [{ fingerprint: "regression:rust-benches", kind: "regression", suite: "rust-benches", bad: true }],
      pr_number: null,
    });
    expect(movedSeries("rust-benches", [moved, calm], DEFAULT_OPTIONS, 3).moved.map((m) => m.series.name)).toEqual([
      "insert/1000",
    ]);
  });

  it("waits while the slower level has stood only two nights, and says nothing of a lone slow night", () => {
    expect(subject([series("rust-benches", "insert/1000", step(25, 2, 1.15))])?.verdicts[0].bad).not.toBe(true);
    const lone = [...steady(20), 1300, ...steady(6)];
    expect(subject([series("rust-benches", "insert/1000", lone)])?.verdicts[0].bad).not.toBe(true);
  });

  it("is the same news the next night (same id), and good once the bench is back", () => {
    const three = subject([series("rust-benches", "insert/1000", step(25, 3, 1.15))]);
    const four = subject([series("rust-benches", "insert/1000", step(25, 4, 1.15))]);
    expect(four?.id).toBe(three?.id);
    const back = subject([series("rust-benches", "insert/1000", [...step(25, 6, 1.15), ...steady(4)])]);
    expect(back).toMatchObject({ id: expect.stringMatching(/^steady@/), verdicts: [{ bad: false }] });
  });

  it("hears no change point of a suite that looks for none (alerts.change_points false)", () => {
    const moved = series("rust-benches", "insert/1000", step(25, 3, 1.15));
    expect(subject([moved], "rust-benches", false)).toMatchObject({ verdicts: [{ bad: false }] });
  });

  it("reads the direction of each series: a throughput that rose is no regression", () => {
    const faster = series("rust-benches", "batch", step(25, 4, 1.15), 3, true);
    expect(subject([faster])?.verdicts[0].bad).toBe(false);
    const slower = series("rust-benches", "batch", step(25, 4, 0.85), 3, true);
    expect(subject([slower])?.verdicts[0].bad).toBe(true);
  });

  it("speaks only of its own suite: two suites alert independently", () => {
    const rust = series("rust-benches", "insert/1000", step(25, 4, 1.15));
    const go = series("cchain-reexecution", "mgas/s", steady(29), 5, true);
    expect(subject([rust, go], "rust-benches")?.verdicts[0]).toMatchObject({ suite: "rust-benches", bad: true });
    expect(subject([rust, go], "cchain-reexecution")?.verdicts[0]).toMatchObject({
      fingerprint: "regression:cchain-reexecution",
      bad: false,
    });
  });

  it("says nothing while a slower level is old news (past the window)", () => {
    const old = series("rust-benches", "insert/1000", step(20, 60, 1.15));
    expect(subject([old])).toBeNull();
  });
});

describe("a suite's regression issue", () => {
  const findings = (names: string[]) =>
    names.map((name, i) => {
      const s = series("rust-benches", name, step(25, 4, 1.1 + i / 100), i);
      const [moved] = movedSeries("rust-benches", [s], DEFAULT_OPTIONS, 3).moved;
      return {
        ...moved,
        commits: {
          good: null,
          bad_sha: moved.change.sha,
          commits: [{ sha: "c".repeat(40), title: "Rework the trie (#1801) @octocat", author: "dev" }],
          total: 1,
        },
      };
    });

  it("names the worst series in its title, and how many more moved", () => {
    const four = findings(["insert/1000", "hash", "get", "delete"]);
    expect(suiteTitle("rust-benches", four)).toMatch(
      /^rust-benches benchmarks regressed: insert\/1000 \+1\d\.\d%, hash \+1\d\.\d%, get \+1\d\.\d% and 1 more \(since 2026-10-26\)$/,
    );
  });

  it("lists each series with its levels and the commits across the change, outside text escaped", () => {
    const [f] = findings(["insert|1000 @octocat"]);
    const body = suiteBody({
      suite: "rust-benches",
      repository: "ava-labs/firewood",
      repositoryUrl: "https://github.com/ava-labs/firewood",
      findings: [f],
      seriesCount: 12,
      statusUrl: null,
      previousIssue: 4,
      marker: "chimney:alert=regression:rust-benches@moved",
      rerun: null,
    });
    expect(body).toContain("1 of the 12 series of the `rust-benches` suite (`ava-labs/firewood`)");
    expect(body).toContain("| insert\\|1000 @\u200boctocat | ns/iter |");
    expect(body).toContain(`https://github.com/ava-labs/firewood/compare/${f.change.before_sha}...${f.change.sha}`);
    expect(body).toContain("Rework the trie \\(#1801\\) @\u200boctocat (dev)");
    expect(body).toContain("reported before in #4");
  });

  it("says what the confirming rerun measured, or that the change was not confirmed and why", () => {
    const [f] = findings(["insert/1000"]);
    const ctx = {
      suite: "rust-benches",
      repository: "ava-labs/firewood",
      repositoryUrl: "https://github.com/ava-labs/firewood",
      findings: [f],
      seriesCount: 2,
      statusUrl: null,
      previousIssue: null,
      marker: "chimney:alert=regression:rust-benches@moved",
    };
    const sha = "1f0e9d8c7b6a59483726150f1e2d3c4b5a697887";
    const confirmed = suiteBody({
      ...ctx,
      rerun: { sha, series: "insert/1000", outcome: { verdict: "confirmed", value: 1_377_315, reason: null } },
    });
    expect(confirmed).toContain(
      "Confirmed: chimney benchmarked `1f0e9d8c7b6a`, where the change starts, again, and insert/1000 measured 1.37732e+6, on the new level.",
    );
    const failed = suiteBody({
      ...ctx,
      rerun: {
        sha,
        series: "insert/1000",
        outcome: { verdict: "unconfirmed", value: null, reason: "the rerun ended in failure" },
      },
    });
    expect(failed).toContain(
      "**Not confirmed:** chimney could not benchmark `1f0e9d8c7b6a`, where the change starts, again (the rerun ended in failure), so this issue opened without that check.",
    );
    expect(suiteBody({ ...ctx, rerun: null })).not.toMatch(/confirmed/i);
  });
});

describe("a suite's series on the status page", () => {
  it("come by suite, declared suites first, the moved series first within each", () => {
    const imported = series("cargo-bench", "old", steady(10), 2);
    const calm = series("rust-benches", "hash", steady(28), 7);
    const moved = series("rust-benches", "insert/1000", step(25, 3, 1.15));
    const go = series("cchain", "mgas/s", steady(10), 4, true);
    const groups = groupSeries([imported, calm, moved, go], ["smoke", "rust-benches", "cchain"], DEFAULT_OPTIONS, 3);
    expect(groups.map((g) => [g.suite, g.moved.map((s) => s.name), g.steady.map((s) => s.name)])).toEqual([
      ["rust-benches", ["insert/1000"], ["hash"]],
      ["cchain", [], ["mgas/s"]],
      ["cargo-bench", [], ["old"]],
    ]);
  });
});
