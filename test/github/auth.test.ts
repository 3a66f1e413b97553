import { describe, expect, it } from "vitest";
import { appAuth } from "../../src/github/auth.ts";
import { GitHubClient, GitHubError } from "../../src/github/client.ts";
import { API, GitHubEmulator, REPO } from "../../sandbox/github.ts";
import { testClock } from "../support/memory.ts";

async function rsaKeys() {
  const pair = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
  const base64 = btoa(String.fromCharCode(...pkcs8)).replace(/.{64}/g, "$&\n");
  return { pem: `-----BEGIN PRIVATE KEY-----\n${base64.trim()}\n-----END PRIVATE KEY-----`, publicKey: pair.publicKey };
}

describe("GitHub App auth", () => {
  it("mints an installation token from an RS256 JWT and reuses it until shortly before it expires", async () => {
    const clock = testClock();
    const github = new GitHubEmulator(clock.now);
    const { pem, publicKey } = await rsaKeys();
    github.appPublicKey = publicKey;
    const auth = appAuth({ appId: github.appId, privateKey: pem, installationId: null }, clock);
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

  it("fails as unauthorized with a key GitHub does not know", async () => {
    const clock = testClock();
    const github = new GitHubEmulator(clock.now);
    github.appPublicKey = (await rsaKeys()).publicKey;
    const auth = appAuth(
      { appId: github.appId, privateKey: (await rsaKeys()).pem, installationId: String(github.installationId) },
      clock,
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
