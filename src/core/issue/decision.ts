/** What chimney says on an alert's issue after a maintainer's command: accepted, snoozed, or refused. */
import { baselineFileText } from "../baseline.ts";
import type { Acceptance, Snooze } from "../alert.ts";
import { SUGGESTED_MARGIN } from "../suggest.ts";
import { visible } from "../visible.ts";

export function acceptedComment(acceptance: Acceptance, baselinePath: string, marker: string): string {
  const nights = acceptance.runs.length;
  return [
    `<!-- ${marker} -->`,
    `**Accepted by @${visible(acceptance.by)}.** This episode ends here, and its level is chimney's reference while it stays: nights within the bands below are not reported again, and a slowdown beyond them opens a new issue.`,
    "",
    `The baseline for the new level, as \`chimney baseline suggest\` proposes it (±${SUGGESTED_MARGIN * 100}% around the median of ${nights} night${nights === 1 ? "" : "s"}: ${acceptance.runs.map((id) => `\`${visible(id)}\``).join(", ")}), ready to commit as \`${visible(baselinePath)}\`:`,
    "",
    "```json",
    baselineFileText(acceptance.baseline).trimEnd(),
    "```",
  ].join("\n");
}

export function snoozedComment(snooze: Snooze, marker: string): string {
  return [
    `<!-- ${marker} -->`,
    `**Snoozed by @${visible(snooze.by)}.** chimney keeps watching but will not comment on this issue until ${snooze.until}; its comments resume after that.`,
  ].join("\n");
}

export function refusedComment(reason: string, marker: string): string {
  return [`<!-- ${marker} -->`, reason].join("\n");
}
