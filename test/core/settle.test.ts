import { describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS } from "../../src/core/changepoints/analysis.ts";
import type { ChangeReport, RunChange } from "../../src/core/drift.ts";
import type { HistoryEntry } from "../../src/core/history.ts";
import { suspectAfter } from "../../src/core/confirmation.ts";
import { newRun, type Run } from "../../src/core/run.ts";
import { planAnalysis, planSettlement, planWithoutRerun, type SettleContext } from "../../src/core/settle.ts";
import { settleContext } from "../support/settle.ts";
import { nightEntry } from "../support/entries.ts";

const NOW = "2026-11-30T04:00:00.000Z";
const SHA = "a".repeat(40);
const regressed = (extra: Partial<Run> = {}) =>
  newRun({
    id: "7001-1",
    state: "regressed",
    at: "2026-11-30T02:00:00.000Z",
    mainline: true,
    sha: SHA,
    github: { run_id: 7001, run_attempt: 1, html_url: null },
    dispatch: { correlation_id: "chimney-nightly-2026-11-30", kind: "nightly", pr_number: null, confirms: null },
    ...extra,
  });
const context = (extra: Partial<SettleContext> = {}) => settleContext(NOW, extra);
const change = (runId: string, direction: "worse" | "better"): RunChange =>
  ({ metric: "throughput_ops_per_sec", index: 10, run_id: runId, before_run_id: "7000-1", direction }) as RunChange;
const analysis = (changes: RunChange[], drifts: RunChange[] = [], evidence = changes): ChangeReport => ({
  computed_at: NOW,
  latest_run_id: "7001-1",
  runs: 11,
  options: DEFAULT_OPTIONS,
  changes,
  evidence,
  drifts,
  min_runs: 3,
  from_run_id: "6990-1",
  complete: true,
  settles_drift: true,
});
const verdicts = (subjects: { verdicts: { fingerprint: string; bad: boolean }[] }[]) =>
  subjects.flatMap((s) => s.verdicts.map((v) => `${v.fingerprint}=${v.bad ? "bad" : "good"}`));

