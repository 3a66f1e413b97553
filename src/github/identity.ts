/**
 * chimney's identity on GitHub (see core/own-comment.ts): an App's id is configured; a token's
 * user is asked of `GET /user` once per isolate, and asked again after a failure.
 */
import * as v from "valibot";
import type { GitHubCredentials } from "../core/config.ts";
import type { Identity } from "../core/own-comment.ts";
import type { GitHubClient } from "./client.ts";

const UserSchema = v.object({ login: v.string() });

export function identityOf(credentials: GitHubCredentials): (client: GitHubClient) => Promise<Identity> {
  if (credentials.kind === "app") {
    const app: Identity = { kind: "app", app: credentials.appId };
    return async () => app;
  }
  let known: Promise<Identity> | null = null;
  return (client) => {
    known ??= client.json(UserSchema, "GET", "/user").then(
      (user): Identity => ({ kind: "user", login: user.login }),
      (error) => {
        known = null;
        throw error;
      },
    );
    return known;
  };
}
