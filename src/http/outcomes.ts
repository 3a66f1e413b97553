/**
 * How a job's outcome is answered, in one place for every route: the status of each outcome,
 * and for a refusal (an error status) the problem thrown instead, naming its fields or its reason.
 * Each table is keyed by every kind its job can return, so a new kind does not compile until it has a status.
 */
import type { Dispatch } from "../core/dispatch.ts";
import type { FieldIssue } from "../core/validation.ts";
import type { ImportOutcome } from "../jobs/import.ts";
import type { IngestResult } from "../jobs/ingest.ts";
import type { Reception } from "../jobs/webhook.ts";
import { invalidInput, problem, type ProblemStatus } from "./problem.ts";

/** The statuses of an answer with a body. */
export type Answered = 200 | 201 | 202;

interface Outcome {
  kind: string;
  issues?: FieldIssue[];
  reason?: string;
}

type Statuses<O extends Outcome> = { readonly [K in O["kind"]]: Answered | ProblemStatus };
type Refused<S> = { [K in keyof S]: S[K] extends Answered ? never : K }[keyof S];

/** An upload: a body that is not JSON is malformed (400); a result that breaks the schema is invalid (422). */
export const INGESTED = {
  malformed: 400,
  invalid: 422,
  conflict: 409,
  created: 201,
  updated: 200,
  unchanged: 200,
} as const satisfies Statuses<IngestResult>;

export const IMPORTED = {
  malformed: 400,
  invalid: 422,
  series: 200,
  runs: 200,
} as const satisfies Statuses<ImportOutcome>;

/** A delivery is taken up after the answer (202); a signed payload of the wrong shape is GitHub's bad request (400). */
export const RECEIVED = {
  pong: 200,
  ignored: 202,
  invalid: 400,
  duplicate: 202,
  conflict: 409,
  accepted: 202,
} as const satisfies Statuses<Reception>;

/** The status to answer an outcome with, or, for a refused one, its problem thrown. */
export function answerOf<O extends Outcome, S extends Statuses<O>>(
  statuses: S,
  outcome: O,
): { outcome: Exclude<O, { kind: Refused<S> }>; status: Answered } {
  const status: Answered | ProblemStatus = statuses[outcome.kind as O["kind"]];
  if (!answered(status)) {
    throw outcome.issues ? invalidInput(status, outcome.issues) : problem(status, outcome.reason ?? outcome.kind);
  }
  return { outcome: outcome as Exclude<O, { kind: Refused<S> }>, status };
}

const answered = (status: Answered | ProblemStatus): status is Answered => status < 300;

/** An on-demand dispatch is accepted (202) once recorded; one GitHub refused is a 502 that the reconcile tick retries. */
export function dispatchStatus(dispatch: Dispatch): Answered {
  if (dispatch.state === "failed") {
    throw problem(
      502,
      `GitHub did not accept the dispatch (${dispatch.last_error}); chimney tries again on the next reconcile tick`,
      { extra: { correlation_id: dispatch.correlation_id } },
    );
  }
  return 202;
}
