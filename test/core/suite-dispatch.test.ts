import { describe, expect, it } from "vitest";
import { newDispatch, tooLate, type Dispatch } from "../../src/core/dispatch.ts";
import type { SeriesChange } from "../../src/core/series.ts";
import {
  confirmStep,
  dispatchedSuites,
  latestSlot,
  rerunDispatch,
  rerunVerdict,
  slotAction,
  slotDispatch,
  suiteDispatchAction,
  type DispatchedSuite,
  type SuspectedChange,
} from "../../src/core/suite-dispatch.ts";
import { RUST_SUITE, SMOKE_SUITE as SMOKE, parsedSuites as suites } from "../support/suites.ts";

const SHA = "1f0e9d8c7b6a59483726150f1e2d3c4b5a697887";
const HOUR = 3_600_000;

const CRITERION = {
  name: "criterion",
  workflow: "criterion.yml",
  artifacts: ["benchmark-results"],
  format: "criterion",
  start: { dispatch: { cron: "30 2 * * 1-5" } },
};
const RUST = { ...RUST_SUITE, artifacts: ["bench-*"] };

const [criterion] = dispatchedSuites(suites(SMOKE, CRITERION, RUST)) as [DispatchedSuite];

describe("dispatchedSuites", () => {
  it("gives the suites chimney dispatches and reads through their series: not smoke (the nightly loop's), not followed ones", () => {
    expect(dispatchedSuites(suites(SMOKE, CRITERION, RUST)).map((s) => s.name)).toEqual(["criterion"]);
  });
});

describe("latestSlot and slotAction", () => {
  // Weekdays at 02:30 UTC; 2026-11-30 is a Monday.
  const cases: [string, string, boolean, string | null, string][] = [
    ["at the slot itself", "2026-11-30T02:30:00Z", false, "2026-11-30T02:30:00.000Z", "dispatch"],
    ["a tick 20 minutes on", "2026-11-30T02:50:00Z", false, "2026-11-30T02:30:00.000Z", "dispatch"],
    ["claimed by a racing tick", "2026-11-30T03:00:00Z", true, "2026-11-30T02:30:00.000Z", "claimed"],
    ["23 hours late, still in time", "2026-12-01T01:30:00Z", false, "2026-11-30T02:30:00.000Z", "dispatch"],
    ["Saturday: Friday's slot, over a day old", "2026-12-05T12:00:00Z", false, "2026-12-04T02:30:00.000Z", "too_old"],
    ["Saturday, Friday's slot claimed", "2026-12-05T12:00:00Z", true, "2026-12-04T02:30:00.000Z", "claimed"],
  ];
  it.each(cases)("%s", (_, now, claimed, at, action) => {
    const slot = latestSlot(criterion, new Date(now));
    expect(slot?.at).toBe(at);
    expect(slot?.correlation_id).toBe(`chimney-suite-criterion-${at!.slice(0, 10).replaceAll("-", "")}t0230`);
    expect(slotAction(slot!, claimed, Date.parse(now)).kind).toBe(action);
  });

  it("says why a slot is skipped", () => {
    const slot = latestSlot(criterion, new Date("2026-12-05T12:00:00Z"))!;
    expect(slotAction(slot, false, Date.parse("2026-12-05T12:00:00Z"))).toEqual({
      kind: "too_old",
      reason: "the slot of 2026-12-04T02:30:00.000Z was not dispatched within 24 hours; the next one is awaited",
    });
  });

  it("claims a slot's dispatch for the suite's workflow and branch, requested at the slot's time", () => {
    const slot = latestSlot(criterion, new Date("2026-11-30T03:00:00Z"))!;
    const dispatch = slotDispatch(criterion, slot);
    expect(dispatch).toMatchObject({
      kind: "scheduled",
      suite: "criterion",
      workflow: "criterion.yml",
      ref: "main",
      requested_at: "2026-11-30T02:30:00.000Z",
      state: "claimed",
    });
    // A failed attempt is retried within the day, no later.
    expect(tooLate(dispatch, Date.parse("2026-12-01T02:00:00Z"))).toBeNull();
    expect(tooLate(dispatch, Date.parse("2026-12-01T02:31:00Z"))).toMatch(
      /^the scheduled slot could not be dispatched/,
    );
  });
});

const change = (over: Partial<SeriesChange> = {}): SeriesChange => ({
  index: 20,
  at: "2026-11-25T02:41:00Z",
  sha: SHA,
  before_at: "2026-11-24T02:40:00Z",
  before_sha: "0".repeat(40),
  pvalue: 0.001,
  magnitude: 0.15,
  mean_before: 1_200_000,
  mean_after: 1_380_000,
  direction: "worse",
  ...over,
});
const suspect = (over: Partial<SeriesChange> = {}): SuspectedChange => ({
  series: "criterion--merkle-insert",
  name: "Merkle/insert",
  change: change(over),
});
const rerun = (over: Partial<Dispatch> = {}): Dispatch => ({
  ...rerunDispatch(criterion, suspect(), `chimney-confirm-criterion-${SHA}`, "2026-11-28T03:00:00.000Z"),
  ...over,
});

