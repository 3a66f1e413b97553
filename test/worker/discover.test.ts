/**
 * A followed suite's run whose webhook was lost (GitHub does not redeliver by itself): the
 * reconcile tick finds the recent completed runs of the followed workflows and reads each one
 * no path has read yet, as the webhook would have.
 */
import { beforeEach, describe, expect, it } from "vitest";
import passing from "../fixtures/smoke-metrics.json";
import pruningIoUring from "../fixtures/pruning-metrics-io-uring-bf256.json?raw";
import pruningStandard from "../fixtures/pruning-metrics-standard-bf16.json?raw";
import { noise } from "../support/nights.ts";
import type { EmulatedRun } from "../../sandbox/github.ts";
import { harness, NIGHTLY, RECONCILE, resetStorage } from "./harness.ts";
import { SMOKE_SUITE as SMOKE, RUST_SUITE as RUST } from "../support/suites.ts";

beforeEach(() => resetStorage());

const DAY = 86_400_000;
const PRUNING = {
  name: "pruning",
  workflow: "perf.yml",
  artifacts: ["pruning-benchmark-*"],
  format: "pruning",
  start: "follow",
};

const withSuites = (suites: object[], bindings: Record<string, string> = {}) =>
  harness(undefined, { CHIMNEY_SUITES: JSON.stringify({ suites }), ...bindings });
type Harness = ReturnType<typeof withSuites>;

const logged = (h: Harness, event: string) => h.logs.map((l) => JSON.parse(l)).filter((e) => e.event === event);
const ticks = (h: Harness): { followed_runs_read: number; errors: string[] }[] => logged(h, "reconcile");
const ARTIFACT_LISTS = /\/actions\/runs\/\d+\/artifacts$/;
const serverError = () => Response.json({ message: "Server Error" }, { status: 502 });

/** Firewood's cargo bench output for one night: insert/1000 and hash, each within ±3% of its usual time. */
const cargo = (i: number, level = 1) =>
  [
    `test insert/1000 ... bench: ${Math.round(1_200_000 * level * noise(i)).toLocaleString("en-US")} ns/iter (+/- 18,450)`,
    `test hash ... bench: ${Math.round(418 * noise(i + 50)).toLocaleString("en-US")} ns/iter (+/- 3)`,
  ].join("\n");

/** A run of benchmarks.yaml that a push started, a day after the last, completed with night `i`'s output. */
function pushedRun(h: Harness, i: number, options: { branch?: string; output?: string } = {}): EmulatedRun {
  h.clock.advance(DAY);
  // The night's commit, the same in every deployment a test compares.
  const sha = `${options.branch ?? "main"}/${i}`
    .split("")
    .map((c) => c.charCodeAt(0).toString(16))
    .join("")
    .padEnd(40, "0")
    .slice(0, 40);
  const run = h.github.addRun({
    workflow: "benchmarks.yaml",
    event: "push",
    head_branch: options.branch ?? "main",
    head_sha: sha,
  });
  h.github.complete(run.id, {
    conclusion: "success",
    artifacts: { "bench-output-hashops": { "output.txt": options.output ?? cargo(i) } },
  });
  return run;
}

/** Every series with every point, as /series/KEY gives them. */
async function everyPoint(h: Harness): Promise<unknown[]> {
  const list = (await (await h.request("/series")).json()) as { series: { key: string }[] };
  const all: unknown[] = [];
  for (const { key } of list.series) all.push(await (await h.request(`/series/${key}`)).json());
  return all;
}

async function pointCounts(h: Harness): Promise<number[]> {
  const list = (await (await h.request("/series")).json()) as { series: { points: number }[] };
  return list.series.map((s) => s.points);
}

