import { sign } from "@octokit/webhooks-methods";
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
    expect(await verifySignature(new Uint8Array([0xff, 0xfe]), await sign(secret, "\ufffd\ufffd"), [secret])).toBe(false);
  });
});
