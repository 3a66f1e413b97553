/**
 * Draining: what follows a request that recorded something, and every tick. Recorded runs are
 * settled (settle.ts), then the outbox's writes are sent, oldest first: alert writes through
 * the issue lifecycle (alerts.ts), confirming dispatches through dispatch.ts. A write that fails
 * is sent again on the next drain: never lost, never doubled.
 */
import type { AlertWrite } from "../core/alert.ts";
import { notifyWrite, slackMessage } from "../core/notify.ts";
import { sendIssueWrite, type Sent } from "./alerts.ts";
import { messageOf, type GitHubAccess, type LoopDeps } from "./deps.ts";
import { performDispatch } from "./dispatch.ts";
import { NotifyError, sendNotification } from "./notify.ts";
import { settleRuns } from "./settle.ts";

/** Writes sent per drain at most: GitHub allows 80 content-creating requests a minute. */
const WRITES_PER_DRAIN = 10;

export interface DrainReport {
  settled: number;
  sent: number;
  failed: number;
}

export async function drain(deps: LoopDeps): Promise<DrainReport> {
  const settled = await settleRuns(deps);
  return { settled, ...(await sendOutbox(deps)) };
}

/** Sends the outbox's writes until it is empty or GitHub says to stop. */
export async function sendOutbox(deps: LoopDeps): Promise<{ sent: number; failed: number }> {
  const result = { sent: 0, failed: 0 };
  const github = deps.github;
  if (!github) return result;
  while (result.sent + result.failed < WRITES_PER_DRAIN) {
    const [write] = await deps.alerts.claim(deps.now().getTime(), 1);
    if (!write) break;
    try {
      const { issue, event } = await send(deps, github, write);
      // The event's notification is queued with the write's outcome: told once, and only once made.
      const then = event && deps.notify ? notifyWrite(write, slackMessage(event), deps.now().toISOString()) : null;
      await deps.alerts.finish(write.id, { error: null, issue, then });
      result.sent++;
    } catch (error) {
      result.failed++;
      deps.log({ event: "alert_write_failed", write: write.id, attempt: write.attempts, error: messageOf(error) });
      const retry_at = error instanceof NotifyError ? error.retryAt : null;
      await deps.alerts.finish(write.id, { error: messageOf(error), issue: null, retry_at });
      // A failing receiver is held until retry_at and never holds up GitHub's writes.
      if (error instanceof NotifyError) continue;
      // The rest waits for the next drain: GitHub is failing, and this write must not be tried twice now.
      break;
    }
  }
  return result;
}

async function send(deps: LoopDeps, github: GitHubAccess, write: AlertWrite): Promise<Sent> {
  const nothing = { issue: null, event: null };
  if (write.action === "notify") {
    await sendNotification(deps, write);
    return nothing;
  }
  if (write.action !== "dispatch") return sendIssueWrite(deps, github, write);
  // A dispatch that fails is recorded on the dispatch, which the reconcile tick retries and gives up.
  const dispatch = await deps.dispatches.get(write.subject_id);
  if (dispatch?.state === "claimed") await performDispatch(deps, dispatch);
  return nothing;
}
