/** The pull request endpoints the PR benchmark uses: the pull request's head, a commenter's role, chimney's own comment. */
import * as v from "valibot";
import type { PullRequestHead, Role } from "../core/pr-bench.ts";
import { GitHubError, type GitHubClient } from "./client.ts";

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

const ROLES: readonly Role[] = ["admin", "maintain", "write", "triage", "read", "none"];

const PermissionSchema = v.object({ permission: v.string(), role_name: v.optional(v.string()) });

/**
 * A user's role on the repository: `role_name` (which tells maintain from write, and triage from
 * read); the legacy `permission` on a server without it. A user GitHub does not know has none.
 */
export async function collaboratorRole(client: GitHubClient, login: string): Promise<Role> {
  try {
    const answer = await client.json(
      PermissionSchema,
      "GET",
      `/repos/${client.repository}/collaborators/${encodeURIComponent(login)}/permission`,
    );
    const role = (answer.role_name ?? answer.permission) as Role;
    return ROLES.includes(role) ? role : "none";
  } catch (error) {
    if (error instanceof GitHubError && error.kind === "not_found") return "none";
    throw error;
  }
}
