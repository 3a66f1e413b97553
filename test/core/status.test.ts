import { describe, expect, it } from "vitest";
import type { HistoryEntry } from "../../src/core/history.ts";
import type { RunState } from "../../src/core/run.ts";
import {
  badgeOf,
  compact,
  overallSignal,
  seriesSuiteSignal,
  signalOf,
  type SignalState,
  statusDocument,
  suiteBadge,
} from "../../src/core/status.ts";
import { nightEntry } from "../support/entries.ts";

const NOW = new Date("2026-11-29T12:00:00.000Z");
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();

const entry = (id: string, state: RunState, at: string, throughput: number | null = 10233.3): HistoryEntry =>
  nightEntry({
    id,
    state,
    at,
    completed_at: ["dispatched", "running"].includes(state) ? null : at,
    ref: null,
    throughput_ops_per_sec: throughput,
    total_duration_ms: throughput === null ? null : 48.9,
    per_batch_p95_ms: throughput === null ? null : 11.2,
    out_of_range: state === "regressed" ? ["throughput_ops_per_sec"] : [],
  });

describe("the signal", () => {
  it("is unknown before any run", () => {
    expect(signalOf(null, NOW, 36).state).toBe("unknown");
    expect(signalOf(statusDocument([]), NOW, 36).state).toBe("unknown");
  });

  it.each([
    ["passed", "passing"],
    ["regressed", "regressed"],
    ["crashed", "crashed"],
    ["missed", "missed"],
  ] as const)("follows the last settled night: %s → %s", (state, signal) => {
    const doc = statusDocument([entry("9-1", state, hoursAgo(2)), entry("8-1", "passed", hoursAgo(26))]);
    expect(signalOf(doc, NOW, 36).state).toBe(signal);
  });

  it.each([
    ["dispatched", "passed", "passing"],
    ["running", "passed", "passing"],
    ["running", "regressed", "regressed"],
  ] as const)("stays steady while the next run is %s: the night before %s reads %s", (open, before, signal) => {
    const doc = statusDocument([entry("9-1", open, hoursAgo(1), null), entry("8-1", before, hoursAgo(25))]);
    expect(signalOf(doc, NOW, 36).state).toBe(signal);
    expect(doc.night?.id).toBe("8-1");
    expect(doc.in_progress?.id).toBe("9-1");
  });

  it("is pending only while no night has settled, naming the run in flight", () => {
    const doc = statusDocument([entry("9-1", "running", hoursAgo(1), null)]);
    expect(signalOf(doc, NOW, 36)).toEqual({
      state: "pending",
      reason: "no night has settled yet; run 9-1 is running",
    });
  });

  it("reports the night, not the confirming run that measured it again", () => {
    const rerun = { ...entry("10-1", "passed", hoursAgo(1)), dispatch_kind: "confirm" as const };
    const suspect = { ...entry("9-1", "regressed", hoursAgo(2)), confirmation: "refuted" as const };
    const doc = statusDocument([rerun, suspect]);
    expect(doc.night?.id).toBe("9-1");
    expect(signalOf(doc, NOW, 36)).toEqual({
      state: "passing",
      reason: "run 9-1 was outside the baseline once, and the run measured after it was within it: noise",
    });
    const confirmed = statusDocument([rerun, { ...suspect, confirmation: "confirmed" as const }]);
    expect(signalOf(confirmed, NOW, 36).state).toBe("regressed");
    const undecided = statusDocument([rerun, { ...suspect, confirmation: "next_night" as const }]);
    expect(signalOf(undecided, NOW, 36).reason).toMatch(
      /; benchmarking its commit again gave no result, so the next night decides$/,
    );
  });

  it("is not kept steady by a run stuck in flight: missed once nothing reported for STALE_AFTER_HOURS", () => {
    const doc = statusDocument([entry("9-1", "dispatched", hoursAgo(40), null), entry("8-1", "passed", hoursAgo(64))]);
    expect(signalOf(doc, NOW, 36).state).toBe("missed");
  });

  it("turns missed when nothing reported for longer than STALE_AFTER_HOURS", () => {
    const doc = statusDocument([entry("9-1", "passed", hoursAgo(37))]);
    expect(signalOf(doc, NOW, 36)).toEqual({
      state: "missed",
      reason: "no run has reported for 37 hours (STALE_AFTER_HOURS is 36)",
    });
    expect(signalOf(doc, NOW, 48).state).toBe("passing");
  });

  it("names the metrics out of range", () => {
    const doc = statusDocument([entry("9-1", "regressed", hoursAgo(1))]);
    expect(signalOf(doc, NOW, 36).reason).toBe("run 9-1 is outside the baseline: throughput_ops_per_sec");
  });

  it("says so while a suspect run's commit is benchmarked again", () => {
    const doc = statusDocument([
      { ...entry("9-1", "regressed", hoursAgo(1)), confirmation: "pending", sha: "abc1234def".padEnd(40, "0") },
    ]);
    expect(signalOf(doc, NOW, 36)).toEqual({
      state: "regressed",
      reason: "run 9-1 is outside the baseline: throughput_ops_per_sec; benchmarking commit abc1234 again to confirm",
    });
  });

  it("counts only mainline runs: a pull request's run never sets the signal", () => {
    const pr = { ...entry("10-1", "regressed", hoursAgo(1)), mainline: false };
    const doc = statusDocument([pr, entry("9-1", "passed", hoursAgo(2))]);
    expect(doc.latest?.id).toBe("9-1");
    expect(doc.runs).toBe(2);
    expect(signalOf(doc, NOW, 36).state).toBe("passing");
  });

  it("remembers the last completed run while one is pending", () => {
    const doc = statusDocument([entry("9-1", "running", hoursAgo(1), null), entry("8-1", "passed", hoursAgo(25))]);
    expect(doc.latest?.id).toBe("9-1");
    expect(doc.last_completed?.id).toBe("8-1");
    expect(doc.runs).toBe(2);
  });
});

