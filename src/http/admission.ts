/**
 * Admission of writes: an isolate takes a few at a time and answers the rest 429 at once. An
 * upload's work (parse, record, settle, publish) is CPU on the isolate's one thread; fifty queued
 * behind each other keep every read waiting behind them, while a refusal costs next to nothing and
 * the runner's upload and `chimney submit` send it again after `Retry-After`.
 */
import type { MiddlewareHandler } from "hono";
import { afterResponseOf } from "./deps.ts";
import { problem } from "./problem.ts";

/**
 * Writes an isolate works on at once, each until its after-response work (the settling and the
 * page it drains) is done: measured on the burst of `npm run bench -- history`.
 */
export const WRITES_ADMITTED = 4;

const RETRY_AFTER_SECONDS = 1;

/** One counter per app built, so per isolate: each write route of that app shares it. */
export function admitWrites(limit: number = WRITES_ADMITTED): MiddlewareHandler {
  if (!Number.isInteger(limit) || limit < 1)
    throw new Error(`admitWrites: limit must be a whole number ≥ 1, not ${limit}`);
  let working = 0;
  return async (c, next) => {
    if (working >= limit) {
      throw problem(429, `chimney is working on ${limit} writes already; send this again in ${RETRY_AFTER_SECONDS} s`, {
        headers: { "retry-after": String(RETRY_AFTER_SECONDS) },
      });
    }
    working++;
    try {
      await next();
    } finally {
      const after = afterResponseOf(c);
      if (after) void after.finally(() => working--);
      else working--;
    }
  };
}
