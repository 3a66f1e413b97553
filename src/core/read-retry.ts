/**
 * Reading a completed run's result (its jobs, its artifact) until it is read: each attempt is
 * counted before it starts, so one that dies with its invocation uses up an attempt too; a
 * failed one is tried again after a pause that doubles each time; after the last, the run is
 * given up as crashed with the last error. So a run whose artifact never downloads neither
 * stays open for ever nor is read on every tick.
 */

export interface ReadRetry {
  /** Attempts begun. */
  attempts: number;
  /** When the reconcile tick may begin the next one. */
  next_at: string;
  /** Why the latest attempt failed; null while it runs, or when it ended without a word. */
  last_error: string | null;
}

export const MAX_READ_ATTEMPTS = 5;

/** The pause after the first attempt; it doubles after each later one (30 minutes, 1, 2, 4 hours). */
export const FIRST_PAUSE_MS = 30 * 60_000;

/** `read` begins an attempt now, `wait` leaves the next for when it is due. */
export type ReadStep = { kind: "read" | "wait"; retry: ReadRetry } | { kind: "give_up"; reason: string };

/** Whether the reconcile tick reads a run now: never before its next attempt is due. */
export function readDue(retry: ReadRetry | null, now: number): boolean {
  return retry === null || now >= Date.parse(retry.next_at);
}

/** Begins an attempt (the record to keep while it runs), or gives up when none are left. */
export function beginRead(previous: ReadRetry | null, now: number): ReadStep {
  const attempts = (previous?.attempts ?? 0) + 1;
  if (previous && attempts > MAX_READ_ATTEMPTS) return { kind: "give_up", reason: givenUp(previous) };
  return {
    kind: "read",
    retry: { attempts, next_at: new Date(now + FIRST_PAUSE_MS * 2 ** (attempts - 1)).toISOString(), last_error: null },
  };
}

/** After a failed attempt: wait for the next one, or give up when this was the last. */
export function failedRead(retry: ReadRetry, error: string): ReadStep {
  const failed = { ...retry, last_error: error };
  return retry.attempts >= MAX_READ_ATTEMPTS
    ? { kind: "give_up", reason: givenUp(failed) }
    : { kind: "wait", retry: failed };
}

function givenUp(retry: ReadRetry): string {
  return `the run's result could not be read after ${retry.attempts} attempts: ${retry.last_error ?? "the last one ended before it finished"}`;
}

/**
 * Of two records of a run's reads, the later: more attempts begun, then a failure over the
 * same attempt still running. A total order, so reports merge the same way in any order.
 */
export function laterRead(a: ReadRetry | null, b: ReadRetry | null): ReadRetry | null {
  if (a === null || b === null) return a ?? b;
  const key = (r: ReadRetry) => [r.attempts, r.last_error === null ? 0 : 1, r.next_at, r.last_error ?? ""] as const;
  const [ka, kb] = [key(a), key(b)];
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] > kb[i] ? a : b;
  return a;
}
