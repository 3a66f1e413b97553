/** The GitHub Actions endpoints of the nightly loop (GitHub's REST API, "Actions": workflows, runs, jobs, artifacts). */
import * as v from "valibot";
import { readBounded } from "../core/bounded-read.ts";
import { commitSha, githubId, githubPage, githubWord, refName, timestamp } from "../core/github-fields.ts";
import { GitHubError, isHttpUrl, type GitHubClient } from "./client.ts";

/**
 * A run as a webhook or the API describes it. Its links, commit, branch and ids end up in pages,
 * API paths and records, so each is checked (core/github-fields.ts); `apiUrl` says which
 * GitHub's pages its links may point to.
 */
export function workflowRunSchema(apiUrl: string) {
  return v.object({
    id: githubId,
    name: v.nullish(v.string(), null),
    display_title: v.nullish(v.string(), null),
    path: v.nullish(v.string(), null),
    head_branch: v.nullish(refName, null),
    head_sha: commitSha,
    run_attempt: v.optional(githubId, 1),
    status: v.nullish(githubWord, null),
    conclusion: v.nullish(githubWord, null),
    html_url: githubPage(apiUrl),
    created_at: timestamp,
    run_started_at: v.nullish(timestamp, null),
    updated_at: v.nullish(timestamp, null),
  });
}

export type WorkflowRun = v.InferOutput<ReturnType<typeof workflowRunSchema>>;

const runList = (apiUrl: string) =>
  v.object({ total_count: v.number(), workflow_runs: v.array(workflowRunSchema(apiUrl)) });

const StepSchema = v.object({
  name: v.string(),
  status: v.nullish(v.string(), null),
  conclusion: v.nullish(v.string(), null),
  number: v.number(),
});

const jobSchema = (apiUrl: string) =>
  v.object({
    id: githubId,
    name: v.string(),
    status: v.nullish(v.string(), null),
    conclusion: v.nullish(v.string(), null),
    html_url: v.nullish(githubPage(apiUrl), null),
    steps: v.optional(v.array(StepSchema), []),
  });

export type Job = v.InferOutput<ReturnType<typeof jobSchema>>;

const jobList = (apiUrl: string) => v.object({ total_count: v.number(), jobs: v.array(jobSchema(apiUrl)) });

const ArtifactSchema = v.object({
  id: githubId,
  name: v.string(),
  size_in_bytes: v.number(),
  expired: v.boolean(),
  archive_download_url: v.string(),
});

export type ActionsArtifact = v.InferOutput<typeof ArtifactSchema>;

const ArtifactList = v.object({ total_count: v.number(), artifacts: v.array(ArtifactSchema) });

const dispatchDetails = (apiUrl: string) =>
  v.object({
    workflow_run_id: githubId,
    run_url: v.optional(v.string()),
    html_url: v.optional(githubPage(apiUrl)),
  });

export interface DispatchRequest {
  workflow: string;
  ref: string;
  inputs: Record<string, string>;
}

/**
 * Dispatches the workflow asking for the run's details (GitHub since 2026-02). An older server
 * answers 204, or refuses the field with 422, in which case the call is repeated without it
 * and the run must be found by its correlation input. Returns the run id when GitHub gave it.
 */
export async function dispatchWorkflow(
  client: GitHubClient,
  request: DispatchRequest,
): Promise<{ id: number; html_url: string | null } | null> {
  const path = `/repos/${client.repository}/actions/workflows/${encodeURIComponent(request.workflow)}/dispatches`;
  const body = { ref: request.ref, inputs: request.inputs };
  try {
    // Not idempotent: a retry after a lost answer would start a second run. The caller looks
    // for the run of an earlier attempt by its correlation id before dispatching again.
    const res = await client.request("POST", path, { body: { ...body, return_run_details: true }, idempotent: false });
    if (res.status === 204) return null;
    const parsed = v.safeParse(dispatchDetails(client.apiUrl), await res.json().catch(() => null));
    return parsed.success ? { id: parsed.output.workflow_run_id, html_url: parsed.output.html_url ?? null } : null;
  } catch (error) {
    if (!(error instanceof GitHubError) || error.kind !== "invalid" || !/return_run_details/.test(error.message))
      throw error;
  }
  await client.request("POST", path, { body, idempotent: false });
  return null;
}

