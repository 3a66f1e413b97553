/**
 * Taking a webhook delivery in, the same for every event chimney acts on: the raw body is kept
 * before anything else, so a failure from there on can be retried; the first body of an id is
 * the one kept, so a retry can never process another event; and the id is claimed once, so a
 * delivery GitHub sends twice is processed once.
 */
import type { FieldIssue } from "../core/validation.ts";
import type { LoopDeps } from "./deps.ts";

export interface Delivery {
  id: string;
  event: string;
  body: Uint8Array;
}

export type Reception =
  | { kind: "pong" }
  | { kind: "ignored"; reason: string }
  | { kind: "invalid"; issues: FieldIssue[] }
  | { kind: "duplicate" }
  /** The id was received before with a different body: refused, the first body kept. */
  | { kind: "conflict"; reason: string }
  /** Accepted: `work` is the processing to run after the answer. */
  | { kind: "accepted"; work: () => Promise<void> };

/** Keeps and claims a delivery chimney will act on; `work` is its processing, run after the answer. */
export async function takeDelivery(deps: LoopDeps, delivery: Delivery, work: () => Promise<void>): Promise<Reception> {
  if ((await deps.inbox.keep(delivery.id, delivery.body)) === "different") {
    deps.log({ event: "delivery_conflict", delivery: delivery.id });
    return { kind: "conflict", reason: `X-GitHub-Delivery: ${delivery.id} was received before with a different body` };
  }
  if (!(await deps.deliveries.claim(delivery.id, delivery.event, deps.now().toISOString())))
    return { kind: "duplicate" };
  return { kind: "accepted", work };
}