describe("confirmStep", () => {
  const followed = suites(RUST)[0];
  const unconfirmed = { ...criterion, alerts: { ...criterion.alerts, confirm: false } };
  const cases: [string, Parameters<typeof confirmStep>, string][] = [
    ["a suite without confirm: the alert hears it at once", [unconfirmed, false, suspect(), null], "plan"],
    ["a followed suite: nothing to rerun", [followed, false, suspect(), null], "plan"],
    ["the alert already open: the change is news to it", [criterion, true, suspect(), null], "plan"],
    ["no commit to rerun at", [criterion, false, suspect({ sha: null }), null], "plan"],
    ["no rerun yet", [criterion, false, suspect(), null], "dispatch"],
    ["the rerun is claimed", [criterion, false, suspect(), rerun()], "wait"],
    ["the rerun is running", [criterion, false, suspect(), rerun({ state: "dispatched", run_id: 9 })], "wait"],
    ["the rerun failed once, to be retried", [criterion, false, suspect(), rerun({ state: "failed" })], "wait"],
    [
      "the rerun landed on the new level",
      [criterion, false, suspect(), rerun({ rerun: { verdict: "confirmed", value: 1_370_000, reason: null } })],
      "plan",
    ],
    [
      "the rerun landed on the old level",
      [criterion, false, suspect(), rerun({ rerun: { verdict: "refuted", value: 1_210_000, reason: null } })],
      "drop",
    ],
    [
      "the rerun could not run",
      [criterion, false, suspect(), rerun({ rerun: { verdict: "unconfirmed", value: null, reason: "failure" } })],
      "plan",
    ],
  ];
  it.each(cases)("%s", (_, args, kind) => {
    expect(confirmStep(...args).kind).toBe(kind);
  });

  it("names the rerun by the suite and the commit where the change starts", () => {
    expect(confirmStep(criterion, false, suspect(), null)).toEqual({
      kind: "dispatch",
      correlation_id: `chimney-confirm-criterion-${SHA}`,
    });
    expect(rerun()).toMatchObject({
      kind: "confirm",
      suite: "criterion",
      workflow: "criterion.yml",
      sha: SHA,
      suspect: { series: "criterion--merkle-insert", mean_before: 1_200_000, mean_after: 1_380_000 },
    });
  });
});

describe("rerunVerdict", () => {
  const levels = { mean_before: 1_200_000, mean_after: 1_380_000 };
  it.each([
    [1_372_000, "confirmed"],
    [1_300_000, "confirmed"],
    [1_289_000, "refuted"],
    [1_290_000, "refuted"],
    [1_185_000, "refuted"],
  ] as const)("a rerun at %d is %s", (value, verdict) => {
    expect(rerunVerdict(value, levels)).toBe(verdict);
  });
});

describe("suiteDispatchAction", () => {
  const at = Date.parse("2026-11-28T03:00:00.000Z");
  it("waits for a running rerun, and gives it up without a result after STALE_AFTER_HOURS", () => {
    const running = rerun({ state: "dispatched", run_id: 9 });
    expect(suiteDispatchAction(running, at + 5 * HOUR, 6).kind).toBe("none");
    expect(suiteDispatchAction(running, at + 7 * HOUR, 6)).toEqual({
      kind: "give_up",
      reason: "the rerun gave no result within 6 hours",
    });
    const answered = rerun({ state: "dispatched", run_id: 9, rerun: { verdict: "refuted", value: 1, reason: null } });
    expect(suiteDispatchAction(answered, at + 7 * HOUR, 6).kind).toBe("none");
  });

  it("retries a failed slot dispatch as any dispatch, and gives it up after a day", () => {
    const slot = latestSlot(criterion, new Date("2026-11-30T03:00:00Z"))!;
    const failed = { ...slotDispatch(criterion, slot), state: "failed" as const, attempts: 1 };
    expect(suiteDispatchAction(failed, Date.parse("2026-11-30T03:30:00Z"), 6).kind).toBe("dispatch");
    expect(suiteDispatchAction(failed, Date.parse("2026-12-01T03:00:00Z"), 6).kind).toBe("give_up");
  });

  it("leaves a smoke dispatch's rules as they were", () => {
    const nightly = newDispatch(
      {
        kind: "nightly",
        night: "2026-11-30",
        correlation_id: "chimney-nightly-2026-11-30",
        ref: "main",
        pr_number: null,
        sha: null,
        confirms: null,
      },
      "2026-11-30T03:00:00.000Z",
    );
    const failed = { ...nightly, state: "failed" as const, attempts: 1 };
    expect(suiteDispatchAction(failed, Date.parse("2026-11-30T10:00:00Z"), 6).kind).toBe("give_up");
  });
});
