/**
 * What happens when GitHub says something about a run of the benchmark workflow (a webhook, or
 * the reconcile tick asking): the run is recorded as dispatched or running, and when it has
 * completed its artifact is ingested or its crash recorded.
 */
import { RESULT_FILES } from "../core/artifact.ts";
import { beginRead, failedRead } from "../core/read-retry.ts";
import { isMainline, newRun, type RecordOutcome, type Run, type RunFailure } from "../core/run.ts";
import { correlationIdIn, findFailure } from "../core/workflow.ts";
import {
  downloadArtifact,
  listArtifacts,
  listJobs,
  rerunFailedJobs,
  TooLarge,
  UnusableArtifact,
  type WorkflowRun,
} from "../github/actions.ts";
import { ArchiveRejected, ARTIFACT_LIMITS, openArchive } from "../github/artifact.ts";
import { GitHubError, type GitHubClient } from "../github/client.ts";
import { messageOf, type LoopDeps } from "./deps.ts";
import { runDispatch } from "./dispatch.ts";
import { ingest, keepFiles } from "./ingest.ts";

export type RunAction = "requested" | "in_progress" | "completed";

/** Whether the run's news is recorded; a completed run that could not be read says why. */
export type Handled = { ok: true } | { ok: false; error: unknown };

export async function handleWorkflowRun(deps: LoopDeps, action: RunAction, run: WorkflowRun): Promise<Handled> {
  const base = await baseRun(deps, run);
  if (action === "requested") {
    await deps.runs.record(base);
  } else if (action === "in_progress") {
    await deps.runs.record({ ...base, state: "running" });
  } else {
    if (!deps.github) throw new Error("cannot read the completed run: no GitHub credentials are configured");
    return readCompleted(deps, deps.github.client(), base, run);
  }
  return { ok: true };
}

/**
 * Reads a completed run. It is recorded running first, so that the reconcile tick asks about it
 * again whatever becomes of this attempt. A failed attempt is kept on the run, which is read
 * again when it is due and crashed after its attempts (`core/read-retry.ts`). The failure is
 * answered, not thrown: the run is in hand, and no one else waits for it.
 */
async function readCompleted(deps: LoopDeps, client: GitHubClient, base: Run, run: WorkflowRun): Promise<Handled> {
  const completedAt = run.updated_at ?? deps.now().toISOString();
  const known = await deps.runs.run(base.id);
  const begun = beginRead(known?.read_retry ?? null, deps.now().getTime());
  if (begun.kind === "give_up") {
    await crash(deps, base, completedAt, missingResult(begun.reason, run), []);
    return { ok: true };
  }
  await deps.runs.record({ ...base, state: "running", read_retry: begun.retry });
  try {
    await complete(deps, client, base, run, completedAt);
    return { ok: true };
  } catch (error) {
    deps.log({ event: "run_read_failed", run: base.id, attempt: begun.retry.attempts, error: messageOf(error) });
    const next = failedRead(begun.retry, messageOf(error));
    if (next.kind === "give_up") await crash(deps, base, completedAt, missingResult(next.reason, run), []);
    else await deps.runs.record({ ...base, state: "running", read_retry: next.retry });
    return { ok: false, error };
  }
}

/** The run as GitHub describes it, linked to chimney's dispatch when its run-name names one. */
async function baseRun(deps: LoopDeps, run: WorkflowRun): Promise<Run> {
  const correlationId = correlationIdIn(run.display_title ?? run.name);
  const dispatch = correlationId ? await deps.dispatches.get(correlationId) : null;
  if (dispatch && dispatch.run_id === null) {
    await deps.dispatches.save({
      ...dispatch,
      state: "dispatched",
      run_id: run.id,
      updated_at: deps.now().toISOString(),
    });
  }
  const prNumber = dispatch?.pr_number ?? null;
  return newRun({
    id: `${run.id}-${run.run_attempt}`,
    state: "dispatched",
    at: run.run_started_at ?? run.created_at,
    github: { run_id: run.id, run_attempt: run.run_attempt, html_url: run.html_url },
    // A confirming run checks out the suspect's commit, not the branch's head.
    sha: dispatch?.sha ?? run.head_sha,
    ref: run.head_branch,
    mainline: isMainline(run.head_branch, prNumber, deps.trackedRef),
    dispatch: dispatch ? runDispatch(dispatch) : null,
  });
}

