/**
 * One deployment, suites in several repositories: the smoke suite's nightly loop in
 * GITHUB_REPOSITORY (HUBId/chain), and Firewood's own benchmarks in ava-labs/firewood, each suite
 * read from its own repository, its alerts written as issues in GITHUB_REPOSITORY.
 */
import { beforeEach, describe, expect, it } from "vitest";
import passing from "../fixtures/smoke-metrics.json";
import { FIREWOOD_REPO, REPO, type EmulatedRun, type GitHubEmulator } from "../../sandbox/github.ts";
import { noise } from "../support/nights.ts";
import { harness, RECONCILE, resetStorage } from "./harness.ts";
import { RUST_SUITE, SMOKE_SUITE as SMOKE } from "../support/suites.ts";

beforeEach(() => resetStorage());

const DAY = 86_400_000;
const RUST = { ...RUST_SUITE, repository: FIREWOOD_REPO };

const withSuites = (...suites: object[]) => harness(undefined, { CHIMNEY_SUITES: JSON.stringify({ suites }) });
type Harness = ReturnType<typeof withSuites>;
const logged = (h: Harness, event: string) => h.logs.map((l) => JSON.parse(l)).filter((e) => e.event === event);

const cargo = (i: number, level = 1) =>
  [
    `test insert/1000 ... bench: ${Math.round(1_200_000 * level * noise(i)).toLocaleString("en-US")} ns/iter (+/- 18,450)`,
    `test hash ... bench: ${Math.round(418 * noise(i + 50)).toLocaleString("en-US")} ns/iter (+/- 3)`,
  ].join("\n");

/** A push to Firewood's main: a commit there, and its benchmarks.yaml run completed with night `i`'s output. */
function firewoodRun(h: Harness, i: number, level = 1): EmulatedRun {
  h.clock.advance(DAY);
  const sha = h.firewood.addCommit(`firewood ${i}`);
  const run = h.firewood.addRun({ workflow: "benchmarks.yaml", event: "push", head_sha: sha });
  h.firewood.complete(run.id, {
    conclusion: "success",
    artifacts: { "bench-output-hashops": { "output.txt": cargo(i, level) } },
  });
  return run;
}

const repoCalls = (github: GitHubEmulator, repository: string, path: RegExp) =>
  github.requests.filter((r) => {
    const url = new URL(r.url).pathname;
    return url.startsWith(`/repos/${repository}/`) && path.test(url);
  }).length;

interface SeriesList {
  series: { key: string; suite: string; name: string; points: number }[];
}

async function seriesOf(h: Harness) {
  return ((await (await h.request("/series")).json()) as SeriesList).series;
}

describe("a followed suite in another repository than GITHUB_REPOSITORY", () => {
  it("ingests a run its repository's webhook delivers, read from that repository", async () => {
    const h = withSuites(SMOKE, RUST);
    const run = firewoodRun(h, 0);
    const res = await h.deliver(run, "completed", { from: h.firewood });
    expect(res.status).toBe(202);
    expect(logged(h, "suite_run_failed")).toEqual([]);
    const series = await seriesOf(h);
    expect(series.map((s) => [s.suite, s.name, s.points]).sort()).toEqual([
      ["rust-benches", "hash", 1],
      ["rust-benches", "insert/1000", 1],
    ]);
    const one = (await (await h.request(`/series/${series[0].key}`)).json()) as { points: { commit_url: string }[] };
    expect(one.points[0].commit_url).toBe(`https://github.test/${FIREWOOD_REPO}/commit/${run.head_sha}`);
    expect(repoCalls(h.firewood, FIREWOOD_REPO, /\/actions\/runs\/\d+\/artifacts$/)).toBe(1);
  });

  it("is found by the reconcile tick when its webhook was lost, and read once", async () => {
    const h = withSuites(SMOKE, RUST);
    const run = firewoodRun(h, 0);
    h.clock.advance(30 * 60_000);
    await h.cron(RECONCILE);
    await h.cron(RECONCILE);
    expect(logged(h, "suite_run_ingested")).toMatchObject([{ suite: "rust-benches", run: run.id }]);
    expect(logged(h, "reconcile").map((t) => t.followed_runs_read)).toEqual([1, 0]);
    expect(logged(h, "reconcile").flatMap((t) => t.errors)).toEqual([]);
    // A webhook arriving late reads nothing again.
    expect((await h.deliver(run, "completed", { from: h.firewood })).status).toBe(202);
    expect(logged(h, "suite_run_ingested")).toHaveLength(1);
  });

  it("leaves the smoke suite's nightly loop in GITHUB_REPOSITORY as it was", async () => {
    const h = withSuites(SMOKE, RUST);
    const run = await h.night(passing);
    expect(await h.runRecord(`${run.id}-1`)).toMatchObject({ state: "passed" });
    expect(h.firewood.requests).toEqual([]);
    expect(repoCalls(h.github, REPO, /\/actions\/workflows\/perf\.yml\/dispatches$/)).toBe(1);
  });

  it("opens its alert issue in GITHUB_REPOSITORY, linking the commits of its own repository", async () => {
    const h = withSuites(SMOKE, RUST);
    let good = "";
    for (let i = 0; i < 12; i++) {
      const run = firewoodRun(h, i);
      good = run.head_sha;
      expect((await h.deliver(run, "completed", { from: h.firewood })).status).toBe(202);
    }
    for (let i = 12; i < 15; i++)
      expect((await h.deliver(firewoodRun(h, i, 1.3), "completed", { from: h.firewood })).status).toBe(202);
    const [issue] = h.github.alertIssues();
    expect(issue?.title).toMatch(/^rust-benches benchmarks regressed: insert\/1000 \+/);
    expect(h.firewood.alertIssues()).toEqual([]);
    expect(issue.body).toContain(`https://github.test/${FIREWOOD_REPO}/compare/${good}...`);
    // The commits across the change are listed from Firewood's history.
    expect(issue.body).toContain("firewood 12");
  });
});

describe("a dispatched suite in another repository", () => {
  it("is dispatched there on its cron", async () => {
    const h = withSuites(SMOKE, { ...RUST, workflow: "rust-benches.yml", start: { dispatch: { cron: "30 2 * * *" } } });
    const { config_problems } = (await (await h.request("/status")).json()) as { config_problems: { name: string }[] };
    expect(config_problems.map((p) => p.name)).not.toContain("CHIMNEY_SUITES");
    await h.cron(RECONCILE);
    expect(repoCalls(h.firewood, FIREWOOD_REPO, /\/actions\/workflows\/rust-benches\.yml\/dispatches$/)).toBe(1);
    expect(logged(h, "suite_dispatched")).toMatchObject([{ suite: "rust-benches", state: "dispatched" }]);
  });
});

describe("repositories chimney does not watch, or cannot reach", () => {
  it("ignores an event from a repository no suite names, saying why", async () => {
    const h = withSuites(SMOKE);
    const run = firewoodRun(h, 0);
    const res = await h.deliver(run, "completed", { from: h.firewood });
    expect(await res.json()).toMatchObject({
      ignored: true,
      reason: `the event is about ${FIREWOOD_REPO}, not ${REPO}`,
    });
  });

  it("names a suite's repository the credentials cannot reach in the tick's errors and the log", async () => {
    const h = withSuites(SMOKE, { ...RUST, repository: "someone/private" });
    await h.cron(RECONCILE);
    const [tick] = logged(h, "reconcile");
    expect(tick.errors).toEqual([expect.stringMatching(/^followed: someone\/private benchmarks\.yaml on main: .*404/)]);
  });
});
