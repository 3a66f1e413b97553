/**
 * chimney's one benchmark comment on a pull request, edited in place as the pull request's runs
 * settle: found by its hidden marker and its author being chimney (someone else's comment with
 * the marker pasted in is left alone), created the first time, edited after. A write the outbox
 * retries finds the comment an earlier attempt created, so it is never doubled.
 */
import { pullRequestBenchComment, PR_BENCH_MARKER } from "../core/issue/pr-bench.ts";
import { runPageUrl, repositoryUrl, workflowRunUrl } from "../core/links.ts";
import { compareWithNights } from "../core/pr-bench.ts";
import type { Run } from "../core/run.ts";
import { comment, editComment, findComment } from "../github/issues.ts";
import type { GitHubAccess, LoopDeps } from "./deps.ts";

/** Runs read back to find the tracked branch's recent nights among pull requests' and confirming runs. */
const HISTORY_READ = 100;

export async function sendPullRequestComment(
  deps: LoopDeps,
  github: GitHubAccess,
  pr: number,
  run: Run,
): Promise<void> {
  const client = github.client();
  const nights = (await deps.runs.history(HISTORY_READ, null)).runs.filter((e) => e.id !== run.id);
  const base = deps.config.PUBLIC_URL;
  const body = pullRequestBenchComment({
    run,
    comparison: compareWithNights(run.measurements, nights),
    trackedRef: deps.trackedRef,
    runUrl: base ? runPageUrl(base, run.id) : null,
    workflowRunUrl: workflowRunUrl(repositoryUrl(deps.config.GITHUB_API_URL, github.repository), run.github),
  });
  const existing = await findComment(client, pr, PR_BENCH_MARKER, await github.identity(client));
  if (existing === null) await comment(client, pr, body);
  else await editComment(client, existing, body);
  deps.log({ event: "pr_comment_written", pr, run: run.id, edited: existing !== null });
}
