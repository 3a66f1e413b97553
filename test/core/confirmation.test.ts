import { describe, expect, it } from "vitest";
import { confirmationBy, isSuspect, pendingConfirmation, type SuspectContext } from "../../src/core/confirmation.ts";
import type { RunChange } from "../../src/core/drift.ts";
import { newRun, type Run } from "../../src/core/run.ts";
import { correlationIdIn } from "../../src/core/workflow.ts";

const night = newRun({
  id: "9000000001-1",
  state: "regressed",
  at: "2026-11-29T03:00:00Z",
  mainline: true,
  sha: "a".repeat(40),
  ref: "main",
  dispatch: { correlation_id: "chimney-nightly-2026-11-29", kind: "nightly", pr_number: null },
  github: { run_id: 9000000001, run_attempt: 1, html_url: null },
});
const quiet: SuspectContext = { enabled: true, regressionOpen: false, changes: [] };
const change = (direction: "better" | "worse"): RunChange => ({
  metric: "throughput_ops_per_sec",
  index: 20,
  run_id: night.id,
  at: night.at,
  sha: night.sha,
  before_run_id: "9000000000-1",
  before_at: "2026-11-28T03:00:00Z",
  before_sha: null,
  pvalue: 1e-6,
  magnitude: 0.3,
  mean_before: 10_000,
  mean_after: 7_000,
  direction,
});

describe("suspect nights", () => {
  it("is a lone regressed mainline night with a commit to benchmark again", () => {
    expect(isSuspect(night, quiet)).toBe(true);
  });

  it.each<[string, Run, Partial<SuspectContext>]>([
    ["confirmation is switched off (CONFIRM_REGRESSIONS=false, or no GitHub)", night, { enabled: false }],
    ["the regression alert is open already", night, { regressionOpen: true }],
    ["a change point for the worse begins at the run", night, { changes: [change("worse")] }],
    ["it passed", { ...night, state: "passed" }, {}],
    ["it crashed", { ...night, state: "crashed" }, {}],
    ["it is not the tracked branch's", { ...night, mainline: false }, {}],
    [
      "it is a pull request's",
      { ...night, dispatch: { correlation_id: "chimney-manual-x", kind: "manual", pr_number: 7 } },
      {},
    ],
    [
      "it confirms another run",
      {
        ...night,
        dispatch: { correlation_id: "chimney-confirm-1-1", kind: "confirm", pr_number: null, confirms: "1-1" },
      },
      {},
    ],
    ["its commit is unknown", { ...night, sha: null }, {}],
    ["it was uploaded, not dispatched by chimney", { ...night, dispatch: null }, {}],
    ["GitHub did not report it", { ...night, github: null }, {}],
    ["it was suspect already", { ...night, confirmation: pendingConfirmation(night) }, {}],
  ])("is not suspect when %s", (_why, run, ctx) => {
    expect(isSuspect(run, { ...quiet, ...ctx })).toBe(false);
  });

  it("stays suspect when the change point at the run is for the better", () => {
    expect(isSuspect(night, { ...quiet, changes: [change("better")] })).toBe(true);
  });

  it("is confirmed by a correlation id the workflow's run-name carries", () => {
    const pending = pendingConfirmation(night);
    expect(pending).toEqual({
      state: "pending",
      correlation_id: "chimney-confirm-9000000001-1",
      run_id: null,
      reason: null,
    });
    expect(correlationIdIn(`Firewood smoke benchmark ${pending.correlation_id}`)).toBe(pending.correlation_id);
    expect(correlationIdIn("Firewood smoke benchmark chimney-confirm-01m80k4fw0jc4w7y4f0b81ry3a")).toBe(
      "chimney-confirm-01m80k4fw0jc4w7y4f0b81ry3a",
    );
  });

  it.each([
    ["regressed", "confirmed", null],
    ["passed", "refuted", null],
    ["crashed", "next_night", "the confirming run 7-1 crashed"],
    ["missed", "next_night", "the confirming run 7-1 never ran"],
  ] as const)("a confirming run that %s leaves the suspect %s", (state, outcome, reason) => {
    const confirming = newRun({ id: "7-1", state, at: "2026-11-29T05:00:00Z", mainline: true });
    expect(confirmationBy(pendingConfirmation(night), confirming)).toEqual({
      state: outcome,
      correlation_id: "chimney-confirm-9000000001-1",
      run_id: "7-1",
      reason,
    });
  });

  it("leaves the suspect pending when its confirming run crashed before the benchmark and is rerun", () => {
    const confirming = newRun({
      id: "7-1",
      state: "crashed",
      at: "2026-11-29T05:00:00Z",
      mainline: true,
      failure: { reason: "checkout failed", job: null, step: null, log_url: null, rerun_requested: true },
    });
    expect(confirmationBy(pendingConfirmation(night), confirming)).toEqual(pendingConfirmation(night));
  });
});
