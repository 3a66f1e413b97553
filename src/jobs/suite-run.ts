/**
 * A followed suite's run: when a completed run of a workflow that suites follow is reported,
 * each suite takes the artifacts its patterns claim, parses them in its format, and merges one
 * point per bench into its series (at the run's start, at its commit). Merging is idempotent by
 * point (`at|sha`), so a delivery handled twice adds nothing.
 *
 * A run that cannot be read for good (no matching artifact, an expired or refused archive, a file
 * that does not parse, too many series) is logged as `suite_run_failed` with `retry: false` and
 * left. A failure that may pass (GitHub or the network failing) is logged with `retry: true` and
 * thrown, so the delivery fails and the reconcile tick takes it up again (core/delivery.ts).
 */
import { COUNTERS } from "../core/health.ts";
import { repositoryUrl } from "../core/links.ts";
import { parseResults } from "../core/formats/index.ts";
import type { Bench } from "../core/formats/bench.ts";
import { seriesOfResult, type Series, type SeriesImport } from "../core/series.ts";
import type { PointBand } from "../core/series.ts";
import { pruningBands } from "../core/suite-bands.ts";
import { suiteSubject } from "../core/suite-alert.ts";
import type { Suite } from "../core/suites.ts";
import type { FieldIssue } from "../core/validation.ts";
import { correlationIdIn, isConfirmingRun } from "../core/workflow.ts";
import { benchesOfArtifacts, claimArtifacts, type SeriesSuite, type OpenedArtifact } from "../core/suite-results.ts";
import {
  downloadArtifact,
  listArtifacts,
  TooLarge,
  UnusableArtifact,
  type ActionsArtifact,
  type WorkflowRun,
} from "../github/actions.ts";
import { ArchiveRejected, ARTIFACT_LIMITS, openArchive } from "../github/artifact.ts";
import { GitHubError, type GitHubClient } from "../github/client.ts";
import { judgingPruningBaseline } from "./baseline.ts";
import { changeOptions } from "./changes.ts";
import { messageOf, type LoopDeps } from "./deps.ts";
import { planSuiteAlert, readRerun } from "./suite-dispatch.ts";

/** A reason the run will never be read for this suite: logged, not retried. */
class Refused extends Error {}

/**
 * Reads a completed run of `repository` for every suite in `suites` (all follow its workflow on
 * its branch there). Throws when a suite's read may succeed later; the other suites are read all
 * the same.
 */
export async function handleFollowedRun(
  deps: LoopDeps,
  suites: SeriesSuite[],
  run: WorkflowRun,
  repository: string,
): Promise<void> {
  if (isConfirmingRun(run.display_title ?? run.name)) return handleRerun(deps, suites, run, repository);
  if (run.conclusion !== "success") {
    for (const suite of suites)
      deps.log({
        event: "suite_run_ignored",
        suite: suite.name,
        run: run.id,
        reason: `the run ended in ${run.conclusion ?? "an unknown conclusion"}`,
      });
    return;
  }
  if (!deps.github) throw new Error("cannot read the completed run: no GitHub credentials are configured");
  const client = deps.github.client(repository);
  let artifacts: ActionsArtifact[];
  try {
    artifacts = await listArtifacts(client, run.id);
  } catch (error) {
    for (const suite of suites)
      deps.log({
        event: "suite_run_failed",
        suite: suite.name,
        repository,
        run: run.id,
        retry: true,
        reason: messageOf(error),
      });
    throw error;
  }
  const claimed = claimArtifacts(
    suites,
    artifacts.map((a) => a.name),
  );
  const retry: string[] = [];
  for (const suite of suites) {
    const mine = artifacts.filter((a) => claimed.get(suite.name)?.includes(a.name));
    try {
      await ingestSuiteRun(deps, client, suite, run, mine);
    } catch (error) {
      const permanent = error instanceof Refused;
      deps.log({
        event: "suite_run_failed",
        suite: suite.name,
        repository,
        run: run.id,
        retry: !permanent,
        reason: messageOf(error),
      });
      if (!permanent) retry.push(`${suite.name}: ${messageOf(error)}`);
    }
  }
  if (retry.length > 0) throw new Error(`run ${run.id} could not be read for ${retry.join("; ")}`);
}