describe("the badge", () => {
  it("shows the throughput when passing", () => {
    const doc = statusDocument([entry("9-1", "passed", hoursAgo(1))]);
    expect(badgeOf(signalOf(doc, NOW, 36), doc)).toEqual({
      schemaVersion: 1,
      label: "firewood smoke",
      message: "10.2k ops/s",
      color: "brightgreen",
    });
  });

  it("says regressed in red", () => {
    const doc = statusDocument([entry("9-1", "regressed", hoursAgo(1), 7020)]);
    expect(badgeOf(signalOf(doc, NOW, 36), doc)).toMatchObject({ message: "7k ops/s (regressed)", color: "red" });
  });

  it.each([
    ["crashed", "crashed", "critical"],
    ["running", "pending", "blue"],
  ] as const)("says %s plainly", (state, message, color) => {
    const doc = statusDocument([entry("9-1", state, hoursAgo(1))]);
    expect(badgeOf(signalOf(doc, NOW, 36), doc)).toMatchObject({ message, color });
  });

  it("is grey with no data", () => {
    expect(badgeOf(signalOf(null, NOW, 36), null)).toEqual({
      schemaVersion: 1,
      label: "firewood smoke",
      message: "unknown",
      color: "lightgrey",
    });
  });

  it("abbreviates numbers as a badge needs", () => {
    expect(compact(10233.3)).toBe("10.2k");
    expect(compact(950)).toBe("950");
    expect(compact(1_540_000)).toBe("1.5m");
  });
});

describe("suites watched through their series", () => {
  const series = [
    { suite: "rust-benches", points: [{ at: "2026-11-28T03:00:00.000Z" }, { at: "2026-11-30T03:00:00.000Z" }] },
    { suite: "cchain", points: [] },
  ] as never[];
  const open = { fingerprint: "regression:rust-benches", state: "open", issue_url: "https://github.test/i/7" } as never;

  it("is regressed while the suite's alert is open, passing with results, unknown before", () => {
    expect(seriesSuiteSignal("rust-benches", series, [open])).toEqual({
      state: "regressed",
      reason: "series of rust-benches stand worse (https://github.test/i/7)",
    });
    expect(seriesSuiteSignal("rust-benches", series, [])).toEqual({
      state: "passing",
      reason: "1 series, the newest result from 2026-11-30",
    });
    expect(seriesSuiteSignal("cchain", series, [open]).state).toBe("unknown");
  });

  it("is, over every suite, the worst state known", () => {
    const of = (name: string, state: SignalState) => ({ name, signal: { state, reason: "" } });
    expect(overallSignal([of("smoke", "passing"), of("rust-benches", "regressed"), of("cchain", "unknown")])).toEqual({
      state: "regressed",
      reason: "rust-benches: regressed",
    });
    expect(overallSignal([of("smoke", "passing"), of("cchain", "unknown")]).state).toBe("passing");
    expect(overallSignal([of("cchain", "unknown")]).state).toBe("unknown");
    expect(suiteBadge("rust-benches", { state: "regressed", reason: "" })).toEqual({
      schemaVersion: 1,
      label: "firewood rust-benches",
      message: "regressed",
      color: "red",
    });
  });
});
