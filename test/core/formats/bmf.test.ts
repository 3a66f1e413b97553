import { describe, expect, it } from "vitest";
import { parseBmf } from "../../../src/core/formats/bmf.ts";
import example from "../../fixtures/formats/bmf-bencher-example.json?raw";
import firewood from "../../fixtures/formats/bmf-firewood.json?raw";

const benchesOf = (input: string) => {
  const parsed = parseBmf(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
};

const issuesOf = (input: string) => {
  const parsed = parseBmf(input);
  if (parsed.ok) throw new Error("expected the document to be refused");
  return parsed.issues;
};

describe("Bencher Metric Format", () => {
  it("reads Bencher's example: one series per benchmark and measure, the bounds as the range", () => {
    expect(benchesOf(example)).toEqual([
      {
        name: "benchmark_name - latency",
        unit: "ns",
        value: 88,
        bigger_is_better: false,
        range: "87.42 – 88.88",
        extra: null,
      },
      {
        name: "benchmark_name - throughput",
        unit: "ops/s",
        value: 5.55,
        bigger_is_better: true,
        range: "3.14 – 6.3",
        extra: null,
      },
      {
        name: "/bin/sh -c ./my_build_script.sh - build-time",
        unit: "build-time",
        value: 87,
        bigger_is_better: false,
        range: null,
        extra: null,
      },
      {
        name: "my_binary - file-size",
        unit: "file-size",
        value: 42,
        bigger_is_better: false,
        range: null,
        extra: null,
      },
    ]);
  });

  it("reads a measure's direction from its name: a rate is bigger-is-better, anything else smaller", () => {
    expect(benchesOf(firewood)).toEqual([
      {
        name: "firewood-smoke - throughput",
        unit: "ops/s",
        value: 10233.31968890708,
        bigger_is_better: true,
        range: null,
        extra: null,
      },
      {
        name: "firewood-smoke - total-duration-ms",
        unit: "total-duration-ms",
        value: 48.86,
        bigger_is_better: false,
        range: "≤ 65",
        extra: null,
      },
      {
        name: "firewood-smoke - per-batch-p95-ms",
        unit: "per-batch-p95-ms",
        value: 11.2,
        bigger_is_better: false,
        range: "0 – 15",
        extra: null,
      },
      {
        name: "insert/1000 - latency",
        unit: "ns",
        value: 1204377.25,
        bigger_is_better: false,
        range: "1201544.9 – 1207901.33",
        extra: null,
      },
      {
        name: "insert/1000 - insert-rate",
        unit: "insert-rate",
        value: 830.3,
        bigger_is_better: true,
        range: "≥ 827.9",
        extra: null,
      },
      {
        name: "proposal/generate - latency",
        unit: "ns",
        value: 15841.5,
        bigger_is_better: false,
        range: null,
        extra: null,
      },
    ]);
  });

  it("takes throughput, ops and rate only as words of the measure's name", () => {
    const doc = JSON.stringify({
      b: { ops_per_sec: { value: 1 }, "regenerate-ms": { value: 2 }, stops: { value: 3 } },
    });
    expect(benchesOf(doc).map((b) => [b.name, b.bigger_is_better])).toEqual([
      ["b - ops_per_sec", true],
      ["b - regenerate-ms", false],
      ["b - stops", false],
    ]);
  });

  it("names the field of each malformed metric", () => {
    const doc = JSON.stringify({
      a: { latency: { value: "88" } },
      b: { latency: { lower_value: 1 } },
      c: { latency: { value: 1, upper_value: null } },
      d: { latency: 12 },
      e: {},
      f: [],
    });
    expect(issuesOf(doc)).toEqual([
      { field: "a.latency.value", message: "must be a number" },
      { field: "b.latency.value", message: "is required" },
      { field: "c.latency.upper_value", message: "must be a number" },
      { field: "d.latency", message: "must be a metric: an object with a value" },
      { field: "e", message: "must hold at least one measure" },
      { field: "f", message: "must be an object of measures" },
    ]);
  });

  it("refuses what is not a BMF document", () => {
    expect(issuesOf("[]")).toEqual([{ field: "(body)", message: "must be an object of benchmarks" }]);
    expect(issuesOf("{}")).toEqual([
      { field: "(body)", message: 'holds no result: expected {"<benchmark>": {"<measure>": {"value": …}}}' },
    ]);
    expect(issuesOf('{"b": {"latency": {"value": 1e999}}}')).toEqual([
      { field: "b.latency.value", message: "must be a finite number" },
    ]);
  });

  it("refuses a name longer than 300 characters", () => {
    expect(issuesOf(JSON.stringify({ ["x".repeat(295)]: { latency: { value: 1 } } }))).toEqual([
      { field: `${"x".repeat(295)}.latency`, message: "has a name longer than 300 characters" },
    ]);
  });
});
