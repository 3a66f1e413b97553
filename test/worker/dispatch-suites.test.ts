/**
 * A suite other than smoke dispatched on its own cron: the ticks dispatch each slot once, its runs
 * are read as a followed suite's, and a change waits for one confirming rerun before it alerts.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { isConfirmingRun as isConfirming } from "../../src/core/workflow.ts";
import { TEST_BINDINGS } from "../bindings.ts";
import { noise } from "../support/nights.ts";
import { harness, NIGHTLY, RECONCILE, resetStorage } from "./harness.ts";
import { RUST_SUITE, SMOKE_SUITE as SMOKE } from "../support/suites.ts";

beforeEach(() => resetStorage());

const DAY = 86_400_000;
/** Firewood's Rust benches, started by chimney on the self-hosted runner at 02:30 UTC. */
const RUST = { ...RUST_SUITE, workflow: "rust-benches.yml", start: { dispatch: { cron: "30 2 * * *" } } };
const CCHAIN = {
  name: "cchain-reexecution",
  workflow: "benchmarks.yaml",
  artifacts: ["cchain-output-*"],
  format: "customBiggerIsBetter",
  start: "follow",
};

const withSuites = (...suites: object[]) => harness(undefined, { CHIMNEY_SUITES: JSON.stringify({ suites }) });
type Harness = ReturnType<typeof withSuites>;

const logged = (h: Harness, event: string) => h.logs.map((l) => JSON.parse(l)).filter((e) => e.event === event);
const dispatchesOf = (h: Harness, workflow: string) =>
  h.github.calls("POST", new RegExp(`/actions/workflows/${workflow.replace(".", "\\.")}/dispatches$`));
const runsOf = (h: Harness, workflow: string, marker: string) =>
  [...h.github.runs.values()].filter((r) => r.workflow === workflow && r.display_title.includes(marker));

interface SeriesList {
  series: { key: string; suite: string; name: string; points: number }[];
}
async function seriesOf(h: Harness): Promise<SeriesList["series"]> {
  return ((await (await h.request("/series")).json()) as SeriesList).series;
}

const cargo = (insert: number, hash: number) =>
  [
    `test insert/1000 ... bench: ${Math.round(insert).toLocaleString("en-US")} ns/iter (+/- 18,450)`,
    `test hash ... bench: ${Math.round(hash).toLocaleString("en-US")} ns/iter (+/- 3)`,
  ].join("\n");
const rustArtifacts = (i: number, level: number) => ({
  "bench-output-hashops": { "output.txt": cargo(1_200_000 * level * noise(i), 418 * noise(i + 50)) },
});

/** One night: a commit lands, the nightly tick dispatches the suite's slot, and its run completes. */
async function night(h: Harness, i: number, level: number) {
  h.clock.advance(DAY);
  h.github.addCommit(`night ${i}`);
  await h.cron(NIGHTLY);
  const run = runsOf(h, "rust-benches.yml", "chimney-suite-rust-benches-").at(-1)!;
  h.github.complete(run.id, { conclusion: "success", artifacts: rustArtifacts(i, level) });
  expect((await h.deliver(run, "completed")).status).toBe(202);
  return run;
}