describe("settling a recorded run", () => {
  it("marks a lone out-of-band night suspect, claims a confirming dispatch of its commit, and says nothing of regression yet", () => {
    const plan = planSettlement({ run: regressed(), revision: "3" }, context());
    expect(plan.settles).toEqual({ run_id: "7001-1", revision: "3" });
    expect(plan.runs).toHaveLength(1);
    expect(plan.runs[0].confirmation).toMatchObject({ state: "pending", run_id: null });
    expect(plan.dispatch).toMatchObject({
      kind: "confirm",
      ref: "main",
      sha: SHA,
      confirms: "7001-1",
      state: "claimed",
      correlation_id: plan.runs[0].confirmation?.correlation_id,
      requested_at: NOW,
    });
    expect(verdicts(plan.subjects)).toEqual(["crash:smoke=good", "missed:smoke=good"]);
  });

  it.each<[string, Partial<SettleContext>, Partial<Run>]>([
    ["confirming is off", { confirm: false }, {}],
    ["a regression alert is open", { regressionOpen: true }, {}],
    [
      "a change point for the worse that three runs bore out begins at it",
      { analysis: { ...analysis([change("7001-1", "worse")]), runs: 13 } },
      {},
    ],
    ["it has no commit", {}, { sha: null }],
    ["it is a pull request's", {}, { dispatch: { correlation_id: "c", kind: "manual", pr_number: 7, confirms: null } }],
  ])("alerts at once when %s", (_, ctx, extra) => {
    const plan = planSettlement({ run: regressed(extra), revision: "1" }, context(ctx));
    expect(plan.dispatch).toBeNull();
    expect(plan.runs).toEqual([]);
    if (!extra.dispatch) expect(verdicts(plan.subjects)).toContain("regression:smoke=bad");
  });

  it("still confirms a night when the change point at it is no evidence yet", () => {
    const young = analysis([change("7001-1", "worse")], [], []);
    const plan = planSettlement({ run: regressed(), revision: "1" }, context({ analysis: young }));
    expect(plan.dispatch).not.toBeNull();
  });

  it("still confirms a night when the change point at it goes the good way", () => {
    const plan = planSettlement(
      { run: regressed(), revision: "1" },
      context({ analysis: analysis([change("7001-1", "better")]) }),
    );
    expect(plan.dispatch).not.toBeNull();
  });

  it.each<[Run["state"], string, string[]]>([
    ["regressed", "confirmed", ["regression:smoke=bad", "crash:smoke=good", "missed:smoke=good"]],
    ["passed", "refuted", ["regression:smoke=good", "crash:smoke=good", "missed:smoke=good"]],
    // A crash says nothing of speed: the suspect waits for the next night with a result.
    ["crashed", "next_night", ["crash:smoke=bad", "missed:smoke=good"]],
  ])("settles the suspect when its confirming run %s: %s", (state, outcome, said) => {
    const suspect = {
      ...regressed(),
      confirmation: { state: "pending" as const, correlation_id: "chimney-confirm-7001-1", run_id: null, reason: null },
    };
    const confirming = newRun({
      id: "7002-1",
      state,
      at: "2026-11-30T03:00:00.000Z",
      mainline: true,
      sha: SHA,
      dispatch: { correlation_id: "chimney-confirm-7001-1", kind: "confirm", pr_number: null, confirms: "7001-1" },
    });
    const plan = planSettlement(
      { run: confirming, revision: "1" },
      context({ suspect: suspectAfter(confirming, suspect) }),
    );
    expect(plan.runs.map((r) => [r.id, r.confirmation?.state, r.confirmation?.run_id])).toEqual([
      ["7001-1", outcome, "7002-1"],
    ]);
    expect(plan.dispatch).toBeNull();
    expect(verdicts(plan.subjects)).toEqual(said);
  });

  it("leaves a suspect that is already settled alone", () => {
    const suspect = {
      ...regressed(),
      confirmation: { state: "refuted" as const, correlation_id: "c", run_id: "7002-1", reason: null },
    };
    const confirming = newRun({
      id: "7003-1",
      state: "regressed",
      at: NOW,
      mainline: true,
      dispatch: { correlation_id: "c", kind: "confirm", pr_number: null, confirms: "7001-1" },
    });
    expect(suspectAfter(confirming, suspect)).toBeNull();
    const plan = planSettlement(
      { run: confirming, revision: "1" },
      context({ suspect: suspectAfter(confirming, suspect) }),
    );
    expect(plan.runs).toEqual([]);
    expect(verdicts(plan.subjects)).not.toContain("regression:smoke=bad");
  });

  it("says nothing of a drift while the regression it belongs to is reported", () => {
    const drift = change("6990-1", "worse");
    const plan = planSettlement(
      { run: regressed(), revision: "1" },
      context({ confirm: false, analysis: analysis([drift], [drift]) }),
    );
    expect(verdicts(plan.subjects)).toContain("regression:smoke=bad");
    expect(verdicts(plan.subjects)).not.toContain("regression:smoke-drift=bad");
  });

  it("tells the drift alert what a new analysis says, after the run", () => {
    const passed = newRun({ id: "7001-1", state: "passed", at: NOW, mainline: true, sha: SHA });
    const drift = change("6990-1", "worse");
    const plan = planSettlement({ run: passed, revision: "1" }, context({ analysis: analysis([drift], [drift]) }));
    expect(plan.analysis?.drifts).toEqual([drift]);
    expect(verdicts(plan.subjects).at(-1)).toBe("regression:smoke-drift=bad");
  });

  it("gives up a confirmation by leaving the suspect to the next night, once, saying nothing yet", () => {
    const suspect = {
      ...regressed(),
      confirmation: { state: "pending" as const, correlation_id: "c", run_id: null, reason: null },
    };
    const plan = planWithoutRerun(suspect, "no runner");
    expect(plan?.settles).toBeNull();
    expect(plan?.runs[0].confirmation).toMatchObject({ state: "next_night", reason: "no runner" });
    expect(plan?.subjects).toEqual([]);
    expect(planWithoutRerun(plan?.runs[0] as Run, "again")).toBeNull();
  });

  describe("a suspect its confirming run could not decide", () => {
    const suspect = {
      ...regressed(),
      confirmation: {
        state: "next_night" as const,
        correlation_id: "chimney-confirm-7001-1",
        run_id: "7002-1",
        reason: "the confirming run 7002-1 crashed",
      },
    };
    const next = (state: Run["state"]) =>
      newRun({
        id: "7003-1",
        state,
        at: "2026-12-01T02:00:00.000Z",
        mainline: true,
        sha: "b".repeat(40),
        github: { run_id: 7003, run_attempt: 1, html_url: null },
        dispatch: { correlation_id: "chimney-nightly-2026-12-01", kind: "nightly", pr_number: null, confirms: null },
      });

    it("is refuted by the next night within its band: no issue", () => {
      const plan = planSettlement({ run: next("passed"), revision: "1" }, context({ previousSuspect: suspect }));
      expect(plan.runs.map((r) => [r.id, r.confirmation?.state, r.confirmation?.run_id])).toEqual([
        ["7001-1", "refuted", "7003-1"],
      ]);
      expect(verdicts(plan.subjects)).not.toContain("regression:smoke=bad");
      expect(plan.dispatch).toBeNull();
    });

    it("is borne out by the next night out of its band: one regression naming both", () => {
      const plan = planSettlement({ run: next("regressed"), revision: "1" }, context({ previousSuspect: suspect }));
      expect(plan.runs.map((r) => [r.id, r.confirmation?.state, r.corroborates])).toEqual([
        ["7001-1", "confirmed", null],
        ["7003-1", undefined, "7001-1"],
      ]);
      expect(verdicts(plan.subjects)).toContain("regression:smoke=bad");
      expect(plan.dispatch).toBeNull();
    });

    it("is still decided by a confirming run that comes late", () => {
      const confirming = newRun({
        id: "7004-1",
        state: "passed",
        at: "2026-11-30T09:00:00.000Z",
        mainline: true,
        sha: SHA,
        dispatch: { correlation_id: "chimney-confirm-7001-1", kind: "confirm", pr_number: null, confirms: "7001-1" },
      });
      const plan = planSettlement(
        { run: confirming, revision: "1" },
        context({ suspect: suspectAfter(confirming, suspect) }),
      );
      expect(plan.runs.map((r) => [r.id, r.confirmation?.state, r.confirmation?.run_id])).toEqual([
        ["7001-1", "refuted", "7004-1"],
      ]);
    });
  });

  it("keeps an imported history's analysis without alerting on it", () => {
    const drift = change("6990-1", "worse");
    expect(planAnalysis(analysis([drift], [drift]))).toEqual({
      settles: null,
      runs: [],
      analysis: analysis([drift], [drift]),
      subjects: [],
      dispatch: null,
    });
  });
});

