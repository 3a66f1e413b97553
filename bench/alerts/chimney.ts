/**
 * chimney's whole policy over a simulated history, through chimney's own code: each night is
 * recorded in the memory stores and settled by the settle stage (bands, change points, suspect
 * nights, drift, alerts), exactly as the Worker does, with the sandbox's GitHub emulator as
 * GitHub (each night's commit is on its main branch). A confirming dispatch it claims is
 * answered by a rerun drawn from the same truth; an alert is an issue chimney would open.
 */
import { evaluate, type Baseline } from "../../src/core/baseline.ts";
import type { Measurements } from "../../src/core/metrics.ts";
import { newRun, stateOfReport, type Run } from "../../src/core/run.ts";
import { settleRuns } from "../../src/jobs/settle.ts";
import { memoryStores } from "../../src/store/memory.ts";
import { wire } from "../../src/wiring.ts";
import { API, GitHubEmulator, REPO, TOKEN } from "../../sandbox/github.ts";
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
  const github = new GitHubEmulator(() => now);
  const deps = wire(
    {
      SMOKE_BASELINE: JSON.stringify(baseline),
      CONFIRM_REGRESSIONS: "true",
      GITHUB_REPOSITORY: REPO,
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: API,
    },
    { fetch: github.fetch, now: () => now, sleep: async () => {}, write: () => {} },
    memoryStores,
  );
  const source = { type: "File" as const, path: "$SMOKE_BASELINE" };
  // Each night is a commit on main and a run GitHub numbered, as the nightly loop records it.
  const runOf = (runId: number, at: number, sha: string, m: Measurements, dispatch: Run["dispatch"]): Run => {
    const report = evaluate(m, baseline, source);
    return newRun({
      id: `${runId}-1`,
      state: stateOfReport(report),
      at: new Date(at).toISOString(),
      completed_at: new Date(at + 600_000).toISOString(),
      mainline: true,
      github: { run_id: runId, run_attempt: 1, html_url: null },
      sha,
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
    const sha = github.addCommit(`night ${night.index}`);
    const dispatch = {
      correlation_id: `nightly-${night.index}`,
      kind: "nightly" as const,
      pr_number: null,
      confirms: null,
    };
    await deps.runs.record(runOf(night.index + 1, at, sha, night.measurements, dispatch));
    await settleRuns(deps);
    let reran = false;
    for (const claimed of await deps.dispatches.unsettled()) {
      if (claimed.kind !== "confirm" || !claimed.confirms) continue;
      reran = true;
      now = at + 3_600_000;
      const runId = 1_000_000 + night.index;
      await deps.dispatches.save({ ...claimed, state: "dispatched", run_id: runId });
      const confirming = {
        correlation_id: claimed.correlation_id,
        kind: "confirm" as const,
        pr_number: null,
        confirms: claimed.confirms,
      };
      await deps.runs.record(runOf(runId, at + 3_000_000, sha, history.rerun(night.index), confirming));
      await settleRuns(deps);
    }
    const opened = (await deps.alerts.open()).map((a) => a.fingerprint).filter((f) => !before.has(f));
    nights.push({ opened, reran });
  }
  return nights;
}
