/**
 * Dispatching the benchmark workflow: every night from the cron trigger (at most once per UTC
 * night, whoever fires), and on demand from POST /api/dispatch.
 */
import type { Config } from "../core/config.ts";
import { newDispatch, type Dispatch } from "../core/dispatch.ts";
import { isMainline, newRun, type RunDispatch } from "../core/run.ts";
import { manualCorrelationId, nightlyCorrelationId, nightOf } from "../core/workflow.ts";
import { dispatchWorkflow, findRunByCorrelation, type WorkflowRun } from "../github/actions.ts";
import { GitHubError, type GitHubClient } from "../github/client.ts";
import { getPullRequest } from "../github/pulls.ts";
import { benchBranch } from "../core/pr-bench.ts";
import type { SuiteTarget } from "../core/suite-dispatch.ts";
import { messageOf, newRunId, type GitHubAccess, type LoopDeps } from "./deps.ts";

/** `already_claimed`: the night was dispatched before (what `npm start` run twice a day finds). */
export type NightlyOutcome =
  | { kind: "dispatched"; dispatch: Dispatch }
  | { kind: "skipped"; reason: string; already_claimed?: true };

/** Dispatches tried within one invocation when GitHub fails transiently, each after looking for the run. */
const DISPATCH_ATTEMPTS = 3;

/** GitHub creates the run a moment after accepting the dispatch: look for it a few times. */
const FIND_ATTEMPTS = 3;
const FIND_PAUSE_MS = 2_000;

/** The dispatch of the night the trigger was due for at `at`, as it is claimed. */
export function nightlyDispatch(deps: LoopDeps, at: Date): Dispatch {
  const night = nightOf(at.getTime());
  return newDispatch(
    {
      kind: "nightly",
      night,
      correlation_id: nightlyCorrelationId(night),
      ref: deps.trackedRef,
      pr_number: null,
      sha: null,
      confirms: null,
    },
    at.toISOString(),
  );
}

export async function dispatchNightly(deps: LoopDeps, at: Date): Promise<NightlyOutcome> {
  if (!deps.github)
    return { kind: "skipped", reason: "GitHub is not configured (GITHUB_REPOSITORY and a token or App)" };
  const dispatch = nightlyDispatch(deps, at);
  const night = dispatch.night;
  if (!(await deps.dispatches.claim(dispatch))) {
    deps.log({ event: "nightly_already_claimed", night });
    return { kind: "skipped", reason: `the night of ${night} is already dispatched`, already_claimed: true };
  }
  return { kind: "dispatched", dispatch: await performDispatch(deps, dispatch) };
}

/**
 * A run started by hand. With a pull request and no ref, the pull request's head: its branch and
 * commit (a fork's commit on the tracked branch's workflow, which checks out the sha). With a
 * suite other than smoke, that suite's workflow on its branch (`suiteTarget`, core/suite-dispatch.ts).
 */
export async function dispatchOnDemand(
  deps: LoopDeps,
  request: { ref: string | null; pr_number: number | null; suite?: SuiteTarget | null },
): Promise<Dispatch> {
  const at = deps.now();
  const correlationId = manualCorrelationId(newRunId(at));
  const target = request.suite ? { ...request.suite, pr_number: null, sha: null } : await smokeTarget(deps, request);
  const dispatch = newDispatch(
    { kind: "manual", night: null, correlation_id: correlationId, ...target, confirms: null },
    at.toISOString(),
  );
  await deps.dispatches.claim(dispatch);
  return performDispatch(deps, dispatch);
}

/** The branch, pull request and commit a dispatch by hand of the smoke suite runs. */
async function smokeTarget(
  deps: LoopDeps,
  request: { ref: string | null; pr_number: number | null },
): Promise<Pick<Dispatch, "ref" | "pr_number" | "sha">> {
  if (request.pr_number === null || request.ref !== null || !deps.github)
    return { ref: request.ref ?? deps.trackedRef, pr_number: request.pr_number, sha: null };
  const pr = await getPullRequest(deps.github.client(), request.pr_number);
  return { ref: benchBranch(pr, deps.trackedRef), pr_number: request.pr_number, sha: pr.head_sha };
}

/**
 * Asks GitHub to run the dispatch's workflow (a suite's, or the smoke suite's `GITHUB_WORKFLOW`)
 * and records the run it made. A failure is recorded on the dispatch, which the reconcile tick retries.
 */
