import { describe, expect, it } from "vitest";
import { parseCargo } from "../../../src/core/formats/cargo.ts";
import { parseCriterion, type FileSet } from "../../../src/core/formats/criterion.ts";
import bencher from "../../fixtures/formats/cargo-firewood.txt?raw";
import { CRITERION } from "../../support/criterion-tree.ts";

const hashEstimates = CRITERION["hash/new/estimates.json"];
const merkleBaseEstimates = CRITERION["Merkle/insert/base/estimates.json"];
const merkleChange = CRITERION["Merkle/insert/change/estimates.json"];
const merkleEstimates = CRITERION["Merkle/insert/new/estimates.json"];
const report = CRITERION["report/index.html"];

const prefixed = (prefix: string, files: FileSet): FileSet =>
  Object.fromEntries(Object.entries(files).map(([path, content]) => [`${prefix}${path}`, content]));

const benchesOf = (files: FileSet) => {
  const parsed = parseCriterion(files);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
};

const issuesOf = (files: FileSet) => {
  const parsed = parseCriterion(files);
  if (parsed.ok) throw new Error("expected the files to be refused");
  return parsed.issues;
};

const GOLDEN = [
  {
    name: "Merkle/insert",
    unit: "ns/iter",
    value: 2913.2093,
    bigger_is_better: false,
    range: "± 41.3286",
    extra: "mean 2921.42 ns\nslope 2918.73 ns",
  },
  {
    name: "Proofs/single_key_proof/generate",
    unit: "ns/iter",
    value: 15841.5,
    bigger_is_better: false,
    range: "± 447.91",
    extra: "mean 15872 ns",
  },
  {
    name: "hash",
    unit: "ns/iter",
    value: 418.3391,
    bigger_is_better: false,
    range: "± 3.6114",
    extra: "mean 418.913 ns\nslope 418.622 ns",
  },
  {
    name: "insert/1000",
    unit: "ns/iter",
    value: 1204377.25,
    bigger_is_better: false,
    range: "± 18450.2",
    extra: "mean 1206114 ns\nslope 1205391 ns\nthroughput 1000 elements per iteration",
  },
];

describe("Criterion's files", () => {
  it("reads every new/estimates.json: the median, named by benchmark.json's full_id, base/ and change/ left alone", () => {
    expect(benchesOf(CRITERION)).toEqual(GOLDEN);
  });

  it("gives each benchmark the name, unit and value (to the nanosecond) its bencher line gives", () => {
    const lines = parseCargo(bencher);
    if (!lines.ok) throw new Error(JSON.stringify(lines.issues));
    const fromLines = new Map(lines.value.map((b) => [b.name, b]));
    const both = benchesOf(CRITERION).filter((b) => fromLines.has(b.name));
    expect(both.map((b) => b.name)).toEqual(["Merkle/insert", "hash", "insert/1000"]);
    for (const b of both) {
      const line = fromLines.get(b.name);
      expect([b.unit, Math.trunc(b.value), b.bigger_is_better]).toEqual([
        line?.unit,
        line?.value,
        line?.bigger_is_better,
      ]);
    }
  });

  it("reads the tree under target/criterion, as bytes, with Windows separators", () => {
    expect(benchesOf(prefixed("target/criterion/", CRITERION))).toEqual(GOLDEN);
    const bytes = Object.fromEntries(
      Object.entries(CRITERION).map(([path, text]) => [
        `target\\criterion\\${path.replaceAll("/", "\\")}`,
        new TextEncoder().encode(text),
      ]),
    );
    expect(benchesOf(bytes)).toEqual(GOLDEN);
  });

  it("names a benchmark without benchmark.json by its directory", () => {
    const files = { "target/criterion/hash/new/estimates.json": hashEstimates };
    expect(benchesOf(files).map((b) => b.name)).toEqual(["hash"]);
  });

  it("names each malformed file and field", () => {
    const estimates = JSON.parse(merkleEstimates);
    const files: FileSet = {
      "a/new/estimates.json": "{not json",
      "b/new/estimates.json": JSON.stringify({ ...estimates, median: undefined }),
      "c/new/estimates.json": JSON.stringify({ ...estimates, median: { ...estimates.median, point_estimate: "fast" } }),
      "d/new/estimates.json": merkleEstimates,
      "d/new/benchmark.json": JSON.stringify({ group_id: "d" }),
      "e/new/estimates.json": new Uint8Array([0x7b, 0xff, 0x7d]),
      "f/new/estimates.json": JSON.stringify({ ...estimates, slope: { point_estimate: null } }),
    };
    expect(issuesOf(files)).toEqual([
      { field: "a/new/estimates.json", message: expect.stringMatching(/^is not valid JSON/) },
      { field: "b/new/estimates.json: median", message: "is required" },
      { field: "c/new/estimates.json: median.point_estimate", message: "must be a number" },
      { field: "d/new/benchmark.json: full_id", message: "is required" },
      { field: "e/new/estimates.json", message: "is not UTF-8 text" },
      { field: "f/new/estimates.json: slope.point_estimate", message: "must be a number" },
    ]);
  });

  it("refuses two benchmarks of one name", () => {
    const files = { ...prefixed("target/criterion/", CRITERION), "criterion/hash/new/estimates.json": hashEstimates };
    expect(issuesOf(files)).toEqual([
      {
        field: "target/criterion/hash/new/estimates.json",
        message: 'gives "hash" again (criterion/hash/new/estimates.json gave it)',
      },
    ]);
  });

  it("refuses files without a benchmark's new/estimates.json, and a file too large", () => {
    const noResult = {
      "Merkle/insert/base/estimates.json": merkleBaseEstimates,
      "Merkle/insert/change/estimates.json": merkleChange,
      "report/index.html": report,
    };
    expect(issuesOf(noResult)).toEqual([
      { field: "(body)", message: "holds no result: expected Criterion's <benchmark>/new/estimates.json files" },
    ]);
    expect(issuesOf({ "hash/new/estimates.json": " ".repeat(1024 * 1024 + 1) })).toEqual([
      { field: "hash/new/estimates.json", message: "is larger than the 1048576 bytes a Criterion file may be" },
    ]);
  });
});
