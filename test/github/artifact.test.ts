import fc from "fast-check";
import { Inflate, zipSync } from "fflate";
import { describe, expect, it, vi } from "vitest";
import { runnerFileName } from "../../src/core/artifact.ts";
import { ArchiveRejected, ARTIFACT_LIMITS, openArchive } from "../../src/github/artifact.ts";
import { lie } from "../support/zip.ts";

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

/** Renames an entry (to a name of the same length) wherever its name is written. */
function rename(zip: Uint8Array, from: string, to: string): void {
  for (let i = 0; i + from.length <= zip.length; i++)
    if (new TextDecoder().decode(zip.subarray(i, i + from.length)) === from) zip.set(text(to), i);
}

/** Counts the bytes fflate's streaming inflater hands out, however the archive uses it. */
function inflation() {
  let produced = 0;
  const push = Inflate.prototype.push;
  const spy = vi.spyOn(Inflate.prototype, "push").mockImplementation(function (this: Inflate, chunk, final) {
    const ondata = this.ondata;
    this.ondata = (data, last) => {
      this.ondata = ondata;
      produced += data.byteLength;
      ondata(data, last);
    };
    push.call(this, chunk, final);
  });
  return { produced: () => produced, restore: () => spy.mockRestore() };
}

/** 32 MiB of zeros in a 32 KiB zip: eight times the test cap, whatever size its headers are made to declare. */
const BOMB = zipSync({ "a.log": new Uint8Array(32 * 1024 * 1024) }, { level: 9 });

describe("opening an artifact zip", () => {
  it("returns the files of a good artifact", () => {
    const files = openArchive(
      zipSync({ "smoke-metrics.json": text("{}"), "smoke-benchmark.log": text("log\n"), "logs/": new Uint8Array() }),
      LIMITS,
    );
    expect([...files.keys()].sort()).toEqual(["smoke-benchmark.log", "smoke-metrics.json"]);
    expect(new TextDecoder().decode(files.get("smoke-benchmark.log"))).toBe("log\n");
  });

  it("refuses an entry named __proto__, which would otherwise vanish from the files", () => {
    const zip = zipSync({ AAproto__: text("x"), "smoke-metrics.json": text("{}") });
    const bytes = new TextEncoder().encode("__proto__");
    for (let i = 0; i + 9 <= zip.length; i++)
      if (new TextDecoder().decode(zip.subarray(i, i + 9)) === "AAproto__") zip.set(bytes, i);
    expect(rejection(zip)).toBe('entry "__proto__" is not a plain file name');
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

  it("keeps a tree's relative paths when asked (Criterion's target/criterion), and still refuses any other name", () => {
    const tree = zipSync({ "Merkle/insert/new/estimates.json": text("{}"), "Merkle/insert/new/": new Uint8Array(0) });
    expect([...openArchive(tree, ARTIFACT_LIMITS, { paths: true }).keys()]).toEqual([
      "Merkle/insert/new/estimates.json",
    ]);
    expect(rejection(tree)).toBe('entry "Merkle/insert/new/estimates.json" is not a plain file name');
    for (const name of ["../../etc/passwd", "/etc/passwd", "a//b", "a/../b", "a\\b", "a/__proto__", "C:/x", "a/./b"]) {
      expect(() => openArchive(zipSync({ [name]: text("x") }), ARTIFACT_LIMITS, { paths: true }), name).toThrow(
        `entry ${JSON.stringify(name)} is not a plain relative path`,
      );
    }
  });

  it("refuses more entries than the cap, before inflating any", () => {
    const many = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`file-${i}.txt`, text("x")]));
    expect(rejection(zipSync(many))).toBe("the zip has more than 8 entries");
  });

  it("refuses a zip bomb by its declared sizes", () => {
    const bomb = zipSync(
      { "a.log": new Uint8Array(3 * 1024 * 1024), "b.log": new Uint8Array(3 * 1024 * 1024) },
      { level: 9 },
    );
    expect(bomb.byteLength).toBeLessThan(64 * 1024);
    expect(rejection(bomb)).toBe(`the entries add up to more than ${4 * 1024 * 1024} bytes`);
  });

  it("refuses an entry that inflates past the size it declares, having inflated only a little past it", () => {
    const bomb = lie(BOMB.slice(), "a.log", { size: 1000 });
    expect(bomb.byteLength).toBeLessThan(64 * 1024);
    const work = inflation();
    try {
      expect(rejection(bomb)).toBe('entry "a.log" inflates past the 1000 bytes it declares');
    } finally {
      work.restore();
    }
    expect(work.produced()).toBeGreaterThan(1000);
    expect(work.produced()).toBeLessThan(128 * 1024);
  });

  it("refuses an entry that inflates to less than it declares", () => {
    const zip = lie(zipSync({ "a.log": text("short") }), "a.log", { size: 6 });
    expect(rejection(zip)).toBe('entry "a.log" inflates to 5 bytes, not the 6 it declares');
    const stored = lie(zipSync({ "a.log": text("short") }, { level: 0 }), "a.log", { size: 6 });
    expect(rejection(stored)).toBe('entry "a.log" holds 5 bytes, not the 6 it declares');
  });

  it.each([
    ["deflated", 6],
    ["stored", 0],
  ] as const)("refuses a %s entry whose CRC-32 does not match", (_, level) => {
    const zip = lie(zipSync({ "a.log": text("hello, world\n") }, { level }), "a.log", { crc: 0x12345678 });
    expect(rejection(zip)).toBe('entry "a.log" fails its CRC-32 check');
  });

  it("accepts an entry exactly at its declared size, unchanged", () => {
    const bytes = text("SMOKE_BENCHMARK batch=000001 committed 100 keys\n".repeat(5000));
    const files = openArchive(zipSync({ "a.log": bytes }), { ...LIMITS, uncompressed: bytes.byteLength });
    expect(files.get("a.log")?.byteLength).toBe(bytes.byteLength);
    expect(new TextDecoder().decode(files.get("a.log"))).toBe(new TextDecoder().decode(bytes));
  });

  it("refuses two entries of the same name", () => {
    const zip = zipSync({ "a.log": text("first"), "b.log": text("second") });
    rename(zip, "b.log", "a.log");
    expect(rejection(zip)).toBe('the zip holds "a.log" twice');
  });

  it("renames the artifact's files named like chimney's own, keeping them apart and unchanged", () => {
    const files = openArchive(
      zipSync({
        "chimney-summary.html": text("forged"),
        "runner-chimney-summary.html": text("forged again"),
        "smoke-summary.html": text("the runner's own"),
      }),
      LIMITS,
    );
    expect(Object.fromEntries([...files].map(([name, bytes]) => [name, new TextDecoder().decode(bytes)]))).toEqual({
      "runner-chimney-summary.html": "forged",
      "runner-runner-chimney-summary.html": "forged again",
      "smoke-summary.html": "the runner's own",
    });
  });

  it("refuses a zip larger than the cap and bytes that are not a zip", () => {
    expect(rejection(new Uint8Array(LIMITS.compressed + 1))).toBe(
      `the zip is ${LIMITS.compressed + 1} bytes, over the ${LIMITS.compressed}-byte limit`,
    );
    expect(rejection(text("PK but not really"))).toMatch(/^not a readable zip/);
  });
});

