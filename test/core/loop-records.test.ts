import { describe, expect, it } from "vitest";
import { shouldProcess, shouldRetry, startProcessing, type Delivery } from "../../src/core/delivery.ts";
import { isUnsettled, nextAction, type Dispatch } from "../../src/core/dispatch.ts";

const T = Date.parse("2026-11-29T03:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

const dispatch = (d: Partial<Dispatch>): Dispatch => ({
  correlation_id: "chimney-nightly-2026-11-29",
  kind: "nightly",
  night: "2026-11-29",
  ref: "main",
  pr_number: null,
  requested_at: iso(T),
  updated_at: iso(T),
  state: "dispatched",
  attempts: 1,
  last_error: null,
  run_id: null,
  ...d,
});

describe("what the reconcile tick does with a dispatch", () => {
  it.each([
    ["a fresh claim is left to its invocation", { state: "claimed" as const }, 5 * 60_000, "none"],
    ["a claim idle for over 10 minutes is looked into", { state: "claimed" as const }, 11 * 60_000, "find_run"],
    ["a failed dispatch is tried again", { state: "failed" as const, attempts: 2 }, 60_000, "dispatch"],
    ["a dispatch failed five times is given up", { state: "failed" as const, attempts: 5 }, 60_000, "give_up"],
    [
      "a failed nightly dispatch is given up past the catch-up window",
      { state: "failed" as const, attempts: 2 },
      6 * 3_600_000,
      "give_up",
    ],
    [
      "a failed manual dispatch is tried again however late",
      { state: "failed" as const, attempts: 2, kind: "manual" as const, night: null },
      10 * 3_600_000,
      "dispatch",
    ],
    ["a dispatch whose run is unknown is looked for", { state: "dispatched" as const }, 60_000, "find_run"],
    [
      "a dispatch with no run after STALE_AFTER_HOURS is given up",
      { state: "dispatched" as const },
      37 * 3_600_000,
      "give_up",
    ],
    ["a dispatch with a known run is settled", { state: "dispatched" as const, run_id: 1 }, 60_000, "none"],
    ["a missed night stays missed", { state: "missed" as const }, 60_000, "none"],
  ])("%s", (_what, d, after, action) => {
    expect(nextAction(dispatch(d), T + after, 36).kind).toBe(action);
  });

  it("says why a late nightly dispatch is given up", () => {
    expect(nextAction(dispatch({ state: "failed", attempts: 2 }), T + 7 * 3_600_000, 36)).toEqual({
      kind: "give_up",
      reason: "the night could not be dispatched within 6 hours of 2026-11-29T03:00:00.000Z",
    });
  });

  it("lists only unsettled dispatches", () => {
    expect(isUnsettled(dispatch({ state: "dispatched", run_id: 9 }))).toBe(false);
    expect(isUnsettled(dispatch({ state: "missed" }))).toBe(false);
    expect(isUnsettled(dispatch({ state: "failed" }))).toBe(true);
    expect(isUnsettled(dispatch({ state: "claimed" }))).toBe(true);
  });
});

describe("webhook deliveries", () => {
  const delivery = (d: Partial<Delivery>): Delivery => ({
    id: "d1",
    event: "workflow_run",
    state: "processing",
    attempts: 1,
    received_at: iso(T),
    updated_at: iso(T),
    error: null,
    ...d,
  });

  it("processes a new delivery and a failed one, never a done or in-flight duplicate", () => {
    expect(shouldProcess(null, T)).toBe(true);
    expect(shouldProcess(delivery({ state: "failed" }), T)).toBe(true);
    expect(shouldProcess(delivery({ state: "done" }), T)).toBe(false);
    expect(shouldProcess(delivery({ state: "processing" }), T + 60_000)).toBe(false);
  });

  it("takes up processing that died with its invocation", () => {
    expect(shouldProcess(delivery({ state: "processing" }), T + 11 * 60_000)).toBe(true);
    expect(shouldRetry(delivery({ state: "processing" }), T + 11 * 60_000)).toBe(true);
  });

  it("retries a failed delivery three times in all", () => {
    expect(shouldRetry(delivery({ state: "failed", attempts: 2 }), T)).toBe(true);
    expect(shouldRetry(delivery({ state: "failed", attempts: 3 }), T)).toBe(false);
    expect(shouldRetry(delivery({ state: "done" }), T + 86_400_000)).toBe(false);
  });

  it("counts attempts and keeps when the delivery first arrived", () => {
    const first = startProcessing(null, "d1", "workflow_run", iso(T));
    const again = startProcessing({ ...first, state: "failed" }, "d1", "workflow_run", iso(T + 1000));
    expect(again).toMatchObject({
      attempts: 2,
      received_at: iso(T),
      updated_at: iso(T + 1000),
      state: "processing",
      error: null,
    });
  });
});
