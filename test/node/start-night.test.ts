/** What `npm start` does after the nightly tick, for every report the tick can give. */
import { describe, expect, it } from "vitest";
import { afterNightlyTick } from "../../scripts/start-night.ts";

const dispatch = (state: string, last_error: string | null = null) => ({
  kind: "dispatched" as const,
  dispatch: { state, last_error, correlation_id: "chimney-nightly-2026-11-29" },
});

describe("afterNightlyTick", () => {
  it("waits for the run of a night it dispatched", () => {
    expect(afterNightlyTick(dispatch("dispatched"))).toEqual({
      kind: "wait",
      correlationId: "chimney-nightly-2026-11-29",
    });
  });

  it("dispatches by hand when tonight's nightly run was dispatched before, in the same state", () => {
    const step = afterNightlyTick({
      kind: "skipped",
      reason: "the night of 2026-11-29 is already dispatched",
      already_claimed: true,
    });
    expect(step.kind).toBe("dispatch_by_hand");
    expect(step.kind === "dispatch_by_hand" && step.why).toContain("2026-11-29");
  });

  it("stops at once, with the reason, when nothing was or will be dispatched", () => {
    for (const [report, reason] of [
      [
        { kind: "skipped", reason: "GitHub is not configured (GITHUB_REPOSITORY and a token or App)" },
        "GitHub is not configured",
      ],
      [{ error: "GitHub answered 503" }, "GitHub answered 503"],
      [
        dispatch("failed", "GitHub answered 422: no workflow_dispatch"),
        "failed: GitHub answered 422: no workflow_dispatch",
      ],
      [dispatch("claimed"), "is claimed"],
      [undefined, "no dispatch"],
    ] as const) {
      const step = afterNightlyTick(report);
      expect(step.kind).toBe("stop");
      expect(step.kind === "stop" && step.reason).toContain(reason);
    }
  });
});
