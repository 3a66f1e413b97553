/** A collaborator's permission on a repository (GitHub's REST API: collaborators). */
import * as v from "valibot";
import type { Role } from "../core/pr-bench.ts";
import { GitHubError, type GitHubClient } from "./client.ts";

const PermissionSchema = v.object({
  permission: v.string(),
  role_name: v.nullish(v.string(), null),
});

type Permission = v.InferOutput<typeof PermissionSchema>;

/** `GET /repos/{owner}/{repo}/collaborators/{username}/permission`; someone who is no collaborator has `none` or `read`. */
export function permissionOf(client: GitHubClient, username: string): Promise<Permission> {
  return client.json(
    PermissionSchema,
    "GET",
    `/repos/${client.repository}/collaborators/${encodeURIComponent(username)}/permission`,
  );
}

const ROLES: readonly Role[] = ["admin", "maintain", "write", "triage", "read", "none"];

/**
 * A user's role on the repository: `role_name` (which tells maintain from write, and triage from
 * read); the legacy `permission` on a server without it. A user GitHub does not know has none.
 */
export async function collaboratorRole(client: GitHubClient, login: string): Promise<Role> {
  try {
    const answer = await permissionOf(client, login);
    const role = (answer.role_name ?? answer.permission) as Role;
    return ROLES.includes(role) ? role : "none";
  } catch (error) {
    if (error instanceof GitHubError && error.kind === "not_found") return "none";
    throw error;
  }
}
