/** Validators of what chimney answers from kept data: strong ETags, and If-None-Match against them. */
import type { Context } from "hono";
import { sha256Hex } from "../core/artifact.ts";

/** A body's first 128 bits of SHA-256, quoted: a strong entity tag. */
export async function etagOf(body: string): Promise<string> {
  return `"${(await sha256Hex(new TextEncoder().encode(body))).slice(0, 32)}"`;
}

/** Bodies tagged lately, with their ETags: a badge per suite and state, answered over and over. */
const tagged = new Map<string, string>();
const TAGGED = 32;

/** `body` with its ETag, hashed once while it is among the last `TAGGED` bodies tagged. */
export async function taggedBody(body: string): Promise<{ body: string; etag: string }> {
  let etag = tagged.get(body);
  if (etag === undefined) {
    etag = await etagOf(body);
    const [oldest] = tagged.keys();
    if (tagged.size >= TAGGED && oldest !== undefined) tagged.delete(oldest);
    tagged.set(body, etag);
  }
  return { body, etag };
}

/**
 * A kept answer (the status page, `/status`, the badge) with its ETag: `304` to a request that
 * names it, else the body, both cacheable for `maxAge` seconds.
 */
export function keptAnswer(
  c: Context,
  kept: { etag: string; body: string | Uint8Array<ArrayBuffer> },
  contentType: string,
  maxAge = 30,
): Response {
  c.header("cache-control", `public, max-age=${maxAge}`);
  c.header("etag", kept.etag);
  if (notModified(c.req.header("if-none-match"), kept.etag)) return c.body(null, 304);
  c.header("content-type", contentType);
  return c.body(kept.body);
}

/** Whether an If-None-Match header names `etag` (RFC 9110 §13.1.2: weak comparison, or `*`). */
function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(",")
    .map((tag) => tag.trim().replace(/^W\//, ""))
    .some((tag) => tag === "*" || tag === etag);
}
