import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  beginRead,
  failedRead,
  laterRead,
  MAX_READ_ATTEMPTS,
  readDue,
  type ReadRetry,
  type ReadStep,
} from "../../src/core/read-retry.ts";
import { mergeRun, newRun } from "../../src/core/run.ts";

const T0 = Date.parse("2026-11-29T03:00:00Z");
const MIN = 60_000;
const at = (minutes: number) => new Date(T0 + minutes * MIN).toISOString();
const retry = (attempts: number, nextAt: number, lastError: string | null = null): ReadRetry => ({
  attempts,
  next_at: at(nextAt),
  last_error: lastError,
});

describe("reading a completed run", () => {
  it.each<[string, ReadRetry | null, number, ReadStep]>([
    ["a first attempt", null, 0, { kind: "read", retry: retry(1, 30) }],
    ["the second, 30 minutes on", retry(1, 30, "500"), 30, { kind: "read", retry: retry(2, 90) }],
    ["the third, an hour on", retry(2, 90, "500"), 90, { kind: "read", retry: retry(3, 210) }],
    ["the fifth and last, four hours on", retry(4, 450, "500"), 450, { kind: "read", retry: retry(5, 930) }],
    [
      "none after the fifth, whose invocation died before it said why",
      retry(5, 930),
      930,
      {
        kind: "give_up",
        reason: "the run's result could not be read after 5 attempts: the last one ended before it finished",
      },
    ],
  ])("begins %s", (_case, previous, now, step) => {
    expect(beginRead(previous, T0 + now * MIN)).toEqual(step);
  });

  it.each<[string, ReadRetry, ReadStep]>([
    ["waits for the next attempt", retry(1, 30), { kind: "wait", retry: retry(1, 30, "500 server error") }],
    ["waits after the fourth", retry(4, 450), { kind: "wait", retry: retry(4, 450, "500 server error") }],
    [
      "gives up after the last",
      retry(MAX_READ_ATTEMPTS, 930),
      { kind: "give_up", reason: "the run's result could not be read after 5 attempts: 500 server error" },
    ],
  ])("after a failure, %s", (_case, begun, step) => {
    expect(failedRead(begun, "500 server error")).toEqual(step);
  });

  it.each<[string, ReadRetry | null, number, boolean]>([
    ["never read", null, 0, true],
    ["before the next attempt is due", retry(2, 90, "500"), 89, false],
    ["when it is due", retry(2, 90, "500"), 90, true],
  ])("is read by the tick when %s: %s", (_case, r, now, due) => {
    expect(readDue(r, T0 + now * MIN)).toBe(due);
  });
});

describe("merging records of a run's reads", () => {
  const RECORDS = [retry(1, 30), retry(1, 30, "timeout"), retry(2, 90), retry(2, 90, "500"), retry(2, 90, "502"), null];

  it("keeps the later: more attempts, then the failure over the attempt it ended", () => {
    expect(laterRead(retry(1, 30, "500"), retry(2, 90))).toEqual(retry(2, 90));
    expect(laterRead(retry(2, 90), retry(2, 90, "500"))).toEqual(retry(2, 90, "500"));
    expect(laterRead(null, retry(1, 30))).toEqual(retry(1, 30));
  });

  it("is the same whatever order the reports of an open run arrive in; a final run keeps none", () => {
    const reports = RECORDS.map((r) =>
      newRun({ id: "9-1", state: "running", at: at(0), mainline: true, read_retry: r }),
    );
    const fold = (order: typeof reports) => order.reduce((acc, r) => mergeRun(acc, r).run, reports[0]);
    fc.assert(
      fc.property(fc.shuffledSubarray(reports, { minLength: reports.length, maxLength: reports.length }), (order) => {
        expect(fold(order).read_retry).toEqual(retry(2, 90, "502"));
      }),
    );
    const crashed = newRun({ id: "9-1", state: "crashed", at: at(0), mainline: true, completed_at: at(1) });
    expect(mergeRun(fold(reports), crashed).run.read_retry).toBeNull();
    expect(mergeRun(crashed, reports[3]).run.read_retry).toBeNull();
  });
});
