/**
 * The level a maintainer accepts on an alert's issue: the baseline `chimney baseline suggest`
 * proposes from the episode's nights. It becomes the reference while the level stays (see
 * `atAcceptedLevel` and `driftSubject`).
 */
import type { Acceptance, Alert } from "./alert.ts";
import { isNight, type HistoryEntry } from "./history.ts";
import { suggestFrom } from "./suggest.ts";

/**
 * The nights at the episode's level, newest first: since the drift's change for a drift; for a
 * regression, the newest nights out of their band in a row (its suspect night among them), or
 * since the episode opened when there are none.
 */
export function episodeNights(
  newestFirst: readonly HistoryEntry[],
  alert: Alert,
  driftSince: string | null,
): HistoryEntry[] {
  const nights = newestFirst.filter((e) => isNight(e) && e.confirmation !== "refuted");
  if (driftSince !== null) return nights.filter((e) => e.at >= driftSince);
  const bad = nights.findIndex((e) => e.state !== "regressed");
  const outOfBand = bad === -1 ? nights : nights.slice(0, bad);
  return outOfBand.length > 0 ? outOfBand : nights.filter((e) => e.at >= alert.opened_at);
}

/** The acceptance of an alert's level, or null when its episode has no night with a result to learn from. */
export function acceptanceOf(alert: Alert, nights: readonly HistoryEntry[], by: string, at: string): Acceptance | null {
  const suggested = suggestFrom(nights);
  if (!suggested) return null;
  return {
    by,
    at,
    issue_number: alert.issue_number,
    baseline: suggested.proposal.baseline,
    runs: suggested.runs.map((e) => e.id),
  };
}
