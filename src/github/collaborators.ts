/** A collaborator's permission on a repository (GitHub's REST API: collaborators). */
import * as v from "valibot";
import type { GitHubClient } from "./client.ts";

const PermissionSchema = v.object({
  permission: v.string(),
  role_name: v.nullish(v.string(), null),
});

export type Permission = v.InferOutput<typeof PermissionSchema>;

/** `GET /repos/{owner}/{repo}/collaborators/{username}/permission`; someone who is no collaborator has `none` or `read`. */
export function permissionOf(client: GitHubClient, username: string): Promise<Permission> {
  return client.json(
    PermissionSchema,
    "GET",
    `/repos/${client.repository}/collaborators/${encodeURIComponent(username)}/permission`,
  );
}
