/**
 * The outgoing webhook (NOTIFY_WEBHOOK_URL): each alert event as a message in the shape Slack's
 * incoming webhooks accept (`text` for the notification, `blocks` of mrkdwn sections), queued in
 * the outbox behind the GitHub write it tells of.
 */
import type { AlertKind, AlertWrite } from "./alert.ts";
import type { SlackMessage } from "./slack-message.ts";

/** What chimney's own writes do to an alert's issue (and good news, which has its own). */
export type LifecycleEvent = "opened" | "commented" | "closed" | "improvement";

/** What a GitHub write did, for the people who follow the alerts elsewhere. */
export type AlertEvent = {
  kind: AlertKind;
  /** The issue's title as chimney words it. */
  title: string;
  issue: { number: number; url: string } | null;
  /** chimney's page of the run the event is about, or its status page; null without PUBLIC_URL. */
  page: string | null;
} & (
  | { event: LifecycleEvent }
  /** A maintainer's word on the alert's issue (jobs/issue-command.ts): who said it, and a snooze's end. */
  | { event: "accepted"; by: string }
  | { event: "snoozed"; by: string; until: string }
);

const EVENT_WORDS: Record<LifecycleEvent, string> = {
  opened: "opened",
  commented: "has news",
  closed: "recovered and was closed",
  improvement: "good news",
};

/** Slack's mrkdwn reserves these three; everything else is shown as written. */
function escaped(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** `2026-11-30 03:00 UTC`: a snooze's end as a reader in any time zone takes it. */
function moment(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The notification's text and the sentence under the headline. */
function words(e: AlertEvent): { text: string; sentence: string } {
  switch (e.event) {
    case "accepted":
      return {
        text: `${e.by} accepted the new level of the ${e.kind} alert`,
        sentence: `${escaped(e.by)} accepted the new level: the ${e.kind} alert's episode is over, and this level is the reference from now on. The baseline chimney proposes for it is on the issue.`,
      };
    case "snoozed":
      return {
        text: `${e.by} snoozed the ${e.kind} alert until ${moment(e.until)}`,
        sentence: `${escaped(e.by)} snoozed the ${e.kind} alert until ${moment(e.until)}: chimney keeps watching, and comments on the issue again after that.`,
      };
    default:
      return {
        text: `${e.kind} ${EVENT_WORDS[e.event]}`,
        sentence: `chimney ${e.kind} alert ${EVENT_WORDS[e.event]}.`,
      };
  }
}

export function slackMessage(e: AlertEvent): SlackMessage {
  const title = escaped(e.title);
  const headline = e.issue ? `*<${e.issue.url}|${title}>*` : `*${title}*`;
  const links = [
    e.issue ? `<${e.issue.url}|GitHub issue #${e.issue.number}>` : null,
    e.page ? `<${e.page}|chimney>` : null,
  ].filter((l) => l !== null);
  const section = (text: string) => ({ type: "section" as const, text: { type: "mrkdwn" as const, text } });
  const said = words(e);
  return {
    text: `chimney: ${said.text}: ${e.title}`,
    blocks: [section(`${headline}\n${said.sentence}`), ...(links.length > 0 ? [section(links.join(" · "))] : [])],
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
