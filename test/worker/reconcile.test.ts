import { harness, NIGHTLY, RECONCILE, resetStorage } from "./harness.ts";
import { beforeEach, describe, expect, it } from "vitest";
import passing from "../fixtures/smoke-metrics.json";
import { Faults } from "../support/faults.ts";

beforeEach(() => resetStorage());

const HOUR = 3_600_000;
const ARTIFACT = { "smoke-metrics.json": JSON.stringify(passing) };

describe("the reconcile tick", () => {
  it("records a run no runner picked up within STALE_AFTER_HOURS as missed", async () => {
    const h = harness();
    await h.cron(NIGHTLY);
    const [run] = h.github.runs.values();
    h.clock.advance(37 * HOUR);
    await h.cron(RECONCILE);
    expect(await h.runRecord(`${run.id}-1`)).toMatchObject({
      state: "missed",
      failure: { reason: "no runner picked the run up within 36 hours" },
    });
  });

  it("records a run still in progress after STALE_AFTER_HOURS as crashed", async () => {
    const h = harness();
    await h.cron(NIGHTLY);
    const [run] = h.github.runs.values();
    h.github.start(run.id);
    h.clock.advance(2 * HOUR);
    await h.cron(RECONCILE);
    expect((await h.runRecord(`${run.id}-1`))?.state).toBe("running");
    h.clock.advance(35 * HOUR);
    await h.cron(RECONCILE);
    expect(await h.runRecord(`${run.id}-1`)).toMatchObject({
      state: "crashed",
      failure: { reason: "the run had not finished after 36 hours" },
    });
  });

  it("records a run GitHub no longer knows as crashed", async () => {
    const h = harness();
    await h.cron(NIGHTLY);
    const [run] = h.github.runs.values();
    h.github.runs.delete(run.id);
    await h.cron(RECONCILE);
    expect(await h.runRecord(`${run.id}-1`)).toMatchObject({
      state: "crashed",
      failure: { reason: "the run no longer exists on GitHub" },
    });
  });

  it("links a dispatch whose run was not found at once, when it appears", async () => {
    const h = harness();
    h.github.dispatchStyle = "no-content";
    h.github.fail("GET", /\/workflows\/perf\.yml\/runs$/, 3, () =>
      Response.json({ total_count: 0, workflow_runs: [] }),
    );
    await h.cron(NIGHTLY);
    expect(await h.history()).toEqual([]);
    await h.cron(RECONCILE);
    const [run] = h.github.runs.values();
    expect(await h.runRecord(`${run.id}-1`)).toMatchObject({
      state: "dispatched",
      dispatch: { correlation_id: "chimney-nightly-2026-11-29" },
    });
  });

  it("catches up a nightly trigger that did not fire, within its window only", async () => {
    const late = harness("2026-11-29T04:30:00.000Z");
    await late.cron(RECONCILE);
    expect(late.github.calls("POST", /\/dispatches$/)).toBe(1);
    await late.cron(RECONCILE);
    expect(late.github.calls("POST", /\/dispatches$/)).toBe(1);

    await resetStorage();
    const afternoon = harness("2026-11-29T15:00:00.000Z");
    await afternoon.cron(RECONCILE);
    const early = harness("2026-11-29T02:30:00.000Z");
    await early.cron(RECONCILE);
    expect(afternoon.github.calls("POST", /\/dispatches$/) + early.github.calls("POST", /\/dispatches$/)).toBe(0);
  });

  it("records a watched night as missed when it could not be claimed within the catch-up window", async () => {
    const faults = new Faults();
    const h = harness(undefined, {}, faults.wrap);
    await h.cron(NIGHTLY);
    h.clock.advance(24 * HOUR);
    // The store the night is claimed in is down from the trigger until past the catch-up window.
    faults.fail("dispatches", "claim", 12);
    await h.cron(NIGHTLY);
    for (let tick = 0; tick < 12; tick++) {
      h.clock.advance(HOUR / 2);
      await h.cron(RECONCILE);
    }
    expect(faults.unfired()).toEqual([]);
    expect(faults.hits).toHaveLength(12);
    h.clock.advance(HOUR);
    await h.cron(RECONCILE);
    await h.cron(RECONCILE);
    const records = await Promise.all((await h.history()).map((e) => h.runRecord(e.id)));
    const nights = records.filter((r) => r?.dispatch?.correlation_id === "chimney-nightly-2026-11-30");
    expect(nights).toMatchObject([
      {
        state: "missed",
        at: "2026-11-30T03:00:00.000Z",
        failure: { reason: "the night could not be dispatched within 6 hours of 2026-11-30T03:00:00.000Z" },
      },
    ]);
    expect(h.github.calls("POST", /\/dispatches$/)).toBe(1);
  });

  it("records a claimed nightly dispatch that was never made as missed once it is too late to make it", async () => {
    const faults = new Faults();
    const h = harness(undefined, {}, faults.wrap);
    await h.cron(NIGHTLY);
    h.clock.advance(24 * HOUR);
    // GitHub refuses the dispatch and the store cannot note the failure: the claim is all that is left.
    h.github.fail("POST", /\/dispatches$/, 1, () => Response.json({ message: "No ref found" }, { status: 422 }));
    faults.fail("dispatches", "save", 1);
    await h.cron(NIGHTLY);
    expect(faults.unfired()).toEqual([]);
    expect(h.github.unfired()).toEqual([]);
    // The ticks stopped (a deployment, an outage) until the night is past its window.
    h.clock.advance(7 * HOUR);
    await h.cron(RECONCILE);
    expect(h.github.calls("POST", /\/dispatches$/)).toBe(2);
    const records = await Promise.all((await h.history()).map((e) => h.runRecord(e.id)));
    expect(records.filter((r) => r?.dispatch?.correlation_id === "chimney-nightly-2026-11-30")).toMatchObject([
      {
        state: "missed",
        failure: { reason: "the night could not be dispatched within 6 hours of 2026-11-30T03:00:00.000Z" },
      },
    ]);
  });

  it("records no missed night for the nights before chimney watched", async () => {
    const h = harness("2026-11-29T15:00:00.000Z");
    await h.cron(RECONCILE);
    expect(await h.history()).toEqual([]);
  });

  it("catches up a weekday-only nightly trigger on weekdays, and never at the weekend", async () => {
    // 2026-11-27 is a Friday; 2026-11-28 a Saturday.
    const friday = harness("2026-11-27T04:30:00.000Z", { NIGHTLY_CRON: "0 3 * * 1-5" });
    await friday.cron(RECONCILE);
    expect(friday.github.calls("POST", /\/dispatches$/)).toBe(1);
    await resetStorage();
    const saturday = harness("2026-11-28T04:30:00.000Z", { NIGHTLY_CRON: "0 3 * * 1-5" });
    await saturday.cron(RECONCILE);
    expect(saturday.github.calls("POST", /\/dispatches$/)).toBe(0);
  });

  it("retries a delivery whose processing failed", async () => {
    const faults = new Faults();
    const h = harness(undefined, {}, faults.wrap);
    await h.cron(NIGHTLY);
    const [run] = h.github.runs.values();
    h.github.complete(run.id, { conclusion: "success", files: ARTIFACT });
    faults.fail("runs", "record", 1);
    await h.deliver(run, "completed");
    expect(faults.hits).toEqual(["runs.record"]);
    expect((await h.runRecord(`${run.id}-1`))?.state).toBe("dispatched");
    await h.cron(RECONCILE);
    expect((await h.runRecord(`${run.id}-1`))?.state).toBe("passed");
    const report = JSON.parse(h.logs.find((l) => l.includes('"event":"reconcile"'))!);
    expect(report).toMatchObject({ deliveries_retried: 1, errors: [] });
  });
});

