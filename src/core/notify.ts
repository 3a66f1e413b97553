/**
 * The outgoing webhook (NOTIFY_WEBHOOK_URL): each alert event as a message in the shape Slack's
 * incoming webhooks accept (`text` for the notification, `blocks` of mrkdwn sections), queued in
 * the outbox behind the GitHub write it tells of.
 */
import type { AlertKind, AlertWrite } from "./alert.ts";
import type { SlackMessage } from "./slack-message.ts";

/** What a GitHub write did, for the people who follow the alerts elsewhere. */
export interface AlertEvent {
  event: "opened" | "commented" | "closed" | "improvement";
  kind: AlertKind;
  /** The issue's title as chimney words it. */
  title: string;
  issue: { number: number; url: string } | null;
  /** chimney's page of the run the event is about, or its status page; null without PUBLIC_URL. */
  page: string | null;
}

const EVENT_WORDS: Record<AlertEvent["event"], string> = {
  opened: "opened",
  commented: "has news",
  closed: "recovered and was closed",
  improvement: "good news",
};

/** Slack's mrkdwn reserves these three; everything else is shown as written. */
function escaped(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

export function slackMessage(e: AlertEvent): SlackMessage {
  const title = escaped(e.title);
  const headline = e.issue ? `*<${e.issue.url}|${title}>*` : `*${title}*`;
  const links = [
    e.issue ? `<${e.issue.url}|GitHub issue #${e.issue.number}>` : null,
    e.page ? `<${e.page}|chimney>` : null,
  ].filter((l) => l !== null);
  const section = (text: string) => ({ type: "section" as const, text: { type: "mrkdwn" as const, text } });
  return {
    text: `chimney: ${e.kind} ${EVENT_WORDS[e.event]}: ${e.title}`,
    blocks: [
      section(`${headline}\nchimney ${e.kind} alert ${EVENT_WORDS[e.event]}.`),
      ...(links.length > 0 ? [section(links.join(" · "))] : []),
    ],
  };
}

/** The notification of a write made: one per write (its id), in order behind the others. */
export function notifyWrite(after: AlertWrite, message: SlackMessage, now: string): AlertWrite {
  return {
    id: `notify@${after.id}`,
    seq: 0,
    fingerprint: "notify",
    action: "notify",
    subject_id: after.id,
    pr_number: null,
    state: "pending",
    message,
    attempts: 0,
    lease_until: null,
    last_error: null,
    created_at: now,
  };
}

/** A second to an hour: how long a receiver that failed is left alone, by its Retry-After or by attempts. */
export function retryAt(now: number, attempts: number, retryAfter: string | null): string {
  const seconds =
    retryAfter === null
      ? Number.NaN
      : /^\d+$/.test(retryAfter.trim())
        ? Number(retryAfter)
        : (Date.parse(retryAfter) - now) / 1000;
  const wait = Number.isFinite(seconds) ? Math.max(1, seconds) : 60 * 2 ** Math.max(0, attempts - 1);
  return new Date(now + Math.min(wait, 3600) * 1000).toISOString();
}