/**
 * A suite's confirming rerun: it benchmarks the commit where a change starts, so its result is no
 * point of any series (it sits at an older commit); it answers the suspected change instead. Only
 * the suite that asked for it reads it. A GitHub failure throws, as for any run, to be retried.
 */
async function handleRerun(deps: LoopDeps, suites: SeriesSuite[], run: WorkflowRun, repository: string): Promise<void> {
  const id = correlationIdIn(run.display_title ?? run.name);
  const dispatch = id ? await deps.dispatches.get(id) : null;
  const suite = suites.find((s) => s.name === dispatch?.suite);
  if (!dispatch || !suite || dispatch.rerun) {
    deps.log({ event: "suite_run_ignored", run: run.id, reason: "a confirming rerun no suite is waiting for" });
    return;
  }
  if (run.conclusion !== "success") {
    await readRerun(deps, dispatch, { failure: `the rerun ended in ${run.conclusion ?? "an unknown conclusion"}` });
    return;
  }
  if (!deps.github) throw new Error("cannot read the completed run: no GitHub credentials are configured");
  const client = deps.github.client(repository);
  const artifacts = await listArtifacts(client, run.id);
  const mine =
    claimArtifacts(
      [suite],
      artifacts.map((a) => a.name),
    ).get(suite.name) ?? [];
  try {
    const point = { at: run.run_started_at ?? run.created_at, sha: dispatch.sha ?? run.head_sha };
    const { series } = await readSuiteRun(
      deps,
      client,
      suite,
      point,
      artifacts.filter((a) => mine.includes(a.name)),
    );
    await readRerun(deps, dispatch, { series });
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    await readRerun(deps, dispatch, { failure: error.message });
  }
}

async function ingestSuiteRun(
  deps: LoopDeps,
  client: GitHubClient,
  suite: SeriesSuite,
  run: WorkflowRun,
  artifacts: ActionsArtifact[],
): Promise<void> {
  const read = await readSuiteRun(
    deps,
    client,
    suite,
    { at: run.run_started_at ?? run.created_at, sha: run.head_sha },
    artifacts,
  );
  const merged = await mergeResult(deps, suite, read.series);
  if (merged.issues.length > 0) throw new Refused(`${merged.issues[0].field}: ${merged.issues[0].message}`);
  deps.log({
    event: "suite_run_ingested",
    suite: suite.name,
    run: run.id,
    series: merged.imports.length,
    added: merged.imports.reduce((n, i) => n + i.added, 0),
  });
}

/** A suite's artifacts of a run, opened and parsed into one point per bench as `measured`; Refused when they cannot be. */
async function readSuiteRun(
  deps: LoopDeps,
  client: GitHubClient,
  suite: SeriesSuite,
  measured: { at: string; sha: string },
  artifacts: ActionsArtifact[],
): Promise<{ series: Series[] }> {
  if (artifacts.length === 0) throw new Refused(`the run uploaded no artifact matching ${suite.artifacts.join(", ")}`);
  const opened: OpenedArtifact[] = [];
  const tree = suite.format === "criterion";
  for (const artifact of artifacts) opened.push({ name: artifact.name, files: await openOne(client, artifact, tree) });
  const benches = benchesOfArtifacts(suite.format, opened);
  if (!benches.ok) throw new Refused(`${benches.issues[0].field}: ${benches.issues[0].message}`);

  const repository = suite.repository ?? client.repository;
  const repoUrl = repositoryUrl(deps.config.GITHUB_API_URL, repository);
  const point = { ...measured, commit_url: `${repoUrl}/commit/${measured.sha}`, message: null };
  const bands = await bandsOf(deps, suite, benches.value, measured.sha, client);
  return { series: seriesOfResult(suite.name, benches.value, point, repoUrl, bands) };
}