describe("a followed suite's run whose webhook was lost", () => {
  it("is read by the next reconcile tick, leaving the series exactly as if the webhook had arrived", async () => {
    /** Eight nights, a tick half an hour after each run; the nights in `lost` lose their webhook. */
    async function nights(lost: number[]) {
      const h = withSuites([SMOKE, RUST]);
      for (let i = 0; i < 8; i++) {
        const run = pushedRun(h, i);
        if (!lost.includes(i)) expect((await h.deliver(run, "completed")).status).toBe(202);
        h.clock.advance(30 * 60_000);
        await h.cron(RECONCILE);
      }
      return {
        points: await everyPoint(h),
        read: ticks(h).map((t) => t.followed_runs_read),
        errors: ticks(h).flatMap((t) => t.errors),
        ingested: logged(h, "suite_run_ingested").length,
        artifactLists: h.github.calls("GET", ARTIFACT_LISTS),
      };
    }
    const delivered = await nights([]);
    await resetStorage();
    const dropped = await nights([2, 3, 6]);

    expect(dropped.points).toHaveLength(2);
    expect(dropped.points).toEqual(delivered.points);
    expect(delivered.read).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(dropped.read).toEqual([0, 0, 1, 1, 0, 0, 1, 0]);
    expect([delivered.errors, dropped.errors]).toEqual([[], []]);
    expect([delivered.ingested, dropped.ingested]).toEqual([8, 8]);
    // A run read by its webhook is not read again by a tick: one artifact list per run.
    expect([delivered.artifactLists, dropped.artifactLists]).toEqual([8, 8]);
  }, 30_000);

  it("is read once however many ticks see it, and runs of other branches or still running are not read", async () => {
    const h = withSuites([SMOKE, RUST]);
    const run = pushedRun(h, 0);
    pushedRun(h, 1, { branch: "feature/faster" });
    const running = h.github.addRun({ workflow: "benchmarks.yaml", event: "push", head_branch: "main" });
    h.github.start(running.id);
    for (let tick = 0; tick < 4; tick++) {
      await h.cron(RECONCILE);
      h.clock.advance(30 * 60_000);
    }
    expect(logged(h, "suite_run_ingested")).toMatchObject([{ suite: "rust-benches", run: run.id, added: 2 }]);
    expect(h.github.calls("GET", ARTIFACT_LISTS)).toBe(1);
    // The webhook arriving late adds nothing either.
    expect((await h.deliver(run, "completed")).status).toBe(202);
    expect(await pointCounts(h)).toEqual([1, 1]);
    expect(h.github.calls("GET", ARTIFACT_LISTS)).toBe(1);
  });

  it("is not looked for once it is older than the window", async () => {
    const h = withSuites([SMOKE, RUST]);
    pushedRun(h, 0);
    h.clock.advance(4 * DAY);
    await h.cron(RECONCILE);
    expect(await pointCounts(h)).toEqual([]);
    expect(h.github.calls("GET", /\/actions\/workflows\/benchmarks\.yaml\/runs$/)).toBe(1);
  });
});

describe("a lost run the tick cannot read", () => {
  it("is not read again when it is refused for good", async () => {
    const h = withSuites([SMOKE, RUST]);
    const run = pushedRun(h, 0, { output: "test insert/1000 ... bench:   fast ns/iter (+/- 41)\n" });
    for (let tick = 0; tick < 3; tick++) {
      await h.cron(RECONCILE);
      h.clock.advance(30 * 60_000);
    }
    expect(logged(h, "suite_run_failed")).toMatchObject([{ suite: "rust-benches", run: run.id, retry: false }]);
    expect(h.github.calls("GET", ARTIFACT_LISTS)).toBe(1);
    expect(await pointCounts(h)).toEqual([]);
  });

  it("is read again on the next tick when GitHub failed, and given up after the delivery's attempts", async () => {
    const h = withSuites([SMOKE, RUST]);
    pushedRun(h, 0);
    h.github.fail("GET", /\/actions\/artifacts\/\d+\/zip$/, 4, serverError);
    await h.cron(RECONCILE);
    expect(logged(h, "suite_run_failed")).toMatchObject([{ suite: "rust-benches", retry: true }]);
    expect(await pointCounts(h)).toEqual([]);
    h.clock.advance(30 * 60_000);
    await h.cron(RECONCILE);
    expect(await pointCounts(h)).toEqual([1, 1]);
    expect(logged(h, "suite_run_ingested")).toHaveLength(1);

    // A run GitHub never serves is tried three times in all, not on every tick of the window.
    const broken = pushedRun(h, 1);
    h.github.fail("GET", new RegExp(`/actions/runs/${broken.id}/artifacts$`), Number.POSITIVE_INFINITY, serverError);
    const before = h.github.calls("GET", ARTIFACT_LISTS);
    for (let tick = 0; tick < 8; tick++) {
      await h.cron(RECONCILE);
      h.clock.advance(30 * 60_000);
    }
    // Each attempt asks four times (the client's retries).
    expect(h.github.calls("GET", ARTIFACT_LISTS) - before).toBe(3 * 4);
    expect(await pointCounts(h)).toEqual([1, 1]);
  });
});

