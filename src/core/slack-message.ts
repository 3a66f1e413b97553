/** A message in the shape Slack's incoming webhooks accept: what an alert write queues (alert.ts) and notify.ts words. */
export interface SlackMessage {
  /** The notification's text. */
  text: string;
  blocks: { type: "section"; text: { type: "mrkdwn"; text: string } }[];
}