async function openOne(
  client: GitHubClient,
  artifact: ActionsArtifact,
  tree: boolean,
): Promise<Map<string, Uint8Array>> {
  const name = artifact.name;
  if (artifact.expired) throw new Refused(`the ${name} artifact has expired`);
  if (artifact.size_in_bytes > ARTIFACT_LIMITS.compressed)
    throw new Refused(
      `the ${name} artifact is ${artifact.size_in_bytes} bytes, over the ${ARTIFACT_LIMITS.compressed}-byte limit`,
    );
  try {
    // Criterion's results are a tree (target/criterion/<group>/<bench>/new/…); the other formats are flat files.
    return openArchive(await downloadArtifact(client, artifact.id, ARTIFACT_LIMITS.compressed), ARTIFACT_LIMITS, {
      paths: tree,
    });
  } catch (error) {
    if (error instanceof GitHubError && (error.kind === "gone" || error.kind === "not_found"))
      throw new Refused(`the ${name} artifact has expired`);
    if (error instanceof TooLarge || error instanceof ArchiveRejected || error instanceof UnusableArtifact)
      throw new Refused(`the ${name} artifact was refused: ${error.message}`);
    throw error;
  }
}

/**
 * The band of each bench in the suite's baseline file at `commit` (the fallback's when it cannot
 * judge): for a pruning suite with a `baseline`; none for the others, whose alerts are their
 * change points alone.
 */
async function bandsOf(
  deps: LoopDeps,
  suite: SeriesSuite,
  benches: readonly Bench[],
  commit: string | null,
  client?: GitHubClient,
): Promise<Map<string, PointBand>> {
  if (suite.format !== "pruning" || !suite.baseline) return new Map();
  const judging = await judgingPruningBaseline(deps, suite, commit, client);
  return pruningBands(benches, judging.baseline, judging.source);
}

/**
 * Merges a result into the suite's series, then tells the suite's alert what its series now say
 * (their change points, when the suite looks for them, and their bands); the outbox sends what
 * that decides.
 */
async function mergeResult(deps: LoopDeps, suite: Suite, series: Series[]) {
  const options = changeOptions(deps.config);
  const merged = await deps.series.merge(series, options);
  if (merged.issues.length > 0) return merged;
  // A result whose points were all kept before (the same run again) is no new run.
  if (merged.imports.some((i) => i.added > 0))
    await deps.health?.add([{ name: COUNTERS.suiteRuns, labels: { suite: suite.name, state: "read" }, value: 1 }]);
  const now = deps.now().toISOString();
  const all = await deps.series.all();
  const subject = suiteSubject(suite.name, all, options, deps.config.CHANGE_MIN_RUNS, now, suite.alerts);
  if (subject) await planSuiteAlert(deps, suite, subject, all);
  return merged;
}

export type DocumentOutcome = { kind: "invalid"; issues: FieldIssue[] } | { kind: "series"; series: SeriesImport[] };

/**
 * One document of a suite's results, sent by hand or by a runner (`POST /api/results?suite=`):
 * merged as one point per bench at `at`, at the commit given. Nothing is stored unless the whole
 * document parses.
 */
export async function ingestSuiteDocument(
  deps: LoopDeps,
  suite: SeriesSuite,
  text: string,
  at: string,
  sha: string | null,
): Promise<DocumentOutcome> {
  const benches = parseResults(suite.format, text);
  if (!benches.ok) return { kind: "invalid", issues: benches.issues };
  const repoUrl = suite.repository ? repositoryUrl(deps.config.GITHUB_API_URL, suite.repository) : null;
  const point = { at, sha, commit_url: repoUrl && sha ? `${repoUrl}/commit/${sha}` : null, message: null };
  const bands = await bandsOf(deps, suite, benches.value, sha);
  const merged = await mergeResult(deps, suite, seriesOfResult(suite.name, benches.value, point, repoUrl, bands));
  if (merged.issues.length > 0) return { kind: "invalid", issues: merged.issues };
  deps.log({
    event: "suite_result_uploaded",
    suite: suite.name,
    series: merged.imports.length,
    added: merged.imports.reduce((n, i) => n + i.added, 0),
  });
  return { kind: "series", series: merged.imports };
}