export async function performDispatch(deps: LoopDeps, dispatch: Dispatch): Promise<Dispatch> {
  const attempt = { ...dispatch, attempts: dispatch.attempts + 1 };
  if (!deps.github)
    return update(deps, attempt, { state: "failed", last_error: "no GitHub credentials are configured" });
  const client = deps.github.client(repositoryOf(deps.config, deps.github, dispatch));
  // No pr-number input: chimney comments on the pull request itself, with its own evaluation.
  const inputs: Record<string, string> = { correlation_id: dispatch.correlation_id };
  if (dispatch.sha) inputs.ref = dispatch.sha;
  try {
    let run: Awaited<ReturnType<typeof dispatchWorkflow>> = null;
    for (let i = 0; ; i++) {
      // An earlier attempt may have reached GitHub with its answer lost: a run it made is adopted, not doubled.
      if (i > 0 || dispatch.attempts > 0) {
        const found = await findDispatchedRun(deps, attempt, client);
        if (found.run_id !== null) return found;
      }
      try {
        run = await dispatchWorkflow(client, { workflow: workflowOf(deps, dispatch), ref: dispatch.ref, inputs });
        break;
      } catch (error) {
        const transient = error instanceof GitHubError && ["server", "network", "timeout"].includes(error.kind);
        if (!transient || i + 1 >= DISPATCH_ATTEMPTS) throw error;
        await deps.sleep(500 * 2 ** i);
      }
    }
    const dispatched = await update(deps, attempt, { state: "dispatched", last_error: null, run_id: run?.id ?? null });
    if (run) {
      await recordDispatched(deps, dispatched, {
        ...run,
        run_attempt: 1,
        head_sha: null,
        head_branch: dispatch.ref,
        created_at: dispatched.updated_at,
      });
      return dispatched;
    }
    return findDispatchedRun(deps, dispatched, client, FIND_ATTEMPTS);
  } catch (error) {
    deps.log({ event: "dispatch_failed", correlation_id: dispatch.correlation_id, error: messageOf(error) });
    return update(deps, attempt, { state: "failed", last_error: messageOf(error) });
  }
}

/** Looks for the run a dispatch made, by the correlation id in its run-name. */
export async function findDispatchedRun(
  deps: LoopDeps,
  dispatch: Dispatch,
  client: GitHubClient,
  attempts = 1,
): Promise<Dispatch> {
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await deps.sleep(FIND_PAUSE_MS);
    const run = await findRunByCorrelation(
      client.for(repositoryOf(deps.config, { repository: client.repository }, dispatch)),
      workflowOf(deps, dispatch),
      dispatch.correlation_id,
      new Date(dispatch.requested_at),
    );
    if (run) {
      const found = await update(deps, dispatch, { state: "dispatched", last_error: null, run_id: run.id });
      await recordDispatched(deps, found, run);
      return found;
    }
  }
  return dispatch;
}

function workflowOf(deps: LoopDeps, dispatch: Dispatch): string {
  return dispatch.workflow ?? deps.config.GITHUB_WORKFLOW;
}

/** Where the dispatch's workflow lives: its suite's repository, else (the smoke suite's) GITHUB_REPOSITORY. */
function repositoryOf(config: Config, github: Pick<GitHubAccess, "repository">, dispatch: Dispatch): string {
  const suite = dispatch.suite ? config.CHIMNEY_SUITES.find((s) => s.name === dispatch.suite) : null;
  return suite?.repository ?? github.repository;
}

async function update(deps: LoopDeps, dispatch: Dispatch, change: Partial<Dispatch>): Promise<Dispatch> {
  const next = { ...dispatch, ...change, updated_at: deps.now().toISOString() };
  await deps.dispatches.save(next);
  return next;
}

type KnownRun = Pick<WorkflowRun, "id" | "run_attempt" | "created_at"> & {
  head_sha: string | null;
  head_branch: string | null;
  html_url: string | null;
};

/**
 * The run a dispatch produced, recorded as `dispatched` until GitHub says more. A suite's run is
 * not a run of the ledger: its series hear of it when it completes.
 */
async function recordDispatched(deps: LoopDeps, dispatch: Dispatch, run: KnownRun): Promise<void> {
  if (dispatch.suite) return;
  const ref = run.head_branch ?? dispatch.ref;
  const record = newRun({
    id: `${run.id}-${run.run_attempt}`,
    state: "dispatched",
    at: run.created_at,
    github: { run_id: run.id, run_attempt: run.run_attempt, html_url: run.html_url },
    sha: dispatch.sha ?? run.head_sha,
    ref,
    mainline: isMainline(ref, dispatch.pr_number, deps.trackedRef),
    dispatch: runDispatch(dispatch),
  });
  await deps.runs.record(record);
}

/** How a run records the dispatch that started it. */
export function runDispatch(dispatch: Dispatch): RunDispatch {
  return {
    correlation_id: dispatch.correlation_id,
    kind: dispatch.kind,
    pr_number: dispatch.pr_number,
    confirms: dispatch.confirms ?? null,
  };
}
