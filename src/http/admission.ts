/**
 * Admission of writes: an isolate takes a few at a time and answers the rest 429 at once. An
 * upload's work (parse, record, settle, publish) is CPU on the isolate's one thread; fifty queued
 * behind each other keep every read waiting behind them, while a refusal costs next to nothing and
 * the runner's upload and `chimney submit` send it again after `Retry-After`.
 */
import type { MiddlewareHandler } from "hono";
import { problem } from "./problem.ts";

/**
 * Writes an isolate works on at once, each until it is answered. What a write leaves for after
 * its answer is bounded already: one drain settles at a time (the settle lease) and page renders
 * are shared (`publishStatusPage`); holding the slot through them took a Deno entry from 950
 * uploads a second to 60 (`npm run bench -- history`).
 */
export const WRITES_ADMITTED = 4;

const RETRY_AFTER_SECONDS = 1;

/** One counter per app built, so per isolate: each write route of that app shares it. */
export function admitWrites(limit: number): MiddlewareHandler {
  if (!Number.isInteger(limit) || limit < 1)
    throw new Error(`admitWrites: limit must be a whole number ≥ 1, not ${limit}`);
  let working = 0;
  return async (_c, next) => {
    if (working >= limit) {
      throw problem(429, `chimney is working on ${limit} writes already; send this again in ${RETRY_AFTER_SECONDS} s`, {
        headers: { "retry-after": String(RETRY_AFTER_SECONDS) },
      });
    }
    working++;
    try {
      await next();
    } finally {
      working--;
    }
  };
}
