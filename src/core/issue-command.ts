/**
 * What a maintainer says to chimney on one of its alert issues: accept the new level
 * (`/chimney accept`, the label `perf-accepted`) or snooze chimney's comments
 * (`/chimney snooze 7d`, the label `perf-snoozed`). Parsing and the permission rule only.
 */
import { roleOf, WRITERS } from "./roles.ts";

const ACCEPT_LABEL = "perf-accepted";
const SNOOZE_LABEL = "perf-snoozed";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The label snoozes for this long. */
const DEFAULT_SNOOZE_MS = 7 * DAY_MS;
/** No snooze outlasts this: a forgotten snooze must not silence an alert for good. */
const MAX_SNOOZE_MS = 90 * DAY_MS;

const SNOOZE_USAGE =
  "`/chimney snooze` takes a duration in whole days or hours, from `1h` to `90d`, such as `/chimney snooze 7d` or `/chimney snooze 12h`";

export type IssueCommand =
  | { kind: "accept" }
  | { kind: "snooze"; ms: number }
  /** A command chimney understood to be meant for it, but cannot take: the reply says why. */
  | { kind: "refused"; reason: string };

/** The command in a comment: its first line that starts with `/chimney`; null when there is none. */
export function commandOfComment(body: string): IssueCommand | null {
  const line = body
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => /^\/chimney(\s|$)/.test(l));
  if (line === undefined) return null;
  const [, verb = "", ...args] = line.split(/\s+/);
  if (verb === "accept" && args.length === 0) return { kind: "accept" };
  if (verb === "snooze") {
    const ms = args.length === 1 ? snoozeDuration(args[0]) : null;
    return ms === null
      ? { kind: "refused", reason: `${quoted(args.join(" "))} is not a duration: ${SNOOZE_USAGE}.` }
      : { kind: "snooze", ms };
  }
  return {
    kind: "refused",
    reason: `chimney understands \`/chimney accept\` and \`/chimney snooze <duration>\` (${SNOOZE_USAGE}), not ${quoted(line)}.`,
  };
}

/** Someone's words quoted back in chimney's reply: short, and with nothing markdown or a mention could act on. */
function quoted(text: string): string {
  return `"${text.slice(0, 40).replace(/[^\w .:/-]/g, "?")}"`;
}

/** The command a label says; null for a label that is not chimney's. */
export function commandOfLabel(label: string): IssueCommand | null {
  if (label === ACCEPT_LABEL) return { kind: "accept" };
  if (label === SNOOZE_LABEL) return { kind: "snooze", ms: DEFAULT_SNOOZE_MS };
  return null;
}

/** `7d`, `12h`: whole days or hours, at least an hour and at most MAX_SNOOZE_MS; else null. */
export function snoozeDuration(text: string): number | null {
  const m = /^([1-9]\d{0,3})([dh])$/.exec(text);
  if (!m) return null;
  const ms = Number(m[1]) * (m[2] === "d" ? DAY_MS : HOUR_MS);
  return ms <= MAX_SNOOZE_MS ? ms : null;
}

/**
 * Whether a collaborator may command chimney: write, maintain or admin on the repository, as
 * `GET /repos/{owner}/{repo}/collaborators/{username}/permission` says (`permission` is the
 * legacy read/write/admin, `role_name` names maintain and custom roles).
 */
export function mayCommand(answer: { permission: string; role_name?: string | null }): boolean {
  return WRITERS.includes(roleOf(answer));
}
