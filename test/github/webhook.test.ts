import { sign } from "@octokit/webhooks-methods";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { verifySignature } from "../../src/github/webhook.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("webhook signatures", () => {
  it("accepts GitHub's published test vector", async () => {
    const signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    expect(await verifySignature(bytes("Hello, World!"), signature, ["It's a Secret to Everybody"])).toBe(true);
  });

  it("refuses the test vector under another secret, or with the body changed", async () => {
    const signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    expect(await verifySignature(bytes("Hello, World!"), signature, ["It's a secret to everybody"])).toBe(false);
    expect(await verifySignature(bytes("Hello, World?"), signature, ["It's a Secret to Everybody"])).toBe(false);
  });

  it("accepts either secret during a rotation, and skips unset ones", async () => {
    const body = '{"zen":"Keep it logically awesome."}';
    const signature = await sign("previous", body);
    expect(await verifySignature(bytes(body), signature, [null, "current", "previous"])).toBe(true);
    expect(await verifySignature(bytes(body), signature, ["current", null])).toBe(false);
  });

  it.each([
    ["no header", undefined],
    ["an empty header", ""],
    ["the SHA-1 header's form", "sha1=757107ea0eb2509fc211221cce984b8a37570b6d"],
    ["no prefix", "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"],
    ["a short digest", "sha256=757107ea"],
    ["non-hex characters", `sha256=${"z".repeat(64)}`],
  ])("refuses %s without throwing", async (_what, signature) => {
    expect(await verifySignature(bytes("Hello, World!"), signature, ["It's a Secret to Everybody"])).toBe(false);
  });

  it("refuses an empty body and bytes that are not UTF-8", async () => {
    const secret = "It's a Secret to Everybody";
    expect(await verifySignature(new Uint8Array(), await sign(secret, " "), [secret])).toBe(false);
    expect(await verifySignature(new Uint8Array([0xff, 0xfe]), await sign(secret, "\ufffd\ufffd"), [secret])).toBe(
      false,
    );
  });
});

describe("webhook signatures, for any body and secret", () => {
  // GitHub's bodies are JSON: UTF-8 text, never empty.
  const body = fc.string({ unit: "binary", minLength: 1, maxLength: 1000 }).map((t) => bytes(t));
  const secret = fc.string({ minLength: 1, maxLength: 64 });

  it("accepts exactly the body the secret signed", async () => {
    await fc.assert(
      fc.asyncProperty(body, secret, async (b, s) => {
        const signature = await hmac(s, b);
        expect(await verifySignature(b, signature, [s])).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("refuses the body with any one byte changed, the signature with any one character changed, and any other secret", async () => {
    await fc.assert(
      fc.asyncProperty(
        body.filter((b) => b.length > 0),
        secret,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.nat(),
        secret,
        async (b, s, at, flip, sigAt, other) => {
          const signature = await hmac(s, b);
          const mutated = b.slice();
          mutated[at % b.length] ^= flip;
          expect(await verifySignature(mutated, signature, [s])).toBe(false);
          const hex = signature.slice("sha256=".length);
          const i = sigAt % hex.length;
          const changed = `sha256=${hex.slice(0, i)}${hex[i] === "0" ? "1" : "0"}${hex.slice(i + 1)}`;
          expect(await verifySignature(b, changed, [s])).toBe(false);
          if (other !== s) expect(await verifySignature(b, signature, [other])).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("agrees with @octokit/webhooks-methods on text bodies", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 500 }), secret, async (text, s) => {
        expect(await verifySignature(bytes(text), await sign(s, text), [s])).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it("refuses bytes that are not UTF-8, even correctly signed: no GitHub payload is", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 512 }), secret, async (b, s) => {
        let utf8 = true;
        try {
          new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(b);
        } catch {
          utf8 = false;
        }
        expect(await verifySignature(b, await hmac(s, b), [s])).toBe(utf8);
      }),
      { numRuns: 200 },
    );
  });
});

/** HMAC-SHA256 of raw bytes, as GitHub computes X-Hub-Signature-256. */
async function hmac(secret: string, body: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey("raw", bytes(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, body));
  return `sha256=${Array.from(mac, (x) => x.toString(16).padStart(2, "0")).join("")}`;
}
