/**
 * Which baseline judges a run: the suite's baseline file in the watched repository at the run's
 * commit (GitHub's contents API), so a reviewed change of the bands lands with the commit that
 * makes it and a pull request is judged by its own. The configured baseline (`SMOKE_BASELINE`,
 * else the bundled `baselines/smoke.json`) judges when GitHub is not configured or the run has
 * no commit, and is the fallback, its reason recorded in the report's source, when the file is
 * not at that commit, GitHub does not answer, or the file is not a valid baseline.
 */
import { parseBaseline, type Baseline, type BaselineSource } from "../core/baseline.ts";
import { SMOKE_BASELINE_PATH } from "../core/suites.ts";
import { parseJson, type FieldIssue, type Parsed } from "../core/validation.ts";
import type { GitHubClient } from "../github/client.ts";
import { readFileAt } from "../github/contents.ts";
import { messageOf, type LoopDeps } from "./deps.ts";

export interface Judging {
  baseline: Baseline;
  source: BaselineSource;
}

/** The baseline file of the smoke suite: its `baseline.path`, in its repository. */
function baselineFile(deps: LoopDeps): { repository: string; path: string } | null {
  if (!deps.github) return null;
  const suite = deps.config.CHIMNEY_SUITES.find((s) => s.format === "smoke");
  if (suite && suite.baseline === null) return null;
  return {
    repository: suite?.repository ?? deps.github.repository,
    path: suite?.baseline?.path ?? SMOKE_BASELINE_PATH,
  };
}

/** The baseline that judges a run at `commit`, and where it came from. */
export async function judgingBaseline(deps: LoopDeps, commit: string | null, client?: GitHubClient): Promise<Judging> {
  const configured = { baseline: deps.baseline, source: deps.baselineSource };
  const file = baselineFile(deps);
  if (!file || !deps.github || !commit || !/^[0-9a-f]{40}$/.test(commit)) return configured;
  const { repository, path } = file;
  const fallback = (reason: string): Judging => ({
    baseline: deps.baseline,
    source: deps.baselineSource.type === "File" ? { ...deps.baselineSource, fallback: reason } : deps.baselineSource,
  });
  let read: Awaited<ReturnType<typeof readFileAt>>;
  try {
    read = await readFileAt(client ?? deps.github.client(), repository, path, commit);
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
  let parsed = deps.baselines.get(blob_sha);
  if (!parsed) {
    parsed = parseFile(text);
    deps.baselines.put(blob_sha, parsed);
    deps.log({ event: "baseline_parsed", repository, path, commit, blob_sha, ok: parsed.ok });
  }
  if (!parsed.ok) {
    deps.log({ event: "baseline_invalid", repository, path, commit, blob_sha, issues: parsed.issues });
    return fallback(`${path} at ${commit} is invalid: ${issuesText(parsed.issues)}`);
  }
  return { baseline: parsed.value, source: { type: "Repository", repository, path, commit, blob_sha } };
}

function parseFile(text: string): Parsed<Baseline> {
  const json = parseJson(text, "(file)");
  return json.ok ? parseBaseline(json.value) : json;
}

function issuesText(issues: FieldIssue[]): string {
  return issues.map((i) => `${i.field}: ${i.message}`).join("; ");
}
