/**
 * Whether a comment is chimney's own: it carries chimney's hidden marker and chimney wrote it.
 * Anyone can paste the marker, so the marker alone proves nothing; the author does. With a
 * GitHub App, chimney's comments are performed via the App (`performed_via_github_app.id`,
 * or its `client_id`, known from GITHUB_APP_ID without a request); with a token, they are the token's user's.
 */

/** Who chimney is on GitHub. */
export type Identity =
  /** GITHUB_APP_ID: the App's id, or its client id (`Iv1.…`), which GitHub also accepts. */
  { kind: "app"; app: string } | { kind: "user"; login: string };

/** The part of a GitHub comment (REST or webhook) that says who wrote it. */
export interface Authored {
  body: string | null;
  user: { login: string } | null;
  performed_via_github_app?: { id: number; client_id?: string | null } | null;
}

/** Every hidden marker chimney writes starts so: `<!-- chimney:alert=… -->`, `<!-- chimney:pr-bench -->`. */
const CHIMNEY_MARKER = "<!-- chimney:";

export function isChimneysComment(comment: Authored, self: Identity): boolean {
  if (!(comment.body ?? "").includes(CHIMNEY_MARKER)) return false;
  if (self.kind === "app") {
    const app = comment.performed_via_github_app;
    return app != null && (String(app.id) === self.app || app.client_id === self.app);
  }
  // Logins are case-insensitive on GitHub.
  return comment.user?.login.toLowerCase() === self.login.toLowerCase();
}