describe("an open regression", () => {
  const night = (i: number, level: number, state: Run["state"] = "passed"): HistoryEntry =>
    nightEntry({
      id: `${8000 + i}-1`,
      state,
      at: new Date(Date.UTC(2026, 10, 1, 3) + i * 86_400_000).toISOString(),
      sha: SHA,
      throughput_ops_per_sec: 10_000 / level,
      total_duration_ms: 48 * level,
      per_batch_p95_ms: 11 * level,
      out_of_range: state === "regressed" ? ["throughput_ops_per_sec"] : [],
    });
  /** Ten nights at 1.0, the regression opened by two nights at 1.3, then `after` levels; newest first. */
  const nights = (after: number[]) =>
    [
      ...Array.from({ length: 10 }, (_, i) => night(i, 1 + (i % 3) / 100)),
      night(10, 1.3, "regressed"),
      night(11, 1.3, "regressed"),
      ...after.map((level, i) => night(12 + i, level)),
    ].reverse();
  const passedAt = (level: number, i: number) =>
    newRun({
      id: `${8000 + i}-1`,
      state: "passed",
      at: night(i, level).at,
      mainline: true,
      sha: SHA,
      measurements: {
        batches: 5,
        batch_size: 100,
        total_operations: 500,
        total_duration_ms: 48 * level,
        throughput_ops_per_sec: 10_000 / level,
        per_batch_count: 5,
        per_batch_p95_ms: 11 * level,
      },
    });
  const regressionSaid = (after: number[], level: number) => {
    const plan = planSettlement(
      { run: passedAt(level, 12 + after.length), revision: "1" },
      context({ regressionOpen: true, regressionOpenedAt: night(10, 1.3).at, recentNights: nights(after) }),
    );
    return verdicts(plan.subjects).filter((v) => v.startsWith("regression:smoke="));
  };

  it("stays open on one or two good nights: one good night is no more evidence than one bad one", () => {
    expect(regressionSaid([], 1)).toEqual([]);
    expect(regressionSaid([1.01], 1)).toEqual([]);
  });

  it("recovers on the third good night in a row back near the level before it", () => {
    expect(regressionSaid([1.01, 0.99], 1)).toEqual(["regression:smoke=good"]);
  });

  it("stays open while good nights hover near the regressed level, inside the band", () => {
    expect(regressionSaid([1.25, 1.27], 1.26)).toEqual([]);
  });
});

describe("a drift while a regression is reported", () => {
  it("is the same slowdown: no second issue", () => {
    const passed = newRun({ id: "7001-1", state: "regressed", at: NOW, mainline: true, sha: SHA });
    const drift = change("6990-1", "worse");
    const plan = planSettlement(
      { run: passed, revision: "1" },
      context({ analysis: analysis([drift], [drift]), regressionOpen: true }),
    );
    expect(verdicts(plan.subjects)).not.toContain("regression:smoke-drift=bad");
    const quiet = planSettlement(
      { run: { ...passed, state: "passed" }, revision: "1" },
      context({ analysis: analysis([drift], [drift]) }),
    );
    expect(verdicts(quiet.subjects)).toContain("regression:smoke-drift=bad");
  });
});