async function complete(
  deps: LoopDeps,
  client: GitHubClient,
  base: Run,
  run: WorkflowRun,
  completedAt: string,
): Promise<RecordOutcome | null> {
  let failure: RunFailure | null = null;
  if (run.conclusion !== "success") {
    if (run.conclusion === "startup_failure") {
      return crash(
        deps,
        base,
        completedAt,
        {
          reason: "the workflow could not start (startup_failure): check perf.yml",
          job: null,
          step: null,
          log_url: run.html_url,
          rerun_requested: false,
        },
        [],
      );
    }
    const found = findFailure(await listJobs(client, run.id, run.run_attempt));
    failure = {
      reason: found?.step
        ? `step "${found.step}" of job "${found.job}" ended in ${run.conclusion}`
        : `the run ended in ${run.conclusion ?? "an unknown conclusion"}`,
      job: found?.job ?? null,
      step: found?.step ?? null,
      log_url: found?.log_url ?? run.html_url,
      rerun_requested: false,
    };
    if (found?.before_benchmark && run.run_attempt === 1 && run.conclusion !== "cancelled") {
      // Firewood's runbook: transient infrastructure is rerun once before anyone is alerted.
      await rerunFailedJobs(client, run.id);
      deps.log({ event: "rerun_requested", run_id: run.id, step: found.step });
      const outcome = await crash(deps, base, completedAt, { ...failure, rerun_requested: true }, []);
      await deps.runs.record({
        ...base,
        id: `${run.id}-2`,
        github: { run_id: run.id, run_attempt: 2, html_url: run.html_url },
        at: completedAt,
        state: "dispatched",
      });
      return outcome;
    }
  }

  const artifact = await fetchArtifact(deps, client, run.id);
  if (!artifact.ok) return crash(deps, base, completedAt, failure ?? missingResult(artifact.problem, run), []);

  const metrics = artifact.files.get(RESULT_FILES.metrics);
  const others = [...artifact.files]
    .filter(([name]) => name !== RESULT_FILES.metrics)
    .map(([name, bytes]) => ({ name, bytes, field: name }));
  let problem = `the ${deps.config.ARTIFACT_NAME} artifact has no ${RESULT_FILES.metrics}`;
  if (metrics) {
    const result = await ingest(
      deps,
      {
        result: metrics,
        resultKind: "metrics",
        resultField: RESULT_FILES.metrics,
        files: others,
        provenance: { github: base.github, sha: base.sha, ref: base.ref },
      },
      { at: base.at, dispatch: base.dispatch, failure, client },
    );
    if (result.kind === "conflict") deps.log({ event: "result_conflict", run: base.id, reason: result.reason });
    if (result.kind !== "malformed" && result.kind !== "invalid") return result.kind === "conflict" ? null : result;
    problem = `${result.issues[0].field === "(body)" ? RESULT_FILES.metrics : result.issues[0].field}: ${result.issues[0].message}`;
  }
  const artifacts = await keepFiles(
    deps.artifacts,
    [...artifact.files].map(([name, bytes]) => ({ name, bytes })),
  );
  return crash(deps, base, completedAt, failure ?? missingResult(problem, run), artifacts);
}

function missingResult(problem: string, run: WorkflowRun): RunFailure {
  return { reason: problem, job: null, step: null, log_url: run.html_url, rerun_requested: false };
}

function crash(
  deps: LoopDeps,
  base: Run,
  completedAt: string,
  failure: RunFailure,
  artifacts: Run["artifacts"],
): Promise<RecordOutcome> {
  deps.log({ event: "run_crashed", run: base.id, reason: failure.reason });
  return deps.runs.record({ ...base, state: "crashed", completed_at: completedAt, failure, artifacts });
}

/** The run's artifact, opened; or why there is none to read. */
type Fetched = { ok: true; files: Map<string, Uint8Array> } | { ok: false; problem: string };

async function fetchArtifact(deps: LoopDeps, client: GitHubClient, runId: number): Promise<Fetched> {
  const name = deps.config.ARTIFACT_NAME;
  const missing = (problem: string): Fetched => ({ ok: false, problem });
  const artifact = (await listArtifacts(client, runId)).find((a) => a.name === name);
  if (!artifact) return missing(`the run uploaded no ${name} artifact`);
  if (artifact.expired) return missing(`the ${name} artifact has expired`);
  if (artifact.size_in_bytes > ARTIFACT_LIMITS.compressed) {
    return missing(
      `the ${name} artifact is ${artifact.size_in_bytes} bytes, over the ${ARTIFACT_LIMITS.compressed}-byte limit`,
    );
  }
  try {
    return { ok: true, files: openArchive(await downloadArtifact(client, artifact.id, ARTIFACT_LIMITS.compressed)) };
  } catch (error) {
    if (error instanceof GitHubError && (error.kind === "gone" || error.kind === "not_found")) {
      return missing(`the ${name} artifact has expired`);
    }
    if (error instanceof TooLarge || error instanceof ArchiveRejected || error instanceof UnusableArtifact) {
      return missing(`the ${name} artifact was refused: ${error.message}`);
    }
    throw error;
  }
}
