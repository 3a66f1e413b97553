/** A collaborator's permission on a repository (GitHub's REST API: collaborators). */
import * as v from "valibot";
import { roleOf, type Role } from "../core/roles.ts";
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

/** A user's role on the repository (`roleOf`); a user GitHub does not know has none. */
export async function collaboratorRole(client: GitHubClient, login: string): Promise<Role> {
  try {
    return roleOf(await permissionOf(client, login));
  } catch (error) {
    if (error instanceof GitHubError && error.kind === "not_found") return "none";
    throw error;
  }
}
