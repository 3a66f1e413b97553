/**
 * Who a collaborator is to chimney, from `GET /repos/{o}/{r}/collaborators/{user}/permission`:
 * one reading for every command (accept, snooze, /chimney bench and its approval).
 */

/** A collaborator's role as GitHub names it (`role_name`). */
export type Role = "admin" | "maintain" | "write" | "triage" | "read" | "none";

const ROLES: readonly Role[] = ["admin", "maintain", "write", "triage", "read", "none"];

/** Those who may command chimney: write permission or more. */
export const WRITERS: readonly Role[] = ["admin", "maintain", "write"];

/** Those who may approve a fork's commit for the self-hosted runner. */
export const MAINTAINERS: readonly Role[] = ["admin", "maintain"];

const isRole = (name: string | null | undefined): name is Role => ROLES.includes(name as Role);

/**
 * The role: `role_name`, which tells maintain from write and triage from read; for an
 * organisation's custom role, the base `permission` it grants (the legacy read, write or admin);
 * none for anything else.
 */
export function roleOf(answer: { permission: string; role_name?: string | null }): Role {
  if (isRole(answer.role_name)) return answer.role_name;
  return isRole(answer.permission) ? answer.permission : "none";
}
