import { describe, expect, it } from "vitest";
import type { HistoryEntry } from "../../src/core/history.ts";
import type { RunState } from "../../src/core/run.ts";
import { badgeOf, compact, signalOf, statusDocument } from "../../src/core/status.ts";

const NOW = new Date("2026-11-29T12:00:00.000Z");
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();

const entry = (id: string, state: RunState, at: string, throughput: number | null = 10233.3): HistoryEntry => ({
  id,
  state,
  at,
  completed_at: ["dispatched", "running"].includes(state) ? null : at,
  sha: null,
  ref: null,
  mainline: true,
  throughput_ops_per_sec: throughput,
  total_duration_ms: throughput === null ? null : 48.9,
  per_batch_p95_ms: throughput === null ? null : 11.2,
  out_of_range: state === "regressed" ? ["throughput_ops_per_sec"] : [],
  confirmation: null,
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
    ["dispatched", "pending"],
    ["running", "pending"],
  ] as const)("follows the latest run: %s → %s", (state, signal) => {
    const doc = statusDocument([entry("9-1", state, hoursAgo(2)), entry("8-1", "passed", hoursAgo(26))]);
    expect(signalOf(doc, NOW, 36).state).toBe(signal);
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
    const doc = statusDocument([{ ...entry("9-1", "regressed", hoursAgo(1)), confirmation: "pending" }]);
    expect(signalOf(doc, NOW, 36)).toEqual({
      state: "regressed",
      reason:
        "run 9-1 is outside the baseline: throughput_ops_per_sec; chimney is benchmarking its commit again to confirm",
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
