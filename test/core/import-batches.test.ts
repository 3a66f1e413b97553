import { describe, expect, it } from "vitest";
import { fileRowDetail, importBatches } from "../../src/core/import-batches.ts";

const run = (n: number) => ({ commit: { id: `c${n}` }, date: n, tool: "go", benches: [] });

describe("importBatches", () => {
  it("cuts a results array into slices of the file's rows", () => {
    const plan = importBatches(JSON.stringify([1, 2, 3, 4, 5]), 2);
    expect(plan.total).toBe(5);
    expect(plan.batches.map((b) => [b.first, b.rows, JSON.parse(b.body)])).toEqual([
      [0, 2, [1, 2]],
      [2, 2, [3, 4]],
      [4, 1, [5]],
    ]);
  });

  it("cuts data.js by commits across its suites, each batch the same document with a slice of the entries", () => {
    const data = {
      lastUpdate: 1,
      repoUrl: "https://github.com/ava-labs/firewood",
      entries: { a: [run(1), run(2)], b: [run(3)] },
    };
    const plan = importBatches(`window.BENCHMARK_DATA = ${JSON.stringify(data)};`, 2);
    expect(plan.total).toBe(3);
    expect(plan.batches.map((b) => JSON.parse(b.body))).toEqual([
      { ...data, entries: { a: [run(1), run(2)] } },
      { ...data, entries: { b: [run(3)] } },
    ]);
  });

  it.each([
    ["text that is not JSON", "{not json"],
    ["an empty array", "[]"],
    ["an object without entries", '{"x": 1}'],
    ["entries that are not arrays", '{"entries": {"a": 7}}'],
    ["no commits at all", '{"entries": {"a": []}}'],
  ])("sends %s whole, for the server to say what is wrong", (_what, source) => {
    expect(importBatches(source, 2)).toEqual({ total: null, batches: [{ first: 0, rows: 0, body: source }] });
  });

  it("names a refused row by its place in the file", () => {
    expect(fileRowDetail("[3].at: is required", { first: 500 })).toBe("[503].at: is required");
    expect(fileRowDetail("entries: must hold at least one suite", { first: 500 })).toBe(
      "entries: must hold at least one suite",
    );
  });
});
