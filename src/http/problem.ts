/**
 * RFC 9457 problem details: every error chimney answers, with a `detail` naming the field.
 * Routes and middleware throw a `ProblemError`; `app.onError` renders it.
 */
import { HTTPException } from "hono/http-exception";
import type { FieldIssue, Parsed } from "../core/validation.ts";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldIssue[];
}

const TITLES = {
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
} as const;

export type ProblemStatus = keyof typeof TITLES;

export interface ProblemInit {
  errors?: FieldIssue[];
  headers?: HeadersInit;
  /** Members beside the standard ones, such as a failed dispatch's `correlation_id`. */
  extra?: Record<string, unknown>;
}

/** At most this many field issues are listed; `detail` always carries the first. */
const MAX_LISTED = 20;

/** hono's `HTTPException` whose response is problem JSON, so `app.onError` answers both alike. */
export class ProblemError extends HTTPException {
  declare readonly status: ProblemStatus;
  readonly detail: string;
  readonly init: ProblemInit;

  constructor(status: ProblemStatus, detail: string, init: ProblemInit = {}) {
    super(status, { message: detail });
    this.name = "ProblemError";
    this.detail = detail;
    this.init = init;
  }

  override getResponse(): Response {
    const { status, detail, init } = this;
    const body: Problem = { ...init.extra, type: "about:blank", title: TITLES[status], status, detail };
    if (init.errors && init.errors.length > 0) body.errors = init.errors.slice(0, MAX_LISTED);
    const headers = new Headers(init.headers);
    headers.set("content-type", "application/problem+json");
    headers.set("cache-control", "no-store");
    return new Response(JSON.stringify(body), { status, headers });
  }
}

export function problem(status: ProblemStatus, detail: string, init?: ProblemInit): ProblemError {
  return new ProblemError(status, detail, init);
}

/** A problem about input fields: the detail reads `field: message` for the first one. */
export function invalidInput(status: ProblemStatus, issues: FieldIssue[]): ProblemError {
  const [first] = issues;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more in errors)` : "";
  return problem(status, `${first.field}: ${first.message}${more}`, { errors: issues });
}

/** The value of a parse, or its issues thrown as a problem. */
export function valid<T>(parsed: Parsed<T>, status: ProblemStatus = 400): T {
  if (!parsed.ok) throw invalidInput(status, parsed.issues);
  return parsed.value;
}
