/**
 * The state of Firewood's nightly signal, as `/status` and `/badge` report it.
 */
import type { HistoryEntry } from "./history.ts";
import { COMPLETED_STATES } from "./run.ts";

export type SignalState = "passing" | "regressed" | "crashed" | "missed" | "pending" | "unknown";

/**
 * What the store precomputes on every write, so that `/status` is one read. Only mainline
 * runs (the tracked branch, not pull requests) count for the signal.
 */
export interface StatusDocument {
  latest: HistoryEntry | null;
  last_completed: HistoryEntry | null;
  runs: number;
}

export function statusDocument(history: readonly HistoryEntry[]): StatusDocument {
  const mainline = history.filter((e) => e.mainline);
  return {
    latest: mainline[0] ?? null,
    last_completed: mainline.find((e) => COMPLETED_STATES.includes(e.state)) ?? null,
    runs: history.length,
  };
}

export interface Signal {
  state: SignalState;
  reason: string;
}

/**
 * The signal now. Time matters: a latest run older than `staleAfterHours` means a night
 * went by without a result, whatever that run's own state was.
 */
export function signalOf(doc: StatusDocument | null, now: Date, staleAfterHours: number): Signal {
  const latest = doc?.latest;
  if (!latest) return { state: "unknown", reason: "no run has been recorded yet" };
  const last = Date.parse(latest.completed_at ?? latest.at);
  const hours = (now.getTime() - last) / 3_600_000;
  if (hours > staleAfterHours) {
    return {
      state: "missed",
      reason: `no run has reported for ${Math.floor(hours)} hours (STALE_AFTER_HOURS is ${staleAfterHours})`,
    };
  }
  switch (latest.state) {
    case "dispatched":
    case "running":
      return { state: "pending", reason: `run ${latest.id} is ${latest.state}` };
    case "passed":
      return { state: "passing", reason: `run ${latest.id} is within the baseline` };
    case "regressed": {
      const confirming =
        latest.confirmation === "pending" ? "; chimney is benchmarking its commit again to confirm" : "";
      return {
        state: "regressed",
        reason: `run ${latest.id} is outside the baseline: ${latest.out_of_range.join(", ")}${confirming}`,
      };
    }
    case "crashed":
      return { state: "crashed", reason: `run ${latest.id} crashed` };
    case "missed":
      return { state: "missed", reason: `run ${latest.id} never reported` };
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
  const throughput = doc?.last_completed?.throughput_ops_per_sec;
  let message: string = signal.state;
  if ((signal.state === "passing" || signal.state === "regressed") && typeof throughput === "number") {
    message = `${compact(throughput)} ops/s${signal.state === "regressed" ? " (regressed)" : ""}`;
  }
  return { schemaVersion: 1, label: "firewood smoke", message, color: COLORS[signal.state] };
}

/** 10233.3 → "10.2k", as a badge has room for. */
export function compact(n: number): string {
  return new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 }).format(n).toLowerCase();
}
