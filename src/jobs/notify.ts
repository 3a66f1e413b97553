/**
 * Posting one alert event to the outgoing webhook (NOTIFY_WEBHOOK_URL). A receiver that fails
 * (5xx, a timeout, 429) leaves the write in the outbox, held until its Retry-After or a backoff;
 * the error never names the URL, a secret.
 */
import type { AlertWrite } from "../core/alert.ts";
import { retryAt } from "../core/notify.ts";
import type { LoopDeps } from "./deps.ts";

/** A receiver that does not answer within this is tried again later. */
const NOTIFY_TIMEOUT_MS = 10_000;

/** A failed post, and when to try it again. */
export class NotifyError extends Error {
  constructor(
    message: string,
    readonly retryAt: string,
  ) {
    super(message);
  }
}

export async function sendNotification(deps: LoopDeps, write: AlertWrite): Promise<void> {
  if (!write.message) throw new Error(`write ${write.id}: the message is not stored`);
  const notify = deps.notify;
  const now = deps.now().getTime();
  // Switched off since the write was queued: it is done, there is nowhere to send it.
  if (!notify) return;
  let res: Response;
  try {
    res = await notify.fetch(notify.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(write.message),
      redirect: "manual",
      signal: AbortSignal.timeout(NOTIFY_TIMEOUT_MS),
    });
  } catch (error) {
    const why =
      error instanceof Error && error.name === "TimeoutError" ? "did not answer in time" : "could not be reached";
    throw new NotifyError(`the notification webhook ${why}`, retryAt(now, write.attempts, null));
  }
  await res.body?.cancel();
  if (res.ok) return;
  throw new NotifyError(
    `the notification webhook answered ${res.status}`,
    retryAt(now, write.attempts, res.status === 429 || res.status === 503 ? res.headers.get("retry-after") : null),
  );
}