/** The run a dispatch created, found by the correlation id its run-name echoes. */
export async function findRunByCorrelation(
  client: GitHubClient,
  workflow: string,
  correlationId: string,
  since: Date,
): Promise<WorkflowRun | null> {
  const created = `>=${new Date(since.getTime() - 60_000).toISOString().replace(/\.\d{3}Z$/, "Z")}`;
  const query = new URLSearchParams({ event: "workflow_dispatch", created, per_page: "100" });
  const list = await client.json(
    runList(client.apiUrl),
    "GET",
    `/repos/${client.repository}/actions/workflows/${encodeURIComponent(workflow)}/runs?${query}`,
  );
  return list.workflow_runs.find((run) => (run.display_title ?? run.name ?? "").includes(correlationId)) ?? null;
}

/**
 * The completed runs of a workflow on a branch created since `since`, newest first: one page,
 * so one request; a window of a few days holds far fewer than a page of runs.
 */
export async function listCompletedRuns(
  client: GitHubClient,
  workflow: string,
  branch: string,
  since: Date,
): Promise<WorkflowRun[]> {
  const created = `>=${since.toISOString().replace(/\.\d{3}Z$/, "Z")}`;
  const query = new URLSearchParams({ branch, status: "completed", created, per_page: "100" });
  const list = await client.json(
    runList(client.apiUrl),
    "GET",
    `/repos/${client.repository}/actions/workflows/${encodeURIComponent(workflow)}/runs?${query}`,
  );
  return list.workflow_runs;
}

/** One attempt of a run, as it is now. */
export function getRunAttempt(client: GitHubClient, runId: number, attempt: number): Promise<WorkflowRun> {
  return client.json(
    workflowRunSchema(client.apiUrl),
    "GET",
    `/repos/${client.repository}/actions/runs/${runId}/attempts/${attempt}`,
  );
}

export async function listJobs(client: GitHubClient, runId: number, attempt: number): Promise<Job[]> {
  const list = await client.json(
    jobList(client.apiUrl),
    "GET",
    `/repos/${client.repository}/actions/runs/${runId}/attempts/${attempt}/jobs?per_page=100`,
  );
  return list.jobs;
}

export async function listArtifacts(client: GitHubClient, runId: number): Promise<ActionsArtifact[]> {
  const list = await client.json(
    ArtifactList,
    "GET",
    `/repos/${client.repository}/actions/runs/${runId}/artifacts?per_page=100`,
  );
  return list.artifacts;
}

/**
 * Downloads an artifact's zip: the API answers 302 to a short-lived storage URL, which is
 * fetched without the Authorization header (the storage refuses one). At most `maxBytes`
 * are read; a larger zip is refused before it is read whole.
 */
export async function downloadArtifact(
  client: GitHubClient,
  artifactId: number,
  maxBytes: number,
): Promise<Uint8Array> {
  const redirect = await client.request("GET", `/repos/${client.repository}/actions/artifacts/${artifactId}/zip`);
  await redirect.body?.cancel();
  const location = redirect.headers.get("location");
  if (redirect.status !== 302 || !location) {
    throw new GitHubError(
      "unexpected",
      `artifact ${artifactId}: expected a 302 to the zip, got ${redirect.status}`,
      redirect.status,
    );
  }
  // Only an absolute http(s) URL is storage: anything else would be read as an API path, or worse.
  if (!isHttpUrl(location)) {
    throw new UnusableArtifact(
      `artifact ${artifactId}: GitHub redirected to ${JSON.stringify(location.slice(0, 200))}, not an http(s) URL`,
    );
  }
  const res = await client.request("GET", location, { authorization: null, accept: "application/zip" });
  return readCapped(res, maxBytes, `artifact ${artifactId}`);
}

export async function rerunFailedJobs(client: GitHubClient, runId: number): Promise<void> {
  const res = await client.request("POST", `/repos/${client.repository}/actions/runs/${runId}/rerun-failed-jobs`);
  await res.body?.cancel();
}

export class TooLarge extends Error {}

/** An artifact chimney cannot read where GitHub sends it: a crash reason, not a retry. */
export class UnusableArtifact extends Error {}

async function readCapped(res: Response, maxBytes: number, what: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    throw new TooLarge(`${what} is ${declared} bytes, over the ${maxBytes}-byte limit`);
  }
  const bytes = await readBounded(res.body, maxBytes);
  if (!bytes) throw new TooLarge(`${what} is over the ${maxBytes}-byte limit`);
  return bytes;
}
