/**
 * The followed suites' runs whose webhook was lost (GitHub does not redeliver on its own): the
 * reconcile tick lists the completed runs of each workflow the followed suites follow, in their
 * repository and on their branch, created within the window, and reads each one no path has taken up yet, as its
 * webhook would have (`readFoundRun`). A run already taken up costs no GitHub request. All the
 * part's requests come out of one budget; the runs it cannot afford wait for the next tick.
 */
import { readersOfRun, seriesWorkflows, watchedRepositories } from "../core/suite-results.ts";
import type { Suite } from "../core/suites.ts";
import { listCompletedRuns, type WorkflowRun } from "../github/actions.ts";
import { isThrottled } from "../github/client.ts";
import { messageOf, type LoopDeps } from "./deps.ts";
import { readFoundRun } from "./webhook.ts";

/** How far back the tick looks: a webhook lost while chimney or GitHub was down for a weekend is still found. */
export const DISCOVERY_WINDOW_MS = 3 * 86_400_000;

/** What reading a run of one artifact takes (its artifact list, the 302, the zip), until a read of this tick took more. */
const FIRST_READ_COST = 3;

export interface Discovery {
  /** Runs taken up by the tick: read, refused, or failed (and then retried as a delivery). */
  read: number;
  errors: string[];
}

export async function discoverFollowedRuns(deps: LoopDeps): Promise<Discovery> {
  const found: Discovery = { read: 0, errors: [] };
  const github = deps.github;
  if (!github) return found;
  const budget = github.client();
  // Every repository's reads spend the one budget of the part.
  const shared: LoopDeps = {
    ...deps,
    github: { ...github, client: (repository) => budget.for(repository ?? github.repository) },
  };
  const since = new Date(deps.now().getTime() - DISCOVERY_WINDOW_MS);
  let cost = FIRST_READ_COST;
  for (const { repository, workflow, branch } of followedWorkflows(deps.config.CHIMNEY_SUITES, github.repository)) {
    const client = budget.for(repository);
    // GITHUB_REPOSITORY's workflows go by their name alone, as they always have.
    const where = repository === github.repository ? "" : `${repository} `;
    let runs: WorkflowRun[];
    try {
      runs = await listCompletedRuns(client, workflow, branch, since);
    } catch (error) {
      deps.log({ event: "suite_runs_unlisted", repository, workflow, branch, error: messageOf(error) });
      found.errors.push(`${where}${workflow} on ${branch}: ${messageOf(error)}`);
      if (isThrottled(error)) return found;
      continue;
    }
    // Oldest first, so a budget spent leaves the newest for the next tick, in the window longest.
    for (const run of runs.reverse()) {
      const suites = readersOfRun(deps.config.CHIMNEY_SUITES, repository, deps.config.GITHUB_WORKFLOW, run);
      // The list asks for completed runs; one read before it completes would be taken up for good.
      if (suites.length === 0 || run.status !== "completed") continue;
      const left = client.remainingBudget;
      const affordable = () => client.remainingBudget >= cost;
      const outcome = await readFoundRun(shared, suites, run, repository, affordable);
      if (outcome === "unaffordable") {
        found.errors.push(`the request budget is spent: run ${run.id} and the runs after it wait for the next tick`);
        return found;
      }
      if (outcome === null) continue;
      found.read++;
      cost = Math.max(cost, left - client.remainingBudget);
      if (outcome.error === null) continue;
      found.errors.push(`run ${run.id}: ${messageOf(outcome.error)}`);
      if (isThrottled(outcome.error)) return found;
    }
  }
  return found;
}

/** Each repository's workflows and branches whose runs suites read through their series, GITHUB_REPOSITORY's first. */
function followedWorkflows(suites: readonly Suite[], home: string) {
  return watchedRepositories(suites, home).flatMap((repository) =>
    seriesWorkflows(suites, repository).map((w) => ({ repository, ...w })),
  );
}
