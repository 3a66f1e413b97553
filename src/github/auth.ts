/**
 * GitHub credentials: a fine-grained token, or a GitHub App whose installation token is
 * minted from an RS256 JWT and reused until shortly before it expires.
 */
import githubAppJwt from "universal-github-app-jwt";
import * as v from "valibot";
import { GitHubError, type Auth, type Clock, type GitHubClient } from "./client.ts";

export function tokenAuth(token: string): Auth {
  return { authorization: async () => `Bearer ${token}` };
}

export interface AppCredentials {
  appId: string;
  privateKey: string;
  /** Looked up from the repository when not given. */
  installationId: string | null;
}

const InstallationToken = v.object({ token: v.string(), expires_at: v.string() });
const Installation = v.object({ id: v.number() });

/** Tokens are renewed this long before GitHub says they expire. */
const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * App auth. The object lives as long as the isolate, so the installation token is shared by
 * every invocation until it is due for renewal.
 */
export function appAuth(credentials: AppCredentials, clock: Pick<Clock, "now">): Auth {
  let cached: { token: string; renewAt: number } | null = null;
  let installationId = credentials.installationId;
  return {
    async authorization(client: GitHubClient): Promise<string> {
      const now = clock.now();
      if (cached && now < cached.renewAt) return `Bearer ${cached.token}`;
      let jwt: string;
      try {
        // iat is set 60 s in the past by the library, exp 10 minutes later: GitHub's limits.
        jwt = (
          await githubAppJwt({ id: credentials.appId, privateKey: credentials.privateKey, now: Math.floor(now / 1000) })
        ).token;
      } catch {
        throw new GitHubError("unauthorized", "GITHUB_APP_PRIVATE_KEY is not a usable RSA private key");
      }
      if (!installationId) {
        const installation = await client.json(Installation, "GET", `/repos/${client.repository}/installation`, {
          authorization: `Bearer ${jwt}`,
        });
        installationId = String(installation.id);
      }
      const minted = await client.json(
        InstallationToken,
        "POST",
        `/app/installations/${installationId}/access_tokens`,
        {
          authorization: `Bearer ${jwt}`,
        },
      );
      const expires = Date.parse(minted.expires_at);
      cached = {
        token: minted.token,
        renewAt: (Number.isFinite(expires) ? expires : now + 3_600_000) - RENEW_BEFORE_MS,
      };
      return `Bearer ${minted.token}`;
    },
  };
}
