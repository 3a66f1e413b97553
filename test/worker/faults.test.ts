/**
 * Faults at each step of the nightly loop: the stores (KV, R2, the ledger Durable Object) and
 * GitHub fail while a regressed night is reported. Once the faults stop, the reconcile ticks
 * finish the work: one run, one issue, nothing lost and nothing doubled.
 */
import { beforeEach, describe, expect, it } from "vitest";
import regressed from "../fixtures/smoke-metrics-regressed.json";
import passing from "../fixtures/smoke-metrics.json";
import { Faults } from "../support/faults.ts";
import { harness, NIGHTLY, RECONCILE, resetStorage } from "./harness.ts";

beforeEach(() => resetStorage());

type Harness = ReturnType<typeof harness>;
const serverError = () => new Response(JSON.stringify({ message: "Server Error" }), { status: 502 });
const rateLimited = () =>
  new Response(JSON.stringify({ message: "You have exceeded a secondary rate limit" }), {
    status: 429,
    headers: { "retry-after": "60" },
  });

type Step = [string, (h: Harness, faults: Faults) => void];
/** A step, and what the webhook answers the delivery and its duplicate while the fault lasts. */
type NightStep = [string, (h: Harness, faults: Faults) => void, number, number];

const STEPS: NightStep[] = [
  ["R2 refuses the webhook's body", (_h, f) => f.fail("inbox", "keep", 3), 500, 500],
  ["the ledger refuses to claim the delivery", (_h, f) => f.fail("deliveries", "claim", 3), 500, 500],
  ["the ledger refuses to finish the delivery", (_h, f) => f.fail("deliveries", "finish", 3), 202, 202],
  [
    "GitHub answers 5xx listing the artifacts",
    (h) => h.github.fail("GET", /\/actions\/runs\/\d+\/artifacts$/, 20, serverError),
    202,
    202,
  ],
  [
    "GitHub rate-limits the artifact download",
    (h) => h.github.fail("GET", /\/actions\/artifacts\/\d+\/zip$/, 20, rateLimited),
    202,
    202,
  ],
  [
    "the artifact download times out",
    (h) => h.github.fail("GET", /\/actions\/artifacts\/\d+\/zip$/, 20, "time-out"),
    202,
    202,
  ],
  [
    "the artifact download loses its answer",
    (h) => h.github.fail("GET", /\/actions\/artifacts\/\d+\/zip$/, 20, "lose-answer"),
    202,
    202,
  ],
  ["R2 refuses the run's files", (_h, f) => f.fail("artifacts", "put", 10), 202, 202],
  ["the ledger refuses the run's record", (_h, f) => f.fail("runs", "record", 3), 202, 202],
  ["KV cannot read the history for the analysis", (_h, f) => f.fail("runs", "history", 3), 202, 202],
  ["the ledger cannot list the runs to settle", (_h, f) => f.fail("settlements", "unsettled", 3), 202, 202],
  ["the ledger refuses to commit the settlement", (_h, f) => f.fail("settlements", "commit", 3), 202, 202],
  ["the ledger refuses to hand out the writes", (_h, f) => f.fail("alerts", "claim", 3), 202, 202],
  ["the ledger refuses to record a sent write", (_h, f) => f.fail("alerts", "finish", 3), 202, 202],
  ["GitHub answers 5xx creating the issue", (h) => h.github.fail("POST", /\/issues$/, 20, serverError), 202, 202],
  ["GitHub rate-limits creating the issue", (h) => h.github.fail("POST", /\/issues$/, 20, rateLimited), 202, 202],
  [
    "the issue is created but the answer is lost",
    (h) => h.github.fail("POST", /\/issues$/, 1, "lose-answer"),
    202,
    202,
  ],
];

describe("a regressed night reported while something fails", () => {
  it.each(STEPS)("ends as one run and one issue when %s", async (_step, inject, answered, duplicated) => {
    const faults = new Faults();
    const h = harness("2026-11-20T03:00:00.000Z", {}, faults.wrap);
    await h.night(passing, "a good commit");

    h.clock.advance(24 * 3_600_000);
    h.github.addCommit("the commit that made it slower");
    await h.cron(NIGHTLY);
    const run = [...h.github.runs.values()].at(-1)!;
    h.github.complete(run.id, { conclusion: "success", files: { "smoke-metrics.json": JSON.stringify(regressed) } });
    inject(h, faults);
    const answer = await h.deliver(run, "completed");
    expect(answer.status).toBe(answered);
    const duplicate = await h.deliver(run, "completed");
    expect(duplicate.status).toBe(duplicated);
    // A fault that never fired would turn this case into the happy path.
    expect([...faults.unfired(), ...h.github.unfired()]).toEqual([]);

    // The faults stop; GitHub's retry-after and chimney's backoff are waited out by the ticks.
    faults.clear();
    h.github.heal();
    for (let tick = 0; tick < 4; tick++) {
      h.clock.advance(30 * 60_000);
      await h.cron(RECONCILE);
    }

    const runs = (await h.history()).filter((r) => r.id === `${run.id}-1`);
    expect(runs).toHaveLength(1);
    expect(runs[0].state).toBe("regressed");
    expect((await h.history()).filter((r) => r.state === "regressed")).toHaveLength(1);
    const record = (await h.runRecord(`${run.id}-1`))!;
    expect(record.artifacts.map((a: { name: string }) => a.name)).toContain("smoke-metrics.json");

    const issues = h.github.alertIssues();
    expect(issues).toHaveLength(1);
    expect(issues[0].title).toMatch(/^Smoke benchmark regressed:/);
    expect(issues[0].comments).toEqual([]);
    const status = (await (await h.request("/status")).json()) as {
      state: string;
      open_alerts: { fingerprint: string; issue_number: number | null }[];
    };
    expect(status.state).toBe("regressed");
    expect(status.open_alerts).toEqual([
      expect.objectContaining({ fingerprint: "regression:smoke", issue_number: issues[0].number }),
    ]);
  });
});

describe("a nightly dispatch made while something fails", () => {
  it.each<Step>([
    ["GitHub answers 5xx to the dispatch", (h) => h.github.fail("POST", /\/dispatches$/, 20, serverError)],
    [
      "GitHub runs the workflow but the dispatch's answer is lost",
      (h) => h.github.fail("POST", /\/dispatches$/, 1, "lose-answer"),
    ],
    ["the ledger refuses the night's claim", (_h, f) => f.fail("dispatches", "claim", 1)],
    ["the ledger refuses to save the dispatch", (_h, f) => f.fail("dispatches", "save", 2)],
  ])("runs the benchmark once that night when %s", async (_step, inject) => {
    const faults = new Faults();
    const h = harness("2026-11-20T02:00:00.000Z", {}, faults.wrap);
    inject(h, faults);
    h.clock.advance(3_600_000);
    await h.cron(NIGHTLY);
    expect([...faults.unfired(), ...h.github.unfired()]).toEqual([]);
    faults.clear();
    h.github.heal();
    for (let tick = 0; tick < 3; tick++) {
      h.clock.advance(30 * 60_000);
      await h.cron(RECONCILE);
    }
    const runs = [...h.github.runs.values()];
    expect(runs).toHaveLength(1);
    h.github.complete(runs[0].id, { conclusion: "success", files: { "smoke-metrics.json": JSON.stringify(passing) } });
    expect((await h.deliver(runs[0], "completed")).status).toBe(202);
    expect((await h.history()).map((r) => r.state)).toEqual(["passed"]);
  });
});