describe("a suite dispatched on its cron", () => {
  it("is dispatched once per slot by racing ticks, on its workflow and branch, and its run is read into its series", async () => {
    const h = withSuites(SMOKE, RUST);
    // 03:00: the 02:30 slot is due; the nightly and reconcile ticks fire together.
    await Promise.all([h.cron(NIGHTLY), h.cron(RECONCILE)]);
    await h.cron(RECONCILE);
    expect(dispatchesOf(h, "rust-benches.yml")).toBe(1);
    const [run, ...more] = runsOf(h, "rust-benches.yml", "");
    expect(more).toEqual([]);
    expect(run.display_title).toContain("chimney-suite-rust-benches-20261129t0230");
    expect(run.head_branch).toBe("main");
    expect(logged(h, "suite_dispatched")).toMatchObject([
      { suite: "rust-benches", slot: "2026-11-29T02:30:00.000Z", state: "dispatched", run: run.id },
    ]);

    h.github.complete(run.id, { conclusion: "success", artifacts: rustArtifacts(0, 1) });
    expect((await h.deliver(run, "completed")).status).toBe(202);
    const series = await seriesOf(h);
    expect(series.map((s) => [s.suite, s.name, s.points]).sort()).toEqual([
      ["rust-benches", "hash", 1],
      ["rust-benches", "insert/1000", 1],
    ]);
    // Not a night of the smoke suite's ledger.
    expect((await h.history()).map((r) => r.id)).not.toContain(`${run.id}-1`);

    // The next day's slot is a new one.
    h.clock.advance(DAY);
    await h.cron(RECONCILE);
    expect(dispatchesOf(h, "rust-benches.yml")).toBe(2);
  });

  it("skips a slot missed for over a day, saying so once, and dispatches the next one", async () => {
    // Mondays at 02:00: 2026-11-29 is a Sunday, so the latest slot is six days old.
    const h = withSuites(SMOKE, { ...RUST, start: { dispatch: { cron: "0 2 * * 1" } } });
    await h.cron(RECONCILE);
    h.clock.advance(30 * 60_000);
    await h.cron(RECONCILE);
    expect(dispatchesOf(h, "rust-benches.yml")).toBe(0);
    expect(logged(h, "suite_slot_skipped")).toMatchObject([
      {
        suite: "rust-benches",
        slot: "2026-11-23T02:00:00.000Z",
        reason: "the slot of 2026-11-23T02:00:00.000Z was not dispatched within 24 hours; the next one is awaited",
      },
    ]);
    h.clock.advance(DAY);
    await h.cron(RECONCILE);
    expect(dispatchesOf(h, "rust-benches.yml")).toBe(1);
  });

  it.each([
    ["a 502", 502],
    ["a 429", 429],
  ])("retries a dispatch GitHub answered with %s from the reconcile tick, and starts one run", async (_, status) => {
    const h = withSuites(SMOKE, RUST);
    h.github.fail("POST", /\/rust-benches\.yml\/dispatches$/, 10, () =>
      Response.json(
        { message: status === 429 ? "You have exceeded a secondary rate limit" : "Server Error" },
        { status },
      ),
    );
    await h.cron(NIGHTLY);
    expect(runsOf(h, "rust-benches.yml", "")).toEqual([]);
    expect(logged(h, "dispatch_failed")).toMatchObject([
      { correlation_id: "chimney-suite-rust-benches-20261129t0230" },
    ]);
    h.github.heal();
    h.clock.advance(30 * 60_000);
    await h.cron(RECONCILE);
    h.clock.advance(30 * 60_000);
    await h.cron(RECONCILE);
    expect(runsOf(h, "rust-benches.yml", "chimney-suite-rust-benches-20261129t0230")).toHaveLength(1);
    // The smoke suite's night went its own way.
    expect(runsOf(h, "perf.yml", "chimney-nightly-2026-11-29")).toHaveLength(1);
  });
});

describe("a dispatched suite and a followed suite", () => {
  it("alert each on its own series", async () => {
    const h = withSuites(SMOKE, { ...RUST, alerts: { confirm: false } }, CCHAIN);
    const reexecution = (mgas: number) => JSON.stringify([{ name: "reexecute 40M-41M", unit: "mgas/s", value: mgas }]);
    const both = async (i: number, rust: number, cchain: number) => {
      await night(h, i, rust);
      const sha = h.github.addCommit(`push ${i}`);
      const pushed = h.github.addRun({ workflow: "benchmarks.yaml", event: "push", head_sha: sha });
      h.github.complete(pushed.id, {
        conclusion: "success",
        artifacts: { "cchain-output-40m": { "benchmark-output.json": reexecution(95 * cchain * noise(i + 90)) } },
      });
      expect((await h.deliver(pushed, "completed")).status).toBe(202);
    };
    for (let i = 0; i < 20; i++) await both(i, 1, 1);
    for (let i = 20; i < 24; i++) await both(i, 1, 0.8);
    const titles = () => h.github.alertIssues().map((i) => i.title.split(":")[0]);
    expect(titles()).toEqual(["cchain-reexecution benchmarks regressed"]);
    for (let i = 24; i < 28; i++) await both(i, 1.15, 0.8);
    expect(titles()).toEqual(["cchain-reexecution benchmarks regressed", "rust-benches benchmarks regressed"]);
    expect(h.github.alertIssues()[1].title).toMatch(/insert\/1000 \+1\d\.\d%/);
  }, 60_000);
});

