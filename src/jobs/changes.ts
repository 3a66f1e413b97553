/**
 * The change-point analysis of the history: of its newest runs when a mainline run with a result
 * is settled (`boundedAnalysis`), of all of it after an import and in the reconcile tick.
 */
import type { Config } from "../core/config.ts";
import type { ChangePointOptions } from "../core/changepoints/analysis.ts";
import { analyzeHistory, type ChangeReport } from "../core/drift.ts";
import { HISTORY_PAGE, type HistoryEntry, type Position } from "../core/history.ts";
import { planAnalysis } from "../core/settle.ts";
import type { RunStore } from "../store/ports.ts";
import type { LoopDeps } from "./deps.ts";

/** The newest runs of the history, newest first, and whether they reach its start. */
export interface HistoryRead {
  runs: HistoryEntry[];
  complete: boolean;
}

export function changeOptions(config: Config): ChangePointOptions {
  return { window: config.CHANGE_WINDOW, pvalue: config.CHANGE_PVALUE, magnitude: config.CHANGE_MAGNITUDE };
}

/** The newest runs of the history, a page at a time, until `enough` of them are read or the history ends. */
export async function readBack(runs: RunStore, enough: (read: HistoryRead) => boolean): Promise<HistoryRead> {
  const read: HistoryRead = { runs: [], complete: false };
  let after: Position | null = null;
  for (;;) {
    const page = await runs.history(HISTORY_PAGE, after);
    read.runs.push(...page.runs);
    const last = page.runs.at(-1);
    if (!page.cursor || !last) return { ...read, complete: true };
    if (enough(read)) return read;
    after = { at: last.at, id: last.id };
  }
}

/** The analysis of the whole history: after an import, and for the charts. */
export async function analysisOfAll(
  deps: Pick<LoopDeps, "runs" | "config" | "baseline" | "now">,
): Promise<ChangeReport> {
  return analyzeHistory(
    (await readBack(deps.runs, () => false)).runs,
    changeOptions(deps.config),
    deps.now().toISOString(),
    deps.baseline,
    deps.config.CHANGE_MIN_RUNS,
  );
}

/**
 * The whole history's analysis, for the charts, `/changes` and the run pages, when the latest is
 * a settlement's bounded one (the reconcile tick). It keeps that settlement's drifts: the drift
 * alert's words read them, and must say what the alert decided. Skipped when a settlement
 * came meanwhile (its run is not the latest analysed): the next tick refreshes that one.
 */
export async function refreshChanges(
  deps: Pick<LoopDeps, "runs" | "config" | "baseline" | "now" | "changes" | "settlements">,
): Promise<boolean> {
  const settled = await deps.changes.latest();
  if (!settled || settled.complete) return false;
  const full = await analysisOfAll(deps);
  const latest = await deps.changes.latest();
  if (full.latest_run_id !== settled.latest_run_id || latest?.computed_at !== settled.computed_at) return false;
  return deps.settlements.commit(planAnalysis({ ...full, drifts: settled.drifts }), deps.now().toISOString());
}
