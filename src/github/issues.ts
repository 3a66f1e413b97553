/** The GitHub issues and commits endpoints the alerts use (GitHub's REST API: issues, comments, compare). */
import * as v from "valibot";
import type { Commit } from "../core/issue/markdown.ts";
import { isChimneysComment, type Identity } from "../core/own-comment.ts";
import { GitHubError, type GitHubClient } from "./client.ts";

const IssueSchema = v.object({
  number: v.number(),
  html_url: v.string(),
  state: v.string(),
  state_reason: v.nullish(v.string(), null),
  title: v.string(),
  body: v.nullish(v.string(), null),
  pull_request: v.optional(v.unknown()),
});

export type Issue = v.InferOutput<typeof IssueSchema>;

/** The GitHub App a comment was made through, as REST answers and webhook payloads say it (`isChimneysComment`). */
export const PerformedViaApp = v.nullish(v.object({ id: v.number(), client_id: v.nullish(v.string(), null) }), null);

const CommentSchema = v.object({
  id: v.number(),
  body: v.nullish(v.string(), null),
  user: v.nullish(v.object({ login: v.string() }), null),
  performed_via_github_app: PerformedViaApp,
});

export function createIssue(
  client: GitHubClient,
  issue: { title: string; body: string; labels: string[] },
): Promise<Issue> {
  return client.json(IssueSchema, "POST", `/repos/${client.repository}/issues`, { body: issue, idempotent: false });
}

export function getIssue(client: GitHubClient, number: number): Promise<Issue> {
  return client.json(IssueSchema, "GET", `/repos/${client.repository}/issues/${number}`);
}

export async function comment(client: GitHubClient, number: number, body: string): Promise<void> {
  await client.json(CommentSchema, "POST", `/repos/${client.repository}/issues/${number}/comments`, {
    body: { body },
    idempotent: false,
  });
}

export async function closeCompleted(client: GitHubClient, number: number): Promise<void> {
  await client.json(IssueSchema, "PATCH", `/repos/${client.repository}/issues/${number}`, {
    body: { state: "closed", state_reason: "completed" },
  });
}

/** The hidden marker as chimney writes it: `<!-- chimney:alert=<write> -->`, matched whole. */
const carries = (body: string | null, marker: string) => body?.includes(`<!-- ${marker} -->`) ?? false;

/** Whether a comment carrying `marker` is already on the issue (a write retried after its answer was lost). */
export async function hasComment(
  client: GitHubClient,
  number: number,
  marker: string,
  self: Identity,
): Promise<boolean> {
  return (await findComment(client, number, marker, self)) !== null;
}

/**
 * The id of chimney's first comment on the issue carrying `marker`, or null: a comment someone
 * else wrote with the marker in it is not chimney's to edit.
 */
export async function findComment(
  client: GitHubClient,
  number: number,
  marker: string,
  self: Identity,
): Promise<number | null> {
  const path = `/repos/${client.repository}/issues/${number}/comments?per_page=100`;
  for await (const comments of client.pages(v.array(CommentSchema), path)) {
    const found = comments.find((c) => carries(c.body, marker) && isChimneysComment(c, self));
    if (found) return found.id;
  }
  return null;
}

export async function editComment(client: GitHubClient, id: number, body: string): Promise<void> {
  await client.json(CommentSchema, "PATCH", `/repos/${client.repository}/issues/comments/${id}`, { body: { body } });
}

/** An issue (not a pull request) with these labels whose body carries `marker`. */
export async function findIssue(client: GitHubClient, labels: string[], marker: string): Promise<Issue | null> {
  const query = new URLSearchParams({ labels: labels.join(","), state: "all", per_page: "100" });
  for await (const issues of client.pages(v.array(IssueSchema), `/repos/${client.repository}/issues?${query}`)) {
    const found = issues.find((i) => i.pull_request === undefined && carries(i.body, marker));
    if (found) return found;
  }
  return null;
}

const CompareSchema = v.object({
  total_commits: v.number(),
  commits: v.array(
    v.object({
      sha: v.string(),
      html_url: v.optional(v.string()),
      commit: v.object({
        message: v.string(),
        author: v.nullish(v.object({ name: v.nullish(v.string(), null) }), null),
      }),
      author: v.nullish(v.object({ login: v.string() }), null),
    }),
  ),
});

/** The commits after `base` up to `head`, oldest first (GitHub lists at most 250). */
export async function commitsBetween(
  client: GitHubClient,
  base: string,
  head: string,
): Promise<{ total: number; commits: Commit[] }> {
  const compare = await client.json(CompareSchema, "GET", `/repos/${client.repository}/compare/${base}...${head}`);
  return {
    total: compare.total_commits,
    commits: compare.commits.map((c) => ({
      sha: c.sha,
      title: c.commit.message.split("\n")[0],
      author: c.author?.login ?? c.commit.author?.name ?? null,
    })),
  };
}

const AncestrySchema = v.object({ status: v.string() });

/**
 * Whether a commit is on a branch: compare answers `behind` (or `identical`) when the commit is
 * an ancestor of the branch's head. A commit GitHub does not know is not on it.
 */
export async function isOnBranch(client: GitHubClient, branch: string, sha: string): Promise<boolean> {
  try {
    const compare = await client.json(
      AncestrySchema,
      "GET",
      `/repos/${client.repository}/compare/${encodeURIComponent(branch)}...${sha}`,
    );
    return compare.status === "behind" || compare.status === "identical";
  } catch (error) {
    if (error instanceof GitHubError && error.kind === "not_found") return false;
    throw error;
  }
}