describe("the tick's search for lost runs", () => {
  const RUNS = /\/actions\/workflows\/benchmarks\.yaml\/runs$/;

  for (const [what, respond] of [
    ["answers 502", serverError],
    ["times out", "time-out"],
    [
      "rate-limits it (429)",
      () => Response.json({ message: "slow down" }, { status: 429, headers: { "retry-after": "3600" } }),
    ],
  ] as const) {
    it(`is named in the tick's errors when GitHub ${what}, and the tick goes on`, async () => {
      const h = withSuites([SMOKE, RUST, PRUNING]);
      pushedRun(h, 0);
      h.github.fail("GET", RUNS, 10, respond);
      await h.cron(RECONCILE);
      const [report] = ticks(h);
      expect(report.errors).toEqual([expect.stringMatching(/^followed: benchmarks\.yaml on main: /)]);
      // perf.yml, which pruning follows, is still looked at, unless GitHub asked chimney to wait; the outbox is still drained.
      const rateLimited = what.includes("429");
      expect(h.github.calls("GET", /\/actions\/workflows\/perf\.yml\/runs$/)).toBe(rateLimited ? 0 : 1);
      expect(report).toMatchObject({ alerts_sent: 0, runs_settled: 0 });

      h.github.heal();
      h.clock.advance(30 * 60_000);
      await h.cron(RECONCILE);
      expect(await pointCounts(h)).toEqual([1, 1]);
      expect(ticks(h)[1].errors).toEqual([]);
    });
  }

  it("stays within the job's request budget and leaves the runs it cannot afford to the next tick", async () => {
    const h = withSuites([SMOKE, RUST], { GITHUB_REQUEST_BUDGET: "5" });
    for (let i = 0; i < 4; i++) pushedRun(h, i);
    const asked = () => h.github.calls("GET", /./);
    let tick = 0;
    while ((await pointCounts(h)).join() !== "4,4" && tick < 10) {
      const before = asked();
      await h.cron(RECONCILE);
      // One list, then three requests a run (its artifacts, the 302, the zip).
      expect(asked() - before).toBeLessThanOrEqual(5);
      h.clock.advance(30 * 60_000);
      tick++;
    }
    expect(await pointCounts(h)).toEqual([4, 4]);
    expect(tick).toBe(4);
    expect(ticks(h).map((t) => t.errors)).toEqual([
      ...Array(3).fill([
        expect.stringMatching(/^followed: the request budget is spent: run \d+ and the runs after it/),
      ]),
      [],
    ]);
    expect(logged(h, "suite_run_failed")).toEqual([]);
  });
});

