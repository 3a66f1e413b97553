import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { ArchiveRejected, openArchive } from "../../src/github/artifact.ts";

const text = (s: string) => new TextEncoder().encode(s);
const LIMITS = { compressed: 1024 * 1024, uncompressed: 4 * 1024 * 1024, entries: 8 };

function rejection(zip: Uint8Array, limits = LIMITS): string {
  try {
    openArchive(zip, limits);
  } catch (error) {
    if (error instanceof ArchiveRejected) return error.message;
    throw error;
  }
  throw new Error("the archive was accepted");
}

describe("opening an artifact zip", () => {
  it("returns the files of a good artifact", () => {
    const files = openArchive(zipSync({ "smoke-metrics.json": text("{}"), "smoke-benchmark.log": text("log\n"), "logs/": new Uint8Array() }), LIMITS);
    expect([...files.keys()].sort()).toEqual(["smoke-benchmark.log", "smoke-metrics.json"]);
    expect(new TextDecoder().decode(files.get("smoke-benchmark.log"))).toBe("log\n");
  });

  it.each([
    ["../../etc/passwd"],
    ["/etc/passwd"],
    ["..\\windows\\system32"],
    ["logs/smoke.log"],
    ["C:secret"],
    [".."],
    ["bad\u0000name"],
  ])("refuses the entry name %j", (name) => {
    expect(rejection(zipSync({ [name]: text("x") }))).toBe(`entry ${JSON.stringify(name)} is not a plain file name`);
  });

  it("refuses more entries than the cap, before inflating any", () => {
    const many = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`file-${i}.txt`, text("x")]));
    expect(rejection(zipSync(many))).toBe("the zip has more than 8 entries");
  });

  it("refuses a zip bomb by its declared sizes", () => {
    const bomb = zipSync({ "a.log": new Uint8Array(3 * 1024 * 1024), "b.log": new Uint8Array(3 * 1024 * 1024) }, { level: 9 });
    expect(bomb.byteLength).toBeLessThan(64 * 1024);
    expect(rejection(bomb)).toBe(`the entries add up to more than ${4 * 1024 * 1024} bytes`);
  });

  it("never inflates an entry past the size it declares, whatever it really holds", () => {
    const zip = zipSync({ "a.log": new Uint8Array(2 * 1024 * 1024).fill(65) }, { level: 9 });
    // Lower the declared size in the local header (offset 22) and the central directory (offset 24).
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    view.setUint32(22, 1000, true);
    for (let i = zip.byteLength - 22; i >= 0; i--) {
      if (view.getUint32(i, true) === 0x02014b50) {
        view.setUint32(i + 24, 1000, true);
        break;
      }
    }
    const files = openArchive(zip, LIMITS);
    expect(files.get("a.log")?.byteLength).toBe(1000);
  });

  it("refuses a zip larger than the cap and bytes that are not a zip", () => {
    expect(rejection(new Uint8Array(LIMITS.compressed + 1))).toBe(`the zip is ${LIMITS.compressed + 1} bytes, over the ${LIMITS.compressed}-byte limit`);
    expect(rejection(text("PK but not really"))).toMatch(/^not a readable zip/);
  });
});
