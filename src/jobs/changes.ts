/** The change-point analysis of the history, redone when a mainline run with a result is settled. */
import type { Config } from "../core/config.ts";
import type { ChangePointOptions } from "../core/changepoints/analysis.ts";
import { analyzeHistory, type ChangeReport } from "../core/drift.ts";
import { historyEntry, upsertEntry, type HistoryEntry, type Position } from "../core/history.ts";
import type { Run } from "../core/run.ts";
import type { RunStore } from "../store/ports.ts";
import type { LoopDeps } from "./deps.ts";

/**
 * Runs read per page of the history. The Workers store reads its whole history document for
 * every page, so pages are as large as histories get: one read, not one per thousand runs.
 */
const PAGE = 100_000;

export function changeOptions(config: Config): ChangePointOptions {
  return { window: config.CHANGE_WINDOW, pvalue: config.CHANGE_PVALUE, magnitude: config.CHANGE_MAGNITUDE };
}

/** Every run of the history, newest first. */
async function wholeHistory(runs: RunStore): Promise<HistoryEntry[]> {
  const all: HistoryEntry[] = [];
  let after: Position | null = null;
  for (;;) {
    const page = await runs.history(PAGE, after);
    all.push(...page.runs);
    const last = page.runs.at(-1);
    if (!page.cursor || !last) return all;
    after = { at: last.at, id: last.id };
  }
}

/** The analysis of the whole history with `settled` in it as given (the projection may not show them yet). */
export async function analysisWith(
  deps: Pick<LoopDeps, "runs" | "config" | "baseline" | "now">,
  settled: readonly Run[],
): Promise<ChangeReport> {
  let history = await wholeHistory(deps.runs);
  for (const run of settled) history = upsertEntry(history, historyEntry(run));
  return analyzeHistory(
    history,
    changeOptions(deps.config),
    deps.now().toISOString(),
    deps.baseline,
    deps.config.CHANGE_MIN_RUNS,
  );
}
