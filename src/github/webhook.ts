/** GitHub webhook signatures (`X-Hub-Signature-256`), checked over the raw bytes. */
import { verify } from "@octokit/webhooks-methods";

const SIGNATURE = /^sha256=[0-9a-f]{64}$/;

/**
 * Whether `signature` is GitHub's HMAC-SHA256 of `body` under one of `secrets` (the current
 * one, and the previous one while it is being rotated). A malformed header is simply false.
 */
export async function verifySignature(
  body: Uint8Array,
  signature: string | undefined,
  secrets: (string | null)[],
): Promise<boolean> {
  if (!signature || !SIGNATURE.test(signature) || body.byteLength === 0) return false;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    // The library signs text; bytes that are not UTF-8 could not round-trip, so cannot match.
    return false;
  }
  for (const secret of secrets) {
    if (secret && (await verify(secret, text, signature))) return true;
  }
  return false;
}
