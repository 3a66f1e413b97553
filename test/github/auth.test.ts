import { describe, expect, it } from "vitest";
import { appAuth } from "../../src/github/auth.ts";
import { GitHubClient, GitHubError } from "../../src/github/client.ts";
import { API, FIREWOOD_REPO, GitHubEmulator, REPO, repositories } from "../../sandbox/github.ts";
import { appKeys } from "../support/app-keys.ts";
import { testClock } from "../support/memory.ts";

describe("GitHub App auth", () => {
  it("mints an installation token from an RS256 JWT and reuses it until shortly before it expires", async () => {
    const clock = testClock();
    const github = new GitHubEmulator(clock.now);
    const { pem, publicKey } = await appKeys();
    github.appPublicKey = publicKey;
    const auth = appAuth({ appId: github.appId, privateKey: pem, installationId: null }, clock, REPO);
    const client = () => new GitHubClient({ apiUrl: API, repository: REPO, auth, fetch: github.fetch, clock });

    const run = github.addRun();
    const artifacts = `/repos/${REPO}/actions/runs/${run.id}/artifacts`;
    expect((await client().request("GET", artifacts)).status).toBe(200);
    expect((await client().request("GET", artifacts)).status).toBe(200);
    expect(github.calls("GET", /\/installation$/)).toBe(1);
    expect(github.calls("POST", /\/access_tokens$/)).toBe(1);
    const used = github.requests.filter((r) => r.url.includes("/actions/")).map((r) => r.authorization);
    expect(new Set(used).size).toBe(1);
    expect(used[0]).toMatch(/^Bearer ghs_/);

    clock.advance(56 * 60_000); // within five minutes of the hour's end
    expect((await client().request("GET", artifacts)).status).toBe(200);
    expect(github.calls("POST", /\/access_tokens$/)).toBe(2);
    expect(github.calls("GET", /\/installation$/)).toBe(1);
  });

  it("uses each repository's own installation, and says which repository it is not installed on", async () => {
    const clock = testClock();
    const chain = new GitHubEmulator(clock.now);
    const firewood = new GitHubEmulator(
      clock.now,
      { storage: "https://blobs-firewood.test" },
      { repository: FIREWOOD_REPO, installationId: 4343 },
    );
    const { pem, publicKey } = await appKeys();
    chain.appPublicKey = publicKey;
    firewood.appPublicKey = publicKey;
    const auth = appAuth(
      { appId: chain.appId, privateKey: pem, installationId: String(chain.installationId) },
      clock,
      REPO,
    );
    const client = new GitHubClient({
      apiUrl: API,
      repository: REPO,
      auth,
      fetch: repositories(chain, firewood),
      clock,
    });

    expect((await client.request("GET", `/repos/${REPO}/actions/runs/${chain.addRun().id}/artifacts`)).status).toBe(
      200,
    );
    const there = client.for(FIREWOOD_REPO);
    const path = `/repos/${FIREWOOD_REPO}/actions/runs/${firewood.addRun().id}/artifacts`;
    expect((await there.request("GET", path)).status).toBe(200);
    expect((await there.request("GET", path)).status).toBe(200);
    // The configured installation is GITHUB_REPOSITORY's; Firewood's is looked up, once.
    expect([chain.calls("GET", /\/installation$/), firewood.calls("GET", /\/installation$/)]).toEqual([0, 1]);
    expect([chain.calls("POST", /\/access_tokens$/), firewood.calls("POST", /\/access_tokens$/)]).toEqual([1, 1]);

    await expect(client.for("someone/private").request("GET", "/repos/someone/private/actions/runs/1")).rejects.toThrow(
      "the GitHub App is not installed on someone/private",
    );
  });

  it("fails as unauthorized with a key GitHub does not know", async () => {
    const clock = testClock();
    const github = new GitHubEmulator(clock.now);
    github.appPublicKey = (await appKeys()).publicKey;
    const auth = appAuth(
      { appId: github.appId, privateKey: (await appKeys()).pem, installationId: String(github.installationId) },
      clock,
      REPO,
    );
    const client = new GitHubClient({ apiUrl: API, repository: REPO, auth, fetch: github.fetch, clock });
    const error = await client.request("GET", `/repos/${REPO}/actions/runs/1`).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as GitHubError).kind).toBe("unauthorized");
  });

  it("says so when the private key is not a key", async () => {
    const clock = testClock();
    const auth = appAuth(
      {
        appId: "1",
        privateKey: "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----",
        installationId: "2",
      },
      clock,
      REPO,
    );
    const client = new GitHubClient({
      apiUrl: API,
      repository: REPO,
      auth,
      fetch: new GitHubEmulator(clock.now).fetch,
      clock,
    });
    await expect(client.request("GET", "/x")).rejects.toThrow("GITHUB_APP_PRIVATE_KEY is not a usable RSA private key");
  });
});