describe("a dispatched suite's confirming rerun", () => {
  const rerunOf = (h: Harness) => runsOf(h, "rust-benches.yml", "chimney-confirm-rust-benches-");
  /** Twenty nights at the usual level, then insert/1000 15% slower until a change is borne out. */
  async function regress(h: Harness) {
    const nights = [];
    for (let i = 0; i < 20; i++) nights.push(await night(h, i, 1));
    for (let i = 20; i < 23; i++) nights.push(await night(h, i, 1.15));
    return nights;
  }
  const points = async (h: Harness) => (await seriesOf(h)).map((s) => [s.name, s.points]);

  it("benchmarks the commit where the change starts once, and opens the alert when it lands on the new level", async () => {
    const h = withSuites(SMOKE, RUST);
    const nights = await regress(h);
    expect(h.github.alertIssues()).toEqual([]);
    const [rerun, ...more] = rerunOf(h);
    expect(more).toEqual([]);
    const [suspected] = logged(h, "suite_change_suspected");
    expect(suspected).toMatchObject({ suite: "rust-benches", series: "insert/1000" });
    expect(nights.slice(18, 22).map((r) => r.head_sha)).toContain(suspected.sha);
    expect(rerun.inputs).toMatchObject({ ref: suspected.sha, correlation_id: suspected.rerun });
    expect(isConfirming(rerun.display_title)).toBe(true);

    const before = await points(h);
    h.github.complete(rerun.id, { conclusion: "success", artifacts: rustArtifacts(99, 1.15) });
    expect((await h.deliver(rerun, "completed")).status).toBe(202);
    // Its points sit at an older commit: none of them is merged.
    expect(await points(h)).toEqual(before);
    const [issue, ...others] = h.github.alertIssues();
    expect(others).toEqual([]);
    expect(issue.title).toMatch(/^rust-benches benchmarks regressed: insert\/1000 \+1\d\.\d%/);
    expect(issue.body).toContain(`Confirmed: chimney benchmarked \`${suspected.sha.slice(0, 12)}\``);
    expect(logged(h, "suite_change_confirmed")).toHaveLength(1);
    // The next nights are news to the open alert: no second rerun.
    await night(h, 23, 1.15);
    expect(rerunOf(h)).toHaveLength(1);
  }, 60_000);

  it("drops the change, logged and not alerted, when the rerun lands on the old level", async () => {
    const h = withSuites(SMOKE, RUST);
    await regress(h);
    const [rerun] = rerunOf(h);
    h.github.complete(rerun.id, { conclusion: "success", artifacts: rustArtifacts(98, 1) });
    expect((await h.deliver(rerun, "completed")).status).toBe(202);
    expect(h.github.alertIssues()).toEqual([]);
    expect(logged(h, "suite_change_refuted")).toMatchObject([
      { suite: "rust-benches", series: "insert/1000", sha: rerun.inputs.ref },
    ]);
    await night(h, 23, 1.15);
    expect(h.github.alertIssues()).toEqual([]);
    expect(rerunOf(h)).toHaveLength(1);
  }, 60_000);

  it("opens the alert anyway, saying it was not confirmed, when the rerun fails", async () => {
    const h = withSuites(SMOKE, RUST);
    await regress(h);
    const [rerun] = rerunOf(h);
    h.github.complete(rerun.id, { conclusion: "failure", failAt: "Run smoke benchmark" });
    expect((await h.deliver(rerun, "completed")).status).toBe(202);
    const [issue] = h.github.alertIssues();
    expect(issue.body).toContain("**Not confirmed:**");
    expect(issue.body).toContain("(the rerun ended in failure)");
  }, 60_000);

  it("opens the alert anyway, saying it was not confirmed, when GitHub never takes the rerun", async () => {
    const h = withSuites(SMOKE, RUST);
    for (let i = 0; i < 20; i++) await night(h, i, 1);
    for (let i = 20; i < 22; i++) await night(h, i, 1.15);
    h.github.fail("POST", /\/rust-benches\.yml\/dispatches$/, 1_000, () =>
      Response.json({ message: "Server Error" }, { status: 503 }),
    );
    h.clock.advance(DAY);
    const sha = h.github.addCommit("night 22");
    const run = h.github.addRun({ workflow: "rust-benches.yml", head_sha: sha });
    h.github.complete(run.id, { conclusion: "success", artifacts: rustArtifacts(22, 1.15) });
    await h.deliver(run, "completed");
    expect(h.github.alertIssues()).toEqual([]);
    for (let tick = 0; tick < 6; tick++) {
      h.clock.advance(30 * 60_000);
      await h.cron(RECONCILE);
    }
    // The night's own slot failed alike, and was given up on its own.
    const givenUp = logged(h, "suite_dispatch_given_up");
    expect(givenUp.map((e) => e.correlation_id.split("-rust-benches-")[0])).toEqual(
      expect.arrayContaining(["chimney-confirm", "chimney-suite"]),
    );
    expect(givenUp.filter((e) => e.correlation_id.startsWith("chimney-confirm-"))).toMatchObject([
      { suite: "rust-benches", reason: expect.stringMatching(/^the dispatch failed 5 times/) },
    ]);
    const [issue] = h.github.alertIssues().filter((i) => i.title.startsWith("rust-benches"));
    expect(issue.body).toContain("**Not confirmed:**");
  }, 60_000);
});

