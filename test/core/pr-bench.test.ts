import { describe, expect, it } from "vitest";
import type { HistoryEntry } from "../../src/core/history.ts";
import { compareWithNights, decideCommand, parseCommand, type PullRequestHead } from "../../src/core/pr-bench.ts";
import { nightEntry } from "../support/entries.ts";

const SHA = "a".repeat(40);
const same: PullRequestHead = {
  number: 7,
  head_sha: SHA,
  head_ref: "f",
  head_repository: "o/r",
  base_repository: "O/R",
};
const fork: PullRequestHead = { ...same, head_repository: "mallory/r" };

function night(i: number, throughput: number, extra: Partial<HistoryEntry> = {}): HistoryEntry {
  return nightEntry({
    id: `${i}-1`,
    at: `2026-11-${String(10 + i).padStart(2, "0")}T03:00:00.000Z`,
    throughput_ops_per_sec: throughput,
    total_duration_ms: 100,
    per_batch_p95_ms: 10,
    ...extra,
  });
}

describe("the /chimney bench command", () => {
  it.each([
    ["/chimney bench", { kind: "bench" }],
    ["  /chimney   bench  \nplease", { kind: "bench" }],
    [`/chimney bench approve ${SHA.toUpperCase()}`, { kind: "approve", sha: SHA }],
    ["/chimney bench approve abc123", null],
    ["please /chimney bench", null],
    ["/chimney benchmark", null],
  ])("reads %j", (body, command) => expect(parseCommand(body)).toEqual(command));

  it("dispatches a collaborator's request on the base repository's own branch, ignores anyone else", () => {
    expect(decideCommand({ kind: "bench" }, "dev", "write", same)).toEqual({ kind: "dispatch", sha: SHA, fork: false });
    expect(decideCommand({ kind: "bench" }, "bob", "triage", same)).toMatchObject({ kind: "ignore" });
    expect(decideCommand({ kind: "bench" }, "bob", "none", same)).toMatchObject({ kind: "ignore" });
  });

  it("asks a maintainer to approve a fork's exact head, and dispatches only on that approval", () => {
    expect(decideCommand({ kind: "bench" }, "dev", "write", fork)).toEqual({ kind: "ask_approval", sha: SHA });
    expect(decideCommand({ kind: "bench" }, "dev", "write", { ...fork, head_repository: null })).toMatchObject({
      kind: "ask_approval",
    });
    expect(decideCommand({ kind: "approve", sha: SHA }, "dev", "write", fork)).toMatchObject({ kind: "ignore" });
    expect(decideCommand({ kind: "approve", sha: "b".repeat(40) }, "lead", "maintain", fork)).toMatchObject({
      kind: "ignore",
    });
    expect(decideCommand({ kind: "approve", sha: SHA }, "lead", "maintain", fork)).toEqual({
      kind: "dispatch",
      sha: SHA,
      fork: true,
    });
  });
});

describe("a pull request's run against the recent nights", () => {
  it("takes the median of the last 7 nights, and the noise from their MAD, which one outlier night does not stretch", () => {
    const entries = [10, 10, 100, 102, 98, 101, 99, 100, 160].map((t, i) => night(i, t));
    // The two oldest are beyond the 7; a PR run and a confirming run are no nights.
    entries.push(night(20, 1, { mainline: false }), night(21, 1, { dispatch_kind: "confirm" }));
    const c = compareWithNights({ throughput_ops_per_sec: 104, total_duration_ms: 100, per_batch_p95_ms: 12 }, entries);
    expect(c.nights).toBe(7);
    const [throughput, p95, duration] = c.metrics;
    expect(throughput).toMatchObject({ median: 100, change: 0.04, within_noise: true, better: true });
    // MAD 1 → 3 × 1.4826: the 160 night leaves it alone (the range would be 98..160).
    expect(throughput.noise).toBeCloseTo(4.4478, 4);
    expect(
      compareWithNights({ throughput_ops_per_sec: 95, total_duration_ms: 100, per_batch_p95_ms: 10 }, entries)
        .metrics[0],
    ).toMatchObject({ within_noise: false, better: false });
    expect(p95).toMatchObject({ median: 10, change: 0.2, within_noise: false, better: false });
    expect(duration).toMatchObject({ change: 0, within_noise: true, better: null });
  });

  it("has nothing to compare without nights, or without a result", () => {
    expect(compareWithNights(null, [night(1, 100)]).metrics[0]).toMatchObject({ median: 100, within_noise: null });
    expect(compareWithNights({ throughput_ops_per_sec: 1, total_duration_ms: 1, per_batch_p95_ms: 1 }, []).nights).toBe(
      0,
    );
  });
});
