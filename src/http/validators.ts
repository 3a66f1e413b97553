/** Validators of what chimney answers from kept data: strong ETags, and If-None-Match against them. */
import { sha256Hex } from "../core/artifact.ts";

/** A body's first 128 bits of SHA-256, quoted: a strong entity tag. */
export async function etagOf(body: string): Promise<string> {
  return `"${(await sha256Hex(new TextEncoder().encode(body))).slice(0, 32)}"`;
}

/** Whether an If-None-Match header names `etag` (RFC 9110 §13.1.2: weak comparison, or `*`). */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(",")
    .map((tag) => tag.trim().replace(/^W\//, ""))
    .some((tag) => tag === "*" || tag === etag);
}
