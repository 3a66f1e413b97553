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
 * App auth. The object lives as long as the isolate, so each installation token is shared by
 * every invocation until it is due for renewal. The App may be installed on several repositories
 * (the suites' own): each client's repository has its installation, looked up once; the
 * configured `installationId` is that of `home` (GITHUB_REPOSITORY).
 */
export function appAuth(credentials: AppCredentials, clock: Pick<Clock, "now">, home: string): Auth {
  const tokens = new Map<string, { token: string; renewAt: number }>();
  const installations = new Map<string, string>();
  if (credentials.installationId) installations.set(home.toLowerCase(), credentials.installationId);
  return {
    async authorization(client: GitHubClient): Promise<string> {
      const now = clock.now();
      const repository = client.repository.toLowerCase();
      const known = installations.get(repository);
      const cached = known === undefined ? undefined : tokens.get(known);
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
      let installationId = known;
      if (installationId === undefined) {
        let installation: v.InferOutput<typeof Installation>;
        try {
          installation = await client.json(Installation, "GET", `/repos/${client.repository}/installation`, {
            authorization: `Bearer ${jwt}`,
          });
        } catch (error) {
          if (error instanceof GitHubError && error.kind === "not_found")
            throw new GitHubError("not_found", `the GitHub App is not installed on ${client.repository}`, 404);
          throw error;
        }
        installationId = String(installation.id);
        installations.set(repository, installationId);
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
      tokens.set(installationId, {
        token: minted.token,
        renewAt: (Number.isFinite(expires) ? expires : now + 3_600_000) - RENEW_BEFORE_MS,
      });
      return `Bearer ${minted.token}`;
    },
  };
}
