/**
 * Talking to a chimney deployment from the command line: retries, its problem answers, and its
 * answers read with the schemas its OpenAPI document describes them by (`core/api.ts`).
 */
import * as v from "valibot";
import { ProblemSchema } from "../core/api.ts";
import { parseWith, type Parsed } from "../core/validation.ts";
import { UsageError } from "./io.ts";

export const ATTEMPTS = 5;

export type Answer =
  | { kind: "answered"; res: Response }
  | { kind: "refused"; status: number; detail: string }
  | { kind: "gave_up"; reason: string };

/**
 * Sends a request to chimney, retrying network errors, timeouts, 5xx and 429 (honouring
 * `retry-after`) with backoff, ATTEMPTS in all; a 4xx is chimney refusing, with its reason.
 */
export async function callChimney(target: string, init: () => RequestInit, timeoutMs = 60_000): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    let res: Response | null = null;
    let reason: string;
    try {
      res = await fetch(target, { ...init(), signal: AbortSignal.timeout(timeoutMs) });
      reason = `HTTP ${res.status}`;
    } catch (error) {
      reason = (error as Error).name === "TimeoutError" ? "timed out" : `network error (${(error as Error).message})`;
    }
    if (res && res.status < 400) return { kind: "answered", res };
    const transient = !res || res.status >= 500 || res.status === 429;
    if (res && !transient) {
      const problem = v.safeParse(ProblemSchema, await res.json().catch(() => null));
      return {
        kind: "refused",
        status: res.status,
        detail: problem.success ? problem.output.detail : "no reason given",
      };
    }
    if (attempt >= ATTEMPTS) return { kind: "gave_up", reason: `gave up after ${ATTEMPTS} attempts (last: ${reason})` };
    const retryAfter = Number(res?.headers.get("retry-after"));
    const wait =
      Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 60) * 1000 : 1000 * 2 ** (attempt - 1);
    console.error(`chimney: ${reason}; trying again in ${wait / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** `path` at the chimney `value` names (the command's `option`); a usage error when it names none. */
export function chimneyUrl(value: string | undefined, path: string, option = "--url"): string {
  if (!value || !/^https?:\/\/[^/]+/.test(value))
    throw new UsageError(`${option} must be chimney's address, such as https://perf.example.org`);
  return `${value.replace(/\/+$/, "")}${path}`;
}

/** The bearer token: --token's `value`, else the environment variable `name`; a usage error without either. */
export function chimneyToken(value: string | undefined, name: "ADMIN_TOKEN" | "PERF_DASHBOARD_TOKEN"): string {
  const token = value ?? process.env[name];
  if (!token) throw new UsageError(`no token: pass --token or set ${name}`);
  return token;
}

/** An answer's JSON as `schema` says it is; an answer that is not is named by its field. */
export async function readAnswer<S extends v.GenericSchema>(
  res: Response,
  schema: S,
): Promise<Parsed<v.InferOutput<S>>> {
  const body = await res.json().catch(() => undefined);
  return parseWith(schema, body, "(answer)");
}

/**
 * What chimney answered, as `schema` describes it; or null, once the reason there is none is
 * printed naming `where`: chimney refused `what` (with its reason), gave up, or answered otherwise.
 */
export async function answerValue<S extends v.GenericSchema>(
  answer: Answer,
  where: string,
  what: string,
  schema: S,
): Promise<v.InferOutput<S> | null> {
  if (answer.kind === "refused") {
    console.error(`chimney: ${where} refused ${what} (${answer.status}): ${answer.detail}`);
    return null;
  }
  if (answer.kind === "gave_up") {
    console.error(`chimney: ${where}: ${answer.reason}`);
    return null;
  }
  const read = await readAnswer(answer.res, schema);
  if (!read.ok) console.error(unexpected(where, read));
  return read.ok ? read.value : null;
}

/** The line that says an answer was not what chimney's API describes. */
export function unexpected(target: string, answer: Parsed<unknown>): string {
  const [issue] = answer.ok ? [] : answer.issues;
  return `chimney: ${target} answered something else than chimney's API describes (${issue?.field}: ${issue?.message})`;
}
