import { describe, expect, it } from "vitest";
import {
  correlationIdIn,
  isConfirmingRun,
  lastScheduled,
  findFailure,
  isWorkflowFile,
  manualCorrelationId,
  slotCorrelationId,
  suiteConfirmationId,
  nightlyCorrelationId,
  nightOf,
  type JobView,
} from "../../src/core/workflow.ts";

const job = (steps: [string, string | null][], conclusion = "failure"): JobView => ({
  name: "Firewood smoke benchmark",
  conclusion,
  html_url: "https://github.com/ava-labs/firewood/actions/runs/1/job/2",
  steps: steps.map(([name, c], i) => ({ name, conclusion: c, number: i + 1 })),
});

describe("the benchmark workflow's runs", () => {
  it.each([
    [".github/workflows/perf.yml", true],
    [".github/workflows/perf.yml@refs/heads/main", true],
    ["ava-labs/firewood/.github/workflows/perf.yml@v1", true],
    [".github/workflows/perf.yaml", false],
    [".github/workflows/ci.yml", false],
    [null, false],
  ])("%s is perf.yml: %s", (path, expected) => {
    expect(isWorkflowFile(path, "perf.yml")).toBe(expected);
  });

  it("finds chimney's correlation id in a run name, and only that", () => {
    expect(correlationIdIn(`Firewood smoke benchmark ${nightlyCorrelationId("2026-11-29")}`)).toBe(
      "chimney-nightly-2026-11-29",
    );
    const manual = manualCorrelationId("01JD5ZQ0X3M9V7K2N8P4R6T1WB");
    expect(manual).toBe("chimney-manual-01jd5zq0x3m9v7k2n8p4r6t1wb");
    expect(correlationIdIn(`perf ${manual} (PR #12)`)).toBe(manual);
    expect(correlationIdIn("Performance smoke benchmark")).toBe(null);
    expect(correlationIdIn("chimney-nightly-yesterday")).toBe(null);
    const slot = slotCorrelationId("criterion", new Date("2026-11-30T02:30:00Z"));
    expect(slot).toBe("chimney-suite-criterion-20261130t0230");
    expect(correlationIdIn(`Criterion benches ${slot}`)).toBe(slot);
    // A suite's rerun is confirming, whatever its name: 26 letters must not read as a smoke rerun's ULID.
    const sha = "1f0e9d8c7b6a59483726150f1e2d3c4b5a697887";
    for (const suite of ["criterion", "abcdefghijklmnopqrstuvwxyz", "rust-benches"]) {
      const rerun = suiteConfirmationId(suite, sha.toUpperCase());
      expect(rerun).toBe(`chimney-confirm-${suite}-${sha}`);
      expect(correlationIdIn(`Criterion benches ${rerun}`)).toBe(rerun);
      expect(isConfirmingRun(`Criterion benches ${rerun}`)).toBe(true);
    }
    expect(isConfirmingRun(`Criterion benches ${slot}`)).toBe(false);
    expect(correlationIdIn(null)).toBe(null);
  });

  it("puts a time in its UTC night", () => {
    expect(nightOf(Date.parse("2026-11-29T23:59:59.999Z"))).toBe("2026-11-29");
    expect(nightOf(Date.parse("2026-11-30T00:00:00.000Z"))).toBe("2026-11-30");
  });

  it.each([
    ["0 3 * * *", "2026-11-29T04:30:00.000Z", "2026-11-29T03:00:00.000Z"],
    ["0 3 * * *", "2026-11-29T02:30:00.000Z", "2026-11-28T03:00:00.000Z"],
    ["45 23 * * *", "2026-11-30T00:10:00.000Z", "2026-11-29T23:45:00.000Z"],
    // Weekdays only: on Monday morning the last one was Friday's.
    ["0 3 * * 1-5", "2026-11-30T02:00:00.000Z", "2026-11-27T03:00:00.000Z"],
    ["30 2 1,15 * *", "2026-11-29T12:00:00.000Z", "2026-11-15T02:30:00.000Z"],
    ["0 */6 * * *", "2026-11-29T13:00:00.000Z", "2026-11-29T12:00:00.000Z"],
  ])("finds the last time %s fired before %s, in UTC", (cron, now, last) => {
    expect(lastScheduled(cron, new Date(now))?.toISOString()).toBe(last);
  });

  it.each(["0 25 * * *", "every night", "0 3 * *", "0 0 3 * * *", ""])("reads no time from %j", (cron) => {
    expect(lastScheduled(cron, new Date("2026-11-29T04:30:00.000Z"))).toBe(null);
  });
});

describe("what failed in a run", () => {
  it("names the failed step and calls one before the benchmark infrastructure", () => {
    const failure = findFailure([
      job([
        ["Set up job", "success"],
        ["Checkout repository", "failure"],
        ["Run smoke benchmark", "skipped"],
      ]),
    ]);
    expect(failure).toEqual({
      job: "Firewood smoke benchmark",
      step: "Checkout repository",
      log_url: "https://github.com/ava-labs/firewood/actions/runs/1/job/2",
      before_benchmark: true,
    });
  });

  it("does not call the benchmark step itself, or a later one, infrastructure", () => {
    expect(
      findFailure([
        job([
          ["Checkout repository", "success"],
          ["Run smoke benchmark", "failure"],
        ]),
      ])?.before_benchmark,
    ).toBe(false);
    expect(
      findFailure([
        job([
          ["Run smoke benchmark", "success"],
          ["Summarize metrics", "failure"],
        ]),
      ])?.before_benchmark,
    ).toBe(false);
  });

  it("is not infrastructure when the job has no benchmark step to compare with", () => {
    expect(findFailure([job([["Checkout repository", "failure"]])])).toMatchObject({
      step: "Checkout repository",
      before_benchmark: false,
    });
  });

  it("takes the failed job among several, and knows a job can fail with no failed step", () => {
    const ok = { ...job([["Run smoke benchmark", "success"]], "success"), name: "pruning (standard, 16)" };
    expect(findFailure([ok, job([], "timed_out")])).toEqual({
      job: "Firewood smoke benchmark",
      step: null,
      log_url: expect.any(String),
      before_benchmark: false,
    });
    expect(findFailure([ok])).toBe(null);
  });
});