describe("a lost run of the smoke workflow", () => {
  const PRUNING_ARTIFACTS = {
    "pruning-benchmark-standard-bf16": { "pruning-metrics-standard-bf16.json": pruningStandard },
    "pruning-benchmark-io-uring-bf256": { "pruning-metrics-io-uring-bf256.json": pruningIoUring },
  };
  const files = { "smoke-metrics.json": JSON.stringify(passing) };

  it("gives its night back to the smoke loop and its pruning points to the pruning suite", async () => {
    const h = withSuites([SMOKE, PRUNING]);
    h.clock.advance(DAY);
    h.github.addCommit("a commit of the night");
    await h.cron(NIGHTLY);
    const run = [...h.github.runs.values()].at(-1)!;
    h.github.complete(run.id, { conclusion: "success", files, artifacts: PRUNING_ARTIFACTS });
    h.clock.advance(30 * 60_000);
    await h.cron(RECONCILE);
    expect(await h.runRecord(`${run.id}-1`)).toMatchObject({ state: "passed" });
    expect(await pointCounts(h)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(logged(h, "suite_run_ingested")).toMatchObject([{ suite: "pruning", run: run.id, added: 6 }]);
  });

  it("is not read by the suites when it is a confirming run", async () => {
    const h = withSuites([SMOKE, PRUNING]);
    const run = h.github.addRun({
      workflow: "perf.yml",
      display_title: "Performance smoke benchmark chimney-confirm-9000000001-1",
      inputs: { correlation_id: "chimney-confirm-9000000001-1", ref: "a".repeat(40) },
    });
    h.github.complete(run.id, { conclusion: "success", files, artifacts: PRUNING_ARTIFACTS });
    await h.cron(RECONCILE);
    expect(await pointCounts(h)).toEqual([]);
    expect(h.github.calls("GET", ARTIFACT_LISTS)).toBe(0);
    expect(ticks(h)[0]).toMatchObject({ followed_runs_read: 0, errors: [] });
  });
});

describe("a run whose webhook arrives while the tick finds it", () => {
  /**
   * The first claim of the run's own delivery waits while `other` runs whole: the two paths are
   * both past their checks of what was taken up, and only the claim can tell them apart.
   */
  function racing(other: (h: Harness, run: EmulatedRun) => Promise<void>) {
    let run: EmulatedRun | null = null;
    let raced = false;
    const h: Harness = harness(undefined, { CHIMNEY_SUITES: JSON.stringify({ suites: [SMOKE, RUST] }) }, (stores) => ({
      ...stores,
      deliveries: {
        ...stores.deliveries,
        retryable: (now) => stores.deliveries.retryable(now),
        finish: (id, outcome, at) => stores.deliveries.finish(id, outcome, at),
        claim: async (id, event, at) => {
          if (run && !raced && id.startsWith(`followed-run-${run.id}-`)) {
            raced = true;
            await other(h, run);
          }
          return stores.deliveries.claim(id, event, at);
        },
      },
    }));
    return {
      h,
      lose: (lost: EmulatedRun) => {
        run = lost;
      },
    };
  }

  it("is merged once when the webhook claims the run while the tick is about to", async () => {
    const { h, lose } = racing(async (h, run) => void (await h.deliver(run, "completed")));
    const run = pushedRun(h, 0);
    lose(run);
    await h.cron(RECONCILE);
    expect(await pointCounts(h)).toEqual([1, 1]);
    expect(logged(h, "suite_run_ingested")).toHaveLength(1);
    expect(h.github.calls("GET", ARTIFACT_LISTS)).toBe(1);
    expect(ticks(h)[0]).toMatchObject({ followed_runs_read: 0, errors: [] });
  });

  it("is merged once when the tick runs while the webhook is about to claim the run", async () => {
    const { h, lose } = racing((h) => h.cron(RECONCILE));
    const run = pushedRun(h, 0);
    lose(run);
    expect((await h.deliver(run, "completed")).status).toBe(202);
    expect(await pointCounts(h)).toEqual([1, 1]);
    expect(logged(h, "suite_run_ingested")).toHaveLength(1);
    expect(h.github.calls("GET", ARTIFACT_LISTS)).toBe(1);
  });
});
