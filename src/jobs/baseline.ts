/**
 * Which baseline judges a result: the suite's baseline file in the watched repository at the
 * run's commit (GitHub's contents API), so a reviewed change of the bands lands with the commit
 * that makes it and a pull request is judged by its own. The configured baseline (for smoke,
 * `SMOKE_BASELINE`, else the bundled `baselines/smoke.json`; for pruning, the bundled
 * `baselines/pruning.json`) judges when GitHub is not configured or the run has no commit, and
 * is the fallback, its reason recorded in the source, when the file is not at that commit,
 * GitHub does not answer, or the file is not a valid baseline.
 */
import { parseBaseline, type Baseline, type BaselineSource } from "../core/baseline.ts";
import type { BaselineCache } from "../core/baseline-cache.ts";
import { parsePruningBaseline, type PruningBaseline } from "../core/pruning.ts";
import { SMOKE_BASELINE_PATH, type Suite } from "../core/suites.ts";
import { parseJson, type FieldIssue, type Parsed } from "../core/validation.ts";
import type { GitHubClient } from "../github/client.ts";
import { readFileAt } from "../github/contents.ts";
import { messageOf, type LoopDeps } from "./deps.ts";

export interface Judging<T = Baseline> {
  baseline: T;
  source: BaselineSource;
}

/** The baseline file of the smoke suite: its `baseline.path`, in its repository. */
function smokeFile(deps: LoopDeps): { repository: string; path: string } | null {
  if (!deps.github) return null;
  const suite = smokeSuite(deps);
  if (suite && suite.baseline === null) return null;
  return { repository: suite?.repository ?? deps.github.repository, path: smokeBaselinePath(deps) };
}

const smokeSuite = (deps: Pick<LoopDeps, "config">) => deps.config.CHIMNEY_SUITES.find((s) => s.format === "smoke");

/** The smoke suite's baseline file: what judges its runs, and what an accepted level's proposal is for. */
export function smokeBaselinePath(deps: Pick<LoopDeps, "config">): string {
  return smokeSuite(deps)?.baseline?.path ?? SMOKE_BASELINE_PATH;
}

/** The baseline that judges a smoke run at `commit`, and where it came from. */
export function judgingBaseline(deps: LoopDeps, commit: string | null, client?: GitHubClient): Promise<Judging> {
  return judgingFile(
    deps,
    smokeFile(deps),
    commit,
    { baseline: deps.baseline, source: deps.baselineSource },
    parseBaseline,
    deps.baselines.smoke,
    client,
  );
}

/** The pruning baseline that judges a pruning suite's result at `commit`, and where it came from. */
export function judgingPruningBaseline(
  deps: LoopDeps,
  suite: Suite,
  commit: string | null,
  client?: GitHubClient,
): Promise<Judging<PruningBaseline>> {
  const repository = suite.repository ?? deps.github?.repository;
  const file = suite.baseline && repository ? { repository, path: suite.baseline.path } : null;
  return judgingFile(deps, file, commit, deps.pruningBaseline, parsePruningBaseline, deps.baselines.pruning, client);
}

/**
 * The baseline `file` at `commit`, parsed by `parse` once per blob sha; `configured` when there
 * is no file to read, and with the reason in its source when the file cannot judge.
 */
async function judgingFile<T>(
  deps: LoopDeps,
  file: { repository: string; path: string } | null,
  commit: string | null,
  configured: Judging<T>,
  parse: (json: unknown) => Parsed<T>,
  cache: BaselineCache<T>,
  client?: GitHubClient,
): Promise<Judging<T>> {
  if (!file || !deps.github || !commit || !/^[0-9a-f]{40}$/.test(commit)) return configured;
  const { repository, path } = file;
  const fallback = (reason: string): Judging<T> => ({
    baseline: configured.baseline,
    source: configured.source.type === "File" ? { ...configured.source, fallback: reason } : configured.source,
  });
  let read: Awaited<ReturnType<typeof readFileAt>>;
  try {
    // The file is read in its own repository: an App's token is its installation's there.
    read = await readFileAt(client?.for(repository) ?? deps.github.client(repository), repository, path, commit);
  } catch (error) {
    deps.log({ event: "baseline_unread", repository, path, commit, error: messageOf(error) });
    return fallback(`GitHub did not answer for ${path} at ${commit}: ${messageOf(error)}`);
  }
  if (!read.found) return fallback(`${path} is not in ${repository} at ${commit}`);
  if (!read.file.ok) {
    deps.log({ event: "baseline_invalid", repository, path, commit, reason: read.file.reason });
    return fallback(`${path} at ${commit} ${read.file.reason}`);
  }
  const { blob_sha, text } = read.file.value;
  let parsed = cache.get(blob_sha);
  if (!parsed) {
    const json = parseJson(text, "(file)");
    parsed = json.ok ? parse(json.value) : json;
    cache.put(blob_sha, parsed);
    deps.log({ event: "baseline_parsed", repository, path, commit, blob_sha, ok: parsed.ok });
  }
  if (!parsed.ok) {
    deps.log({ event: "baseline_invalid", repository, path, commit, blob_sha, issues: parsed.issues });
    return fallback(`${path} at ${commit} is invalid: ${issuesText(parsed.issues)}`);
  }
  return { baseline: parsed.value, source: { type: "Repository", repository, path, commit, blob_sha } };
}

function issuesText(issues: FieldIssue[]): string {
  return issues.map((i) => `${i.field}: ${i.message}`).join("; ");
}