describe("opening any zip at all", () => {
  const PLAIN = /^(?!\.{1,2}$)(?!__proto__$)[^/\\\x00-\x1f\x7f:]{1,200}$/;
  const name = fc.oneof(
    fc.stringMatching(/^[\w.-]{1,30}$/),
    fc.constantFrom("../x", "../../etc/passwd", "/abs", "a/b/c/d/e/f/g/h/deep.txt", "..", "C:x", "a\\b", "nul\u0000"),
    fc.string({ minLength: 1, maxLength: 40 }),
  );
  // fflate's zipSync cannot write an entry named __proto__; the test below patches one in.
  const files = fc.dictionary(
    name.filter((n) => n !== "__proto__"),
    fc.uint8Array({ maxLength: 256 }),
    { minKeys: 1, maxKeys: 12 },
  );

  /** What opening did: the files, or the rejection; anything else thrown fails the property. */
  function open(zip: Uint8Array): Map<string, Uint8Array> | "rejected" {
    try {
      return openArchive(zip, LIMITS);
    } catch (error) {
      if (error instanceof ArchiveRejected) return "rejected";
      throw error;
    }
  }

  it("accepts a zip exactly when every name is plain and the caps hold, and returns its files unchanged", () => {
    fc.assert(
      fc.property(files, (entries) => {
        const names = Object.keys(entries).filter((n) => !n.endsWith("/"));
        const acceptable = Object.keys(entries).length <= LIMITS.entries && names.every((n) => PLAIN.test(n));
        const opened = open(zipSync(entries));
        if (!acceptable) {
          expect(opened).toBe("rejected");
          return;
        }
        expect(opened).not.toBe("rejected");
        for (const n of names) expect((opened as Map<string, Uint8Array>).get(runnerFileName(n))).toEqual(entries[n]);
      }),
      { numRuns: 300 },
    );
  });

  it("answers random bytes and any one-byte change of a good zip with files within the caps or a rejection, never a crash", () => {
    const good = zipSync({
      "smoke-metrics.json": text('{"batches": 5}'),
      "smoke-benchmark.log": text("line\n".repeat(200)),
    });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 4096 }),
          fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 })).map(([at, flip]) => {
            const changed = good.slice();
            changed[at] ^= flip;
            return changed;
          }),
        ),
        (zip) => {
          const opened = open(zip);
          if (opened === "rejected") return;
          expect(opened.size).toBeLessThanOrEqual(LIMITS.entries);
          expect([...opened.values()].reduce((n, f) => n + f.byteLength, 0)).toBeLessThanOrEqual(LIMITS.uncompressed);
          for (const n of opened.keys()) expect(n).toMatch(PLAIN);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("refuses a bomb declaring any size within the cap having inflated barely past that size", () => {
    fc.assert(
      fc.property(fc.nat(LIMITS.uncompressed), (declared) => {
        const work = inflation();
        try {
          expect(open(lie(BOMB.slice(), "a.log", { size: declared }))).toBe("rejected");
        } finally {
          work.restore();
        }
        expect(work.produced()).toBeLessThan(declared + 128 * 1024);
      }),
      { numRuns: 20 },
    );
  });

  it("refuses bombs of any shape by what they declare, before inflating", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 3 }), (count, megabytes) => {
        const entries = Object.fromEntries(
          Array.from({ length: count }, (_, i) => [`part-${i}.log`, new Uint8Array(megabytes * 1024 * 1024)]),
        );
        const declared = count * megabytes * 1024 * 1024;
        const opened = open(zipSync(entries, { level: 9 }));
        expect(opened === "rejected").toBe(declared > LIMITS.uncompressed);
      }),
      { numRuns: 30 },
    );
  });
});