describe("the reconcile tick, when one item fails", () => {
  const serverError = () => Response.json({ message: "Server Error" }, { status: 500 });
  const report = (h: ReturnType<typeof harness>) =>
    h.logs.filter((l) => l.includes('"event":"reconcile"')).map((l) => JSON.parse(l));

  it("asks about the other runs when GitHub cannot answer about one, and closes that one once it is stale", async () => {
    const h = harness();
    await h.cron(NIGHTLY);
    const [bad] = h.github.runs.values();
    h.clock.advance(24 * HOUR);
    await h.cron(NIGHTLY);
    const good = [...h.github.runs.values()].at(-1)!;
    h.github.complete(good.id, { conclusion: "success", files: ARTIFACT });
    const asking = new RegExp(`/actions/runs/${bad.id}/attempts/1$`);
    h.github.fail("GET", asking, Number.POSITIVE_INFINITY, serverError);
    const error = `GET https://api.github.test/repos/HUBId/chain/actions/runs/${bad.id}/attempts/1: 500 server error`;

    await h.cron(RECONCILE);
    expect(await h.runRecord(`${good.id}-1`)).toMatchObject({ state: "passed" });
    expect(await h.runRecord(`${bad.id}-1`)).toMatchObject({ state: "dispatched" });
    expect(h.github.calls("GET", asking)).toBe(4);
    expect(report(h)).toEqual([expect.objectContaining({ runs_checked: 2, errors: [`runs: ${bad.id}-1: ${error}`] })]);

    h.clock.advance(13 * HOUR);
    await h.cron(RECONCILE);
    expect(h.github.calls("GET", asking)).toBe(8);
    expect(await h.runRecord(`${bad.id}-1`)).toMatchObject({
      state: "crashed",
      failure: { reason: `GitHub could not say how the run went for 36 hours: ${error}` },
    });
    expect(report(h)[1].errors).toEqual([]);
  });

  it("retries the other deliveries when one cannot be", async () => {
    const faults = new Faults();
    // Past the nightly catch-up's window; runs chimney did not dispatch: their deliveries are all it hears of them.
    const h = harness("2026-11-29T12:00:00.000Z", {}, faults.wrap);
    const runs = [h.github.addRun(), h.github.addRun()];
    faults.fail("runs", "record", 2);
    for (const run of runs) {
      h.github.complete(run.id, { conclusion: "success", files: ARTIFACT });
      await h.deliver(run, "completed");
    }
    faults.fail("inbox", "get", 1);
    await h.cron(RECONCILE);
    expect(faults.hits).toEqual(["runs.record", "runs.record", "inbox.get"]);
    expect((await h.history()).map((r) => r.state)).toEqual(["passed"]);
    const [first] = report(h);
    expect(first.deliveries_retried).toBe(1);
    expect(first.errors).toEqual([expect.stringMatching(/^deliveries: [\w-]+: injected fault: inbox\.get is down$/)]);

    h.clock.advance(HOUR / 2);
    await h.cron(RECONCILE);
    expect((await h.history()).map((r) => r.state)).toEqual(["passed", "passed"]);
  });

  it("looks for the other dispatches' runs when one cannot be saved", async () => {
    const faults = new Faults();
    const h = harness(undefined, {}, faults.wrap);
    h.github.dispatchStyle = "no-content";
    const nobody = () => Response.json({ total_count: 0, workflow_runs: [] });
    h.github.fail("GET", /\/workflows\/perf\.yml\/runs$/, 3, nobody);
    await h.cron(NIGHTLY);
    h.clock.advance(24 * HOUR);
    h.github.fail("GET", /\/workflows\/perf\.yml\/runs$/, 3, nobody);
    await h.cron(NIGHTLY);
    expect(await h.history()).toEqual([]);

    faults.fail("dispatches", "save", 1);
    await h.cron(RECONCILE);
    expect(faults.hits).toEqual(["dispatches.save"]);
    const [first] = report(h);
    expect(first.runs_found).toBe(1);
    expect(first.errors).toEqual([
      expect.stringMatching(/^dispatches: chimney-nightly-2026-11-(29|30): injected fault: dispatches\.save is down$/),
    ]);
    expect(await h.history()).toHaveLength(1);
  });
});
