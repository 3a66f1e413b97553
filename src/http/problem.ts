/** RFC 9457 problem details: every error chimney answers, with a `detail` naming the field. */
import type { FieldIssue } from "../core/validation.ts";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldIssue[];
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

/** At most this many field issues are listed; `detail` always carries the first. */
const MAX_LISTED = 20;

export function problem(
  status: number,
  detail: string,
  init: { errors?: FieldIssue[]; headers?: HeadersInit; extra?: Record<string, unknown> } = {},
): Response {
  const body: Problem = { ...init.extra, type: "about:blank", title: TITLES[status] ?? "Error", status, detail };
  if (init.errors && init.errors.length > 0) body.errors = init.errors.slice(0, MAX_LISTED);
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/problem+json");
  headers.set("cache-control", "no-store");
  return new Response(JSON.stringify(body), { status, headers });
}

/** A problem about input fields: the detail reads `field: message` for the first one. */
export function invalidInput(status: 400 | 413 | 415 | 422, issues: FieldIssue[]): Response {
  const [first] = issues;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more in errors)` : "";
  return problem(status, `${first.field}: ${first.message}${more}`, { errors: issues });
}
