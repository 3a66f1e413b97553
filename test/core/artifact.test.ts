import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CHIMNEY_SUMMARIES, repeatedName, runnerFileName } from "../../src/core/artifact.ts";

describe("the names a run's files are kept under", () => {
  const name = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc
      .tuple(fc.nat(3), fc.constantFrom("chimney-", "chimney", "runner-", ""), fc.string({ maxLength: 8 }))
      .map(([renames, prefix, rest]) => `${"runner-".repeat(renames)}${prefix}${rest}`),
  );

  it("keeps a runner's file under its own name unless chimney's names begin like it", () => {
    expect(runnerFileName("smoke-summary.html")).toBe("smoke-summary.html");
    expect(runnerFileName("runner-notes.txt")).toBe("runner-notes.txt");
    for (const own of Object.values(CHIMNEY_SUMMARIES)) expect(runnerFileName(own)).toBe(`runner-${own}`);
  });

  it("never gives a runner's file one of chimney's names, nor two of its files one name", () => {
    fc.assert(
      fc.property(name, name, (a, b) => {
        expect(runnerFileName(a).startsWith("chimney-")).toBe(false);
        if (a !== b) expect(runnerFileName(a)).not.toBe(runnerFileName(b));
      }),
      { numRuns: 2000 },
    );
  });

  it("finds the first name given twice", () => {
    expect(repeatedName(["a", "b", "c"])).toBe(null);
    expect(repeatedName(["a", "b", "b", "a"])).toBe("b");
  });
});
