/**
 * A webhook delivery (`X-GitHub-Delivery`) and its processing state, which makes duplicate
 * and concurrent deliveries harmless: each is processed once unless it failed.
 */

export type DeliveryState = "processing" | "done" | "failed";

export interface Delivery {
  id: string;
  event: string;
  state: DeliveryState;
  attempts: number;
  received_at: string;
  updated_at: string;
  error: string | null;
}

/** Processing that has not finished after this long is taken to have died with its invocation. */
export const PROCESSING_TIMEOUT_MS = 10 * 60_000;

/** Failed deliveries are retried by the reconcile tick this many times in all. */
export const MAX_DELIVERY_ATTEMPTS = 3;

/**
 * Whether a delivery that arrives (again) is processed: a new one, one that failed (GitHub
 * redelivers only when someone asks), or one whose processing died with its invocation;
 * never a duplicate of one done or still in flight.
 */
export function shouldProcess(existing: Delivery | null, now: number): boolean {
  if (existing === null || existing.state === "failed") return true;
  return existing.state === "processing" && now - Date.parse(existing.updated_at) > PROCESSING_TIMEOUT_MS;
}

/** Whether the reconcile tick takes a delivery up again. */
export function shouldRetry(d: Delivery, now: number): boolean {
  if (d.state === "failed") return d.attempts < MAX_DELIVERY_ATTEMPTS;
  return shouldProcess(d, now);
}

/** The record of a delivery that is taken up (again) for processing. */
export function startProcessing(existing: Delivery | null, id: string, event: string, at: string): Delivery {
  return {
    id,
    event,
    state: "processing",
    attempts: (existing?.attempts ?? 0) + 1,
    received_at: existing?.received_at ?? at,
    updated_at: at,
    error: null,
  };
}
