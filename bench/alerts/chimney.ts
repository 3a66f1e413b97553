/**
 * chimney's whole policy over a simulated history, through chimney's own code: each night is
 * recorded in the memory stores and settled by the settle stage (bands, change points, suspect
 * nights, drift, alerts), exactly as the Worker does. A confirming dispatch it claims is
 * answered by a rerun drawn from the same truth; an alert is an issue chimney would open.
 */
import { evaluate, type Baseline } from "../../src/core/baseline.ts";
import type { Measurements } from "../../src/core/metrics.ts";
import { newRun, stateOfReport, type Run } from "../../src/core/run.ts";
import { settleRuns } from "../../src/jobs/settle.ts";
import { memoryStores } from "../../src/store/memory.ts";
import { wire } from "../../src/wiring.ts";
import type { History } from "./world.ts";

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1, 3);

export interface ChimneyNight {
  /** Issues opened while this night was settled (its rerun included). */
  opened: string[];
  reran: boolean;
}

export async function chimneyNights(history: History, baseline: Baseline): Promise<ChimneyNight[]> {
  let now = START;
  const wired = wire(
    { SMOKE_BASELINE: JSON.stringify(baseline), CONFIRM_REGRESSIONS: "true" },
    {
      fetch: () => Promise.reject(new Error("no network in the simulation")),
      now: () => now,
      sleep: async () => {},
      write: () => {},
    },
    memoryStores,
  );
  // Confirming reruns are dispatched through GitHub; here the simulation answers them itself.
  const deps = { ...wired, confirm: true };
  const source = { type: "File" as const, path: "$SMOKE_BASELINE" };
  const runOf = (id: string, at: number, m: Measurements, dispatch: Run["dispatch"]): Run => {
    const report = evaluate(m, baseline, source);
    return newRun({
      id,
      state: stateOfReport(report),
      at: new Date(at).toISOString(),
      completed_at: new Date(at + 600_000).toISOString(),
      mainline: true,
      sha: id.padStart(40, "0").slice(-40),
      ref: "main",
      dispatch,
      input: "smoke-metrics.json",
      measurements: m,
      report,
    });
  };

  const nights: ChimneyNight[] = [];
  for (const night of history.nights) {
    const at = START + night.index * DAY;
    now = at + 600_000;
    const before = new Set((await deps.alerts.open()).map((a) => a.fingerprint));
    const id = String(night.index + 1);
    await deps.runs.record(
      runOf(id, at, night.measurements, {
        correlation_id: `nightly-${night.index}`,
        kind: "nightly",
        pr_number: null,
        confirms: null,
      }),
    );
    await settleRuns(deps);
    let reran = false;
    for (const dispatch of await deps.dispatches.unsettled()) {
      if (dispatch.kind !== "confirm" || !dispatch.confirms) continue;
      reran = true;
      now = at + 3_600_000;
      await deps.dispatches.save({ ...dispatch, state: "dispatched", run_id: night.index + 100_000 });
      const rerun = runOf(`r${id}`, at + 3_000_000, history.rerun(night.index), {
        correlation_id: dispatch.correlation_id,
        kind: "confirm",
        pr_number: null,
        confirms: dispatch.confirms,
      });
      await deps.runs.record({ ...rerun, sha: runOf(id, at, night.measurements, null).sha });
      await settleRuns(deps);
    }
    const opened = (await deps.alerts.open()).map((a) => a.fingerprint).filter((f) => !before.has(f));
    nights.push({ opened, reran });
  }
  return nights;
}
