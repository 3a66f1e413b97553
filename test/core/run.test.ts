import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Measurements } from "../../src/core/metrics.ts";
import { isMainline, mergeRun, newRun, type Run } from "../../src/core/run.ts";

const M: Measurements = {
  batches: 5,
  batch_size: 100,
  total_operations: 500,
  total_duration_ms: 48.86,
  throughput_ops_per_sec: 10233.3,
  per_batch_count: 5,
  per_batch_p95_ms: 11.2,
};
const artifact = (name: string) => ({ name, content_type: "text/plain", size: 1, sha256: name.padEnd(64, "0") });

/** The reports one run can get: from the dispatch, the webhooks, the artifact, a runner's upload. */
const REPORTS: Run[] = [
  newRun({
    id: "9-1",
    state: "dispatched",
    at: "2026-11-29T03:00:00Z",
    mainline: true,
    dispatch: { correlation_id: "chimney-nightly-2026-11-29", kind: "nightly", pr_number: null },
  }),
  newRun({ id: "9-1", state: "running", at: "2026-11-29T03:01:00Z", mainline: true, sha: "abc1234" }),
  newRun({
    id: "9-1",
    state: "passed",
    at: "2026-11-29T03:01:00Z",
    mainline: true,
    completed_at: "2026-11-29T03:20:00Z",
    input: "smoke-metrics.json",
    measurements: M,
    artifacts: [artifact("smoke-metrics.json"), artifact("smoke-benchmark.log")],
  }),
  newRun({
    id: "9-1",
    state: "passed",
    at: "2026-11-29T03:25:00Z",
    mainline: true,
    completed_at: "2026-11-29T03:25:00Z",
    input: "smoke-summary.json",
    measurements: M,
    artifacts: [artifact("smoke-summary.json")],
  }),
  newRun({
    id: "9-1",
    state: "crashed",
    at: "2026-11-29T03:01:00Z",
    mainline: true,
    completed_at: "2026-11-29T03:21:00Z",
    failure: {
      reason: 'step "Summarize metrics" failed',
      job: "j",
      step: "Summarize metrics",
      log_url: null,
      rerun_requested: false,
    },
  }),
];

function fold(reports: Run[]): Run {
  return reports.reduce<Run | null>((acc, r) => mergeRun(acc, r).run, null)!;
}

describe("merging reports of a run", () => {
  it("creates, then moves forward, never back", () => {
    const dispatched = REPORTS[0];
    const running = mergeRun(dispatched, REPORTS[1]);
    expect(running.kind).toBe("updated");
    expect(running.run.state).toBe("running");
    expect(mergeRun(running.run, dispatched)).toEqual({ kind: "unchanged", run: running.run });
  });

  it("keeps what each report knew: the dispatch, the commit, the earliest time", () => {
    const run = fold(REPORTS);
    expect(run).toMatchObject({
      state: "passed",
      input: "smoke-metrics.json",
      sha: "abc1234",
      at: "2026-11-29T03:00:00Z",
      completed_at: "2026-11-29T03:20:00Z",
      dispatch: { kind: "nightly" },
      failure: { step: "Summarize metrics" },
    });
    expect(run.artifacts.map((a) => a.name)).toEqual([
      "smoke-metrics.json",
      "smoke-benchmark.log",
      "smoke-summary.json",
    ]);
  });

  it("ends in the same record whatever order the reports arrive in", () => {
    const expected = fold(REPORTS);
    fc.assert(
      fc.property(fc.shuffledSubarray(REPORTS, { minLength: REPORTS.length, maxLength: REPORTS.length }), (order) => {
        const run = fold(order);
        expect({ ...run, artifacts: [...run.artifacts].sort((a, b) => a.name.localeCompare(b.name)) }).toEqual({
          ...expected,
          artifacts: [...expected.artifacts].sort((a, b) => a.name.localeCompare(b.name)),
        });
      }),
    );
  });

  it("is idempotent: the same report again is unchanged, even with its keys in another order", () => {
    const run = fold(REPORTS);
    const reordered = Object.fromEntries(Object.entries(REPORTS[2]).reverse()) as Run;
    expect(mergeRun(run, reordered).kind).toBe("unchanged");
  });

  it("refuses a different result and keeps the stored one", () => {
    const stored = fold(REPORTS);
    const other = { ...REPORTS[2], measurements: { ...M, total_duration_ms: 60 } };
    expect(mergeRun(stored, other)).toEqual({
      kind: "conflict",
      run: stored,
      reason: "run 9-1 already has a different result; nothing was changed",
    });
  });

  it("lets a result replace a crash, keeping what failed", () => {
    const crashed = newRun({
      id: "9-1",
      state: "crashed",
      at: "2026-11-29T03:00:00Z",
      mainline: true,
      failure: { reason: "step failed", job: "j", step: "Summarize metrics", log_url: null, rerun_requested: false },
    });
    const merged = mergeRun(crashed, REPORTS[2]).run;
    expect(merged.state).toBe("passed");
    expect(merged.failure?.step).toBe("Summarize metrics");
    expect(mergeRun(REPORTS[2], crashed).run.state).toBe("passed");
  });
});

describe("a suspect run's confirmation", () => {
  const suspect = fold(REPORTS.slice(0, 3));
  const pending = { state: "pending" as const, correlation_id: "chimney-confirm-9-1", run_id: null, reason: null };
  const refuted = { ...pending, state: "refuted" as const, run_id: "10-1" };

  it("only moves forward, whatever order the reports arrive in", () => {
    const marked = mergeRun(suspect, { ...suspect, confirmation: pending });
    expect(marked).toMatchObject({ kind: "updated", run: { confirmation: pending } });
    const settled = mergeRun(marked.run, { ...suspect, confirmation: refuted }).run;
    expect(settled.confirmation).toEqual(refuted);
    expect(mergeRun(settled, { ...suspect, confirmation: pending })).toEqual({ kind: "unchanged", run: settled });
    expect(mergeRun(settled, REPORTS[3]).run.confirmation).toEqual(refuted);
  });

  it("keeps the first settled outcome", () => {
    const settled = mergeRun(suspect, { ...suspect, confirmation: refuted }).run;
    expect(
      mergeRun(settled, { ...suspect, confirmation: { ...pending, state: "next_night", reason: "late" } }).kind,
    ).toBe("unchanged");
  });
});

describe("mainline runs", () => {
  it("are the tracked branch's, or of unknown branch, and never a pull request's", () => {
    expect(isMainline("main", null, "main")).toBe(true);
    expect(isMainline("refs/heads/main", null, "main")).toBe(true);
    expect(isMainline(null, null, "main")).toBe(true);
    expect(isMainline("feature/x", null, "main")).toBe(false);
    expect(isMainline("main", 12, "main")).toBe(false);
  });
});
