/**
 * The state of Firewood's nightly signal, as `/status` and `/badge` report it.
 */
import { fingerprintOf, type Alert } from "./alert.ts";
import { isNight, type HistoryEntry } from "./history.ts";
import type { Series } from "./series.ts";
import { COMPLETED_STATES, OPEN_STATES } from "./run.ts";

export type SignalState = "passing" | "regressed" | "crashed" | "missed" | "pending" | "unknown";

/**
 * What the store precomputes on every write, so that `/status` is one read. Only mainline
 * runs (the tracked branch, not pull requests) count for the signal.
 */
export interface StatusDocument {
  /** The newest mainline run, whatever its state. */
  latest: HistoryEntry | null;
  last_completed: HistoryEntry | null;
  /** The last night that has settled: what the signal reports (a confirming run is no night). */
  night: HistoryEntry | null;
  /** The newest mainline run still dispatched or running (a nightly, manual or confirming run). */
  in_progress: HistoryEntry | null;
  runs: number;
}

/**
 * The status from the newest end of the history (newest first). Reading stops at the last
 * settled night: `newestFirst` may be only that far of the history, with `runs` counting all.
 */
export function statusDocument(newestFirst: readonly HistoryEntry[], runs = newestFirst.length): StatusDocument {
  const mainline = newestFirst.filter((e) => e.mainline);
  const night = mainline.find((e) => isNight(e) && COMPLETED_STATES.includes(e.state)) ?? null;
  return {
    latest: mainline[0] ?? null,
    last_completed: mainline.find((e) => COMPLETED_STATES.includes(e.state)) ?? null,
    night,
    in_progress: mainline.find((e) => OPEN_STATES.includes(e.state) && (!night || e.at >= night.at)) ?? null,
    runs,
  };
}

/** Whether `statusDocument` has read enough of the history, newest first: up to the last settled night. */
export function endsStatus(e: HistoryEntry): boolean {
  return isNight(e) && COMPLETED_STATES.includes(e.state);
}

export interface Signal {
  state: SignalState;
  reason: string;
}

/**
 * The signal now: the last settled night, steady while the next run is in flight (the run in
 * flight is reported beside it, not instead of it). `pending` only while no night has settled.
 * Time matters: when nothing has reported for `staleAfterHours`, a night went by without a
 * result, whatever the last one said.
 */
export function signalOf(doc: StatusDocument | null, now: Date, staleAfterHours: number): Signal {
  const latest = doc?.latest;
  if (!doc || !latest) return { state: "unknown", reason: "no run has been recorded yet" };
  const night = doc.night;
  const heard = [night, doc.in_progress].flatMap((e) => (e ? [Date.parse(e.completed_at ?? e.at)] : []));
  const hours = (now.getTime() - Math.max(Date.parse(latest.at), ...heard)) / 3_600_000;
  if (hours > staleAfterHours) {
    return {
      state: "missed",
      reason: `no run has reported for ${Math.floor(hours)} hours (STALE_AFTER_HOURS is ${staleAfterHours})`,
    };
  }
  if (!night) {
    const running = doc.in_progress ?? latest;
    return { state: "pending", reason: `no night has settled yet; run ${running.id} is ${running.state}` };
  }
  switch (night.state) {
    case "passed":
      return { state: "passing", reason: `run ${night.id} is within the baseline` };
    case "regressed":
      return regressedSignal(night);
    case "crashed":
      return { state: "crashed", reason: `run ${night.id} crashed` };
    default:
      return { state: "missed", reason: `run ${night.id} never reported` };
  }
}

function regressedSignal(night: HistoryEntry): Signal {
  const out = `run ${night.id} is outside the baseline: ${night.out_of_range.join(", ")}`;
  switch (night.confirmation) {
    case "pending":
      return {
        state: "regressed",
        reason: `${out}; benchmarking commit ${night.sha?.slice(0, 7) ?? "(unknown)"} again to confirm`,
      };
    case "next_night":
      return {
        state: "regressed",
        reason: `${out}; benchmarking its commit again gave no result, so the next night decides`,
      };
    case "refuted":
      return {
        state: "passing",
        reason: `run ${night.id} was outside the baseline once, and the run measured after it was within it: noise`,
      };
    default:
      return { state: "regressed", reason: out };
  }
}

/** shields.io endpoint JSON (https://shields.io/badges/endpoint-badge). */
export interface Badge {
  schemaVersion: 1;
  label: string;
  message: string;
  color: string;
}

const COLORS: Record<SignalState, string> = {
  passing: "brightgreen",
  regressed: "red",
  crashed: "critical",
  missed: "orange",
  pending: "blue",
  unknown: "lightgrey",
};

export function badgeOf(signal: Signal, doc: StatusDocument | null): Badge {
  const throughput = doc?.night?.throughput_ops_per_sec;
  let message: string = signal.state;
  if ((signal.state === "passing" || signal.state === "regressed") && typeof throughput === "number") {
    message = `${compact(throughput)} ops/s${signal.state === "regressed" ? " (regressed)" : ""}`;
  }
  return { schemaVersion: 1, label: "firewood smoke", message, color: COLORS[signal.state] };
}

/** Made once, when first needed: a NumberFormat costs more to make than the badge it formats. */
let compactFormat: Intl.NumberFormat | undefined;

/** 10233.3 → "10.2k", as a badge has room for. */
export function compact(n: number): string {
  compactFormat ??= new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
  return compactFormat.format(n).toLowerCase();
}

/**
 * The state of a suite watched through its series (not smoke): regressed while its alert is
 * open, passing once it has results, unknown before. A followed suite runs when its workflow
 * does, so a quiet suite is not missed.
 */
export function seriesSuiteSignal(
  suite: string,
  series: readonly Pick<Series, "suite" | "points">[],
  alerts: readonly Pick<Alert, "fingerprint" | "state" | "issue_url">[],
): Signal {
  const open = alerts.find((a) => a.fingerprint === fingerprintOf("regression", suite) && a.state === "open");
  if (open)
    return {
      state: "regressed",
      reason: `series of ${suite} stand worse${open.issue_url ? ` (${open.issue_url})` : ""}`,
    };
  const own = series.filter((s) => s.suite === suite);
  const newest = own
    .flatMap((s) => s.points.slice(-1).map((p) => p.at))
    .sort()
    .at(-1);
  if (!newest) return { state: "unknown", reason: `no result of ${suite} has been recorded yet` };
  return { state: "passing", reason: `${own.length} series, the newest result from ${newest.slice(0, 10)}` };
}

/** Worst first: the state a maintainer most needs to hear of. */
const SEVERITY: readonly SignalState[] = ["crashed", "regressed", "missed", "pending", "passing", "unknown"];

/** Every suite's state in one: the worst of those known; unknown only when none is. */
export function overallSignal(suites: readonly { name: string; signal: Signal }[]): Signal {
  const known = suites.filter((s) => s.signal.state !== "unknown");
  if (known.length === 0) return { state: "unknown", reason: "no suite has a result yet" };
  const worst = SEVERITY.find((state) => known.some((s) => s.signal.state === state)) ?? "unknown";
  const which = known.filter((s) => s.signal.state === worst).map((s) => s.name);
  return { state: worst, reason: `${which.join(", ")}: ${worst}` };
}

/** The badge of a suite watched through its series. */
export function suiteBadge(suite: string, signal: Signal): Badge {
  return { schemaVersion: 1, label: `firewood ${suite}`, message: signal.state, color: COLORS[signal.state] };
}