describe("a suite dispatched on demand (POST /api/dispatch with suite)", () => {
  const ADMIN = { authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "content-type": "application/json" };
  const dispatch = (h: Harness, body: object) =>
    h.request("/api/dispatch", { method: "POST", headers: ADMIN, body: JSON.stringify(body) });

  it("runs the suite's workflow on its branch with the cron's inputs, and its run is read into its series", async () => {
    const h = withSuites(SMOKE, RUST, CCHAIN);
    const res = await dispatch(h, { suite: "rust-benches" });
    expect(res.status).toBe(202);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ suite: "rust-benches", ref: "main", pr_number: null, state: "dispatched" });
    const [run, ...more] = [...h.github.runs.values()];
    expect(more).toEqual([]);
    expect(run.workflow).toBe("rust-benches.yml");
    expect(run.head_branch).toBe("main");
    expect(run.inputs).toEqual({ correlation_id: body.correlation_id });
    expect(body.run_id).toBe(`${run.id}-1`);
    expect(body.run_url).toBe(`https://github.test/${h.github.repository}/actions/runs/${run.id}/attempts/1`);
    // A suite's run is not a night of the ledger: its series hear of it when it completes.
    expect(await h.runRecord(`${run.id}-1`)).toBeNull();
    h.github.complete(run.id, { conclusion: "success", artifacts: rustArtifacts(0, 1) });
    expect((await h.deliver(run, "completed")).status).toBe(202);
    expect((await seriesOf(h)).map((s) => [s.suite, s.name, s.points]).sort()).toEqual([
      ["rust-benches", "hash", 1],
      ["rust-benches", "insert/1000", 1],
    ]);
  });

  it("runs a followed suite's workflow too, and the smoke suite's by its name as before", async () => {
    const h = withSuites(SMOKE, RUST, CCHAIN);
    expect((await dispatch(h, { suite: "cchain-reexecution" })).status).toBe(202);
    expect((await dispatch(h, { suite: "smoke", ref: "feature/x" })).status).toBe(202);
    const [followed, smoke] = [...h.github.runs.values()];
    expect([followed.workflow, followed.head_branch]).toEqual(["benchmarks.yaml", "main"]);
    expect([smoke.workflow, smoke.head_branch]).toEqual(["perf.yml", "feature/x"]);
    expect(await h.runRecord(`${smoke.id}-1`)).toMatchObject({ state: "dispatched", mainline: false });
  });

  it.each([
    ["a suite not configured", { suite: "nope" }, 400, "suite"],
    ["a suite name that is not a string", { suite: 7 }, 422, "suite"],
    ["a pull request with a suite other than smoke", { suite: "rust-benches", pr_number: 12 }, 400, "pr_number"],
    ["another branch than the suite reads", { suite: "rust-benches", ref: "feature/x" }, 400, "ref"],
  ])("refuses %s: %i naming %s, nothing dispatched", async (_what, body, status, field) => {
    const h = withSuites(SMOKE, RUST);
    const res = await dispatch(h, body);
    expect(res.status).toBe(status);
    const problem = (await res.json()) as { detail: string };
    expect(problem.detail).toMatch(new RegExp(`^${field}: `));
    expect(h.github.requests).toHaveLength(0);
  });

  it("answers 502 when GitHub fails the suite's dispatch, and the reconcile tick retries it on the suite's workflow", async () => {
    const h = withSuites(SMOKE, RUST);
    h.github.fail("POST", /\/dispatches$/, 3, () => new Response('{"message":"Server Error"}', { status: 502 }));
    const res = await dispatch(h, { suite: "rust-benches" });
    expect(res.status).toBe(502);
    expect(h.github.runs.size).toBe(0);
    h.clock.advance(60_000);
    await h.cron(RECONCILE);
    const runs = runsOf(h, "rust-benches.yml", "chimney-manual-");
    expect(runs).toHaveLength(1);
    expect(runs[0].head_branch).toBe("main");
  });

  it("names the configured suites when the suite is unknown", async () => {
    const h = withSuites(SMOKE, RUST);
    const problem = (await (await dispatch(h, { suite: "nope" })).json()) as { detail: string };
    expect(problem.detail).toBe('suite: no suite is named "nope"; the suites are smoke, rust-benches');
  });
});
