/** The pull request endpoint the PR benchmark uses: the pull request's head. */
import * as v from "valibot";
import type { PullRequestHead } from "../core/pr-bench.ts";
import type { GitHubClient } from "./client.ts";

const RepoSchema = v.nullish(v.object({ full_name: v.string() }), null);

const PullSchema = v.object({
  number: v.number(),
  head: v.object({ ref: v.string(), sha: v.pipe(v.string(), v.regex(/^[0-9a-f]{40}$/i)), repo: RepoSchema }),
  base: v.object({ ref: v.string(), repo: v.object({ full_name: v.string() }) }),
});

export async function getPullRequest(client: GitHubClient, number: number): Promise<PullRequestHead> {
  const pull = await client.json(PullSchema, "GET", `/repos/${client.repository}/pulls/${number}`);
  return {
    number: pull.number,
    head_sha: pull.head.sha.toLowerCase(),
    head_ref: pull.head.ref,
    // A deleted fork leaves the head without a repository: it is no one's to trust.
    head_repository: pull.head.repo?.full_name ?? null,
    base_repository: pull.base.repo.full_name,
  };
}
