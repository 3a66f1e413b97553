import { describe, expect, it } from "vitest";
import { tokenAuth } from "../../src/github/auth.ts";
import { GitHubClient } from "../../src/github/client.ts";
import { decodeContents, readFileAt } from "../../src/github/contents.ts";
import { testClock } from "../support/memory.ts";

const BLOB = "3b18e512dba79e4c8300dd08aeb37f8e728b8dad";
const COMMIT = "1f0e9d8c7b6a59483726150f1e2d3c4b5a697887";

/** Base64 as GitHub sends a file's content: a line break after every 60 characters. */
function githubBase64(text: string): string {
  const b64 = btoa(String.fromCharCode(...new TextEncoder().encode(text)));
  return `${b64.match(/.{1,60}/g)!.join("\n")}\n`;
}

const TEXT = `${JSON.stringify({ throughput_ops_per_sec: { lower: 8500.0, upper: 12000.0 }, note: "é ✓" }, null, 2)}\n`;
const SIZE = new TextEncoder().encode(TEXT).byteLength;

function answer(overrides: Record<string, unknown> = {}) {
  const bytes = new TextEncoder().encode(TEXT);
  return {
    type: "file",
    encoding: "base64",
    size: bytes.byteLength,
    name: "smoke.json",
    path: "benchmark/baselines/smoke.json",
    content: githubBase64(TEXT),
    sha: BLOB,
    download_url: "https://raw.githubusercontent.com/ava-labs/firewood/x/benchmark/baselines/smoke.json",
    ...overrides,
  };
}

describe("decodeContents: a file of the contents API", () => {
  it("decodes base64 broken into lines as GitHub sends it, with the blob sha and size", () => {
    expect(answer().content).toContain("\n");
    const file = decodeContents(answer());
    expect(file).toEqual({ ok: true, value: { blob_sha: BLOB, size: SIZE, text: TEXT } });
  });

  it("refuses an answer that is not a file, a blob sha that is not 40 hex, or a size that does not match", () => {
    expect(decodeContents(answer({ type: "dir" }))).toMatchObject({ ok: false, reason: expect.stringMatching(/type/) });
    expect(decodeContents([answer()])).toMatchObject({ ok: false });
    expect(decodeContents(answer({ sha: "abc" }))).toMatchObject({ ok: false, reason: expect.stringMatching(/sha/) });
    expect(decodeContents(answer({ size: 3 }))).toMatchObject({ ok: false, reason: expect.stringMatching(/size/) });
    expect(decodeContents(answer({ content: "@@not base64@@" }))).toMatchObject({ ok: false });
  });

  it("refuses a file over a megabyte (GitHub sends no content for it) with the reason", () => {
    const big = decodeContents(answer({ encoding: "none", content: "", size: 2_000_000 }));
    expect(big).toEqual({ ok: false, reason: "is 2000000 bytes: over the 1 MB the contents API returns inline" });
  });

  it("refuses text that is not UTF-8", () => {
    const bytes = btoa(String.fromCharCode(0xff, 0xfe, 0x00));
    expect(decodeContents(answer({ content: bytes, size: 3 }))).toEqual({ ok: false, reason: "is not UTF-8 text" });
  });
});

describe("readFileAt", () => {
  function client(answers: Response[]) {
    const seen: Request[] = [];
    const c = new GitHubClient({
      apiUrl: "https://api.github.test",
      repository: "ava-labs/firewood",
      auth: tokenAuth("github_pat_contents_test_0123456789"),
      clock: testClock("2026-11-29T03:00:00.000Z"),
      fetch: async (input, init) => {
        seen.push(new Request(input, init));
        return answers.shift()!;
      },
    });
    return { client: c, seen };
  }

  it("asks for the path at the commit and answers the file", async () => {
    const { client: c, seen } = client([new Response(JSON.stringify(answer()), { status: 200 })]);
    const file = await readFileAt(c, "ava-labs/firewood", "benchmark/baselines/smoke.json", COMMIT);
    expect(seen[0].url).toBe(
      `https://api.github.test/repos/ava-labs/firewood/contents/benchmark/baselines/smoke.json?ref=${COMMIT}`,
    );
    expect(seen[0].headers.get("accept")).toBe("application/vnd.github+json");
    expect(file).toEqual({ found: true, file: { ok: true, value: { blob_sha: BLOB, size: SIZE, text: TEXT } } });
  });

  it("answers not found for GitHub's 404", async () => {
    const notFound = {
      message: "Not Found",
      documentation_url: "https://docs.github.com/rest/repos/contents",
      status: "404",
    };
    const { client: c } = client([new Response(JSON.stringify(notFound), { status: 404 })]);
    expect(await readFileAt(c, "ava-labs/firewood", "benchmark/baselines/smoke.json", COMMIT)).toEqual({
      found: false,
    });
  });
});
