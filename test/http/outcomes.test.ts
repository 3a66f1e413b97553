import { describe, expect, it } from "vitest";
import type { Dispatch } from "../../src/core/dispatch.ts";
import { answerOf, dispatchStatus, IMPORTED, INGESTED, RECEIVED } from "../../src/http/outcomes.ts";
import { ProblemError } from "../../src/http/problem.ts";

const TABLES = { ingest: INGESTED, import: IMPORTED, webhook: RECEIVED };
// The table under test is chosen by name, so the outcome's type cannot follow it.
const answerOfAny = answerOf as (statuses: object, outcome: object) => { status: number };

const issues = [{ field: "per_batch_ms[3]", message: "must be a number" }];
const refused = { detail: "per_batch_ms[3]: must be a number", errors: issues };

/** The status an outcome is answered with, or the status, detail and field issues of the problem thrown. */
function answer(run: () => number) {
  try {
    return { status: run() };
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    return { status: error.status, detail: error.detail, ...(error.init.errors && { errors: error.init.errors }) };
  }
}

describe("job outcomes answered over HTTP", () => {
  it.each([
    ["ingest", { kind: "malformed", issues }, { status: 400, ...refused }],
    ["ingest", { kind: "invalid", issues }, { status: 422, ...refused }],
    [
      "ingest",
      { kind: "conflict", reason: "run 5-1 is another commit's" },
      { status: 409, detail: "run 5-1 is another commit's" },
    ],
    ["ingest", { kind: "created" }, { status: 201 }],
    ["ingest", { kind: "updated" }, { status: 200 }],
    ["ingest", { kind: "unchanged" }, { status: 200 }],
    ["import", { kind: "malformed", issues }, { status: 400, ...refused }],
    ["import", { kind: "invalid", issues }, { status: 422, ...refused }],
    ["import", { kind: "series" }, { status: 200 }],
    ["import", { kind: "runs" }, { status: 200 }],
    ["webhook", { kind: "pong" }, { status: 200 }],
    ["webhook", { kind: "ignored", reason: "chimney does not handle push events" }, { status: 202 }],
    ["webhook", { kind: "invalid", issues }, { status: 400, ...refused }],
    ["webhook", { kind: "duplicate" }, { status: 202 }],
    ["webhook", { kind: "accepted" }, { status: 202 }],
  ] as const)("%s, %o", (job, outcome, expected) => {
    expect(answer(() => answerOfAny(TABLES[job], outcome).status)).toEqual(expected);
  });

  it.each([
    ["claimed", { status: 202 }],
    ["dispatched", { status: 202 }],
    [
      "failed",
      {
        status: 502,
        detail: "GitHub did not accept the dispatch (HTTP 422); chimney tries again on the next reconcile tick",
      },
    ],
  ] as const)("an on-demand dispatch, %s", (state, expected) => {
    const dispatch = { state, last_error: state === "failed" ? "HTTP 422" : null, correlation_id: "manual-1" };
    expect(answer(() => dispatchStatus(dispatch as Dispatch))).toEqual(expected);
  });
});
