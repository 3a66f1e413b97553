/** Reading a file of the repository at a ref, exactly as committed (GitHub's contents API, raw). */
import { bytesOfBase64 } from "../core/base64.ts";
import { GitHubError, type GitHubClient } from "./client.ts";

/** The file's bytes, or null when it does not exist at that ref. */
export async function readRepositoryFile(client: GitHubClient, path: string, ref: string): Promise<Uint8Array | null> {
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  try {
    const res = await client.request(
      "GET",
      `/repos/${client.repository}/contents/${encoded}?ref=${encodeURIComponent(ref)}`,
      {
        accept: "application/vnd.github.raw+json",
      },
    );
    return new Uint8Array(await res.arrayBuffer());
  } catch (error) {
    if (error instanceof GitHubError && error.kind === "not_found") return null;
    throw error;
  }
}

/** A file of the contents API, decoded: its blob sha (the address of its bytes) and its text. */
export interface RepositoryFile {
  blob_sha: string;
  size: number;
  text: string;
}

/** A file GitHub answered, or why its answer cannot be used as one (it was still found). */
export type Decoded = { ok: true; value: RepositoryFile } | { ok: false; reason: string };

const BLOB_SHA = /^[0-9a-f]{40}$/;
/** The contents API returns a file's content inline up to 1 MB; a baseline is a few hundred bytes. */
export const INLINE_LIMIT = 1024 * 1024;

/**
 * The JSON answer of `GET /repos/{o}/{r}/contents/{path}?ref=…` for a file: `type: "file"`, the
 * blob `sha`, `size`, and `content` in base64 broken into lines (`encoding: "base64"`). A file
 * over 1 MB comes with `encoding: "none"` and no content: refused, with the reason.
 */
export function decodeContents(answer: unknown): Decoded {
  const refuse = (reason: string): Decoded => ({ ok: false, reason });
  if (typeof answer !== "object" || answer === null || Array.isArray(answer))
    return refuse("is not a file (GitHub answered a directory listing or something else)");
  const a = answer as Record<string, unknown>;
  if (a.type !== "file") return refuse(`is not a file (type ${JSON.stringify(a.type)})`);
  if (typeof a.sha !== "string" || !BLOB_SHA.test(a.sha)) return refuse("has no blob sha of 40 hex digits");
  if (typeof a.size !== "number" || !Number.isSafeInteger(a.size) || a.size < 0) return refuse("has no size");
  if (a.size > INLINE_LIMIT || a.encoding === "none")
    return refuse(`is ${a.size} bytes: over the 1 MB the contents API returns inline`);
  if (a.encoding !== "base64" || typeof a.content !== "string")
    return refuse(`has content encoded as ${JSON.stringify(a.encoding)}, not base64`);
  const bytes = bytesOfBase64(a.content.replace(/\s+/g, ""));
  if (!bytes) return refuse("has content that is not base64");
  if (bytes.byteLength !== a.size) return refuse(`has ${bytes.byteLength} bytes of content but a size of ${a.size}`);
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    return { ok: true, value: { blob_sha: a.sha, size: a.size, text } };
  } catch {
    return refuse("is not UTF-8 text");
  }
}

/**
 * A file of `repository` at `ref` through the contents API (JSON, so the blob sha comes with
 * it): not found on GitHub's 404; other failures (5xx after the client's retries, a timeout,
 * the budget) are thrown as `GitHubError`.
 */
export async function readFileAt(
  client: GitHubClient,
  repository: string,
  path: string,
  ref: string,
): Promise<{ found: false } | { found: true; file: Decoded }> {
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  const url = `/repos/${repository}/contents/${encoded}?ref=${encodeURIComponent(ref)}`;
  let res: Response;
  try {
    res = await client.request("GET", url);
  } catch (error) {
    if (error instanceof GitHubError && error.kind === "not_found") return { found: false };
    throw error;
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new GitHubError("unexpected", `GET ${url}: the answer is not JSON`, res.status);
  }
  return { found: true, file: decodeContents(body) };
}
