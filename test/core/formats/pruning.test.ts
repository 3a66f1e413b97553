import { describe, expect, it } from "vitest";
import { parsePruning } from "../../../src/core/formats/pruning.ts";
import { parseResults } from "../../../src/core/formats/index.ts";
import { benchesOfArtifacts } from "../../../src/core/suite-results.ts";
import standard from "../../fixtures/pruning-metrics-standard-bf16.json?raw";
import ioUring from "../../fixtures/pruning-metrics-io-uring-bf256.json?raw";

const benchesOf = (input: string) => {
  const parsed = parsePruning(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
};

const issuesOf = (input: string) => {
  const parsed = parsePruning(input);
  if (parsed.ok) throw new Error("expected the document to be refused");
  return parsed.issues;
};

const bytes = (text: string) => new TextEncoder().encode(text);

describe("the pruning format", () => {
  it("reads a pruning-metrics.json as one bench per pruning metric, named by its variant", () => {
    expect(benchesOf(standard)).toEqual([
      {
        name: "standard-bf16 - throughput_ops_per_sec",
        unit: "ops/sec",
        value: 18.181404968068907,
        bigger_is_better: true,
        range: null,
        extra: "4 blocks × 25 ops",
      },
      {
        name: "standard-bf16 - per_block_p95_ms",
        unit: "ms",
        value: 1398.75,
        bigger_is_better: false,
        range: null,
        extra: "4 blocks × 25 ops",
      },
      {
        name: "standard-bf16 - total_duration_ms",
        unit: "ms",
        value: 5500.125,
        bigger_is_better: false,
        range: null,
        extra: "4 blocks × 25 ops",
      },
    ]);
    expect(benchesOf(ioUring).map((b) => [b.name, b.value])).toEqual([
      ["io-uring-bf256 - throughput_ops_per_sec", 11.095700416088766],
      ["io-uring-bf256 - per_block_p95_ms", 2310],
      ["io-uring-bf256 - total_duration_ms", 9012.5],
    ]);
  });

  it("is what parseResults gives for the pruning format", () => {
    expect(parseResults("pruning", standard)).toEqual({ ok: true, value: benchesOf(standard) });
    expect(parseResults("pruning", { "a.json": bytes(standard) })).toMatchObject({ ok: false });
  });

  it("names what is wrong with a document it refuses", () => {
    expect(issuesOf("{not json")).toEqual([expect.objectContaining({ field: "(body)" })]);
    expect(issuesOf("[]")).toEqual([expect.objectContaining({ field: "(body)" })]);
    const doc = JSON.parse(standard);
    expect(issuesOf(JSON.stringify({ ...doc, per_block_ms: [1, 2] }))).toEqual([
      expect.objectContaining({ field: "per_block_ms" }),
    ]);
    expect(issuesOf(JSON.stringify({ ...doc, throughput_ops_per_sec: "fast" }))).toEqual([
      expect.objectContaining({ field: "throughput_ops_per_sec" }),
    ]);
  });
});

describe("a pruning suite's artifacts", () => {
  it("reads each pruning-metrics*.json of each artifact and nothing else beside them", () => {
    const parsed = benchesOfArtifacts("pruning", [
      {
        name: "pruning-benchmark-standard-bf16",
        files: new Map([
          ["pruning-metrics-standard-bf16.json", bytes(standard)],
          ["pruning-summary.json", bytes("{}")],
          ["pruning-benchmark.log", bytes("ran")],
        ]),
      },
      { name: "pruning-benchmark-io-uring-bf256", files: new Map([["pruning-metrics.json", bytes(ioUring)]]) },
    ]);
    expect(parsed.ok && parsed.value.map((b) => b.name)).toEqual([
      "standard-bf16 - throughput_ops_per_sec",
      "standard-bf16 - per_block_p95_ms",
      "standard-bf16 - total_duration_ms",
      "io-uring-bf256 - throughput_ops_per_sec",
      "io-uring-bf256 - per_block_p95_ms",
      "io-uring-bf256 - total_duration_ms",
    ]);
  });

  it("refuses an artifact without a metrics file, or one that does not parse, naming artifact and file", () => {
    const parsed = benchesOfArtifacts("pruning", [
      { name: "pruning-benchmark-a", files: new Map([["pruning-summary.json", bytes("{}")]]) },
      { name: "pruning-benchmark-b", files: new Map([["pruning-metrics-b.json", bytes('{"backend": 1}')]]) },
    ]);
    expect(parsed.ok).toBe(false);
    const issues = parsed.ok ? [] : parsed.issues;
    expect(issues[0]).toEqual({ field: "pruning-benchmark-a", message: expect.stringContaining("pruning-metrics") });
    expect(issues[1].field).toMatch(/^pruning-benchmark-b\/pruning-metrics-b\.json: /);
  });

  it("refuses the same variant given by two files", () => {
    const parsed = benchesOfArtifacts("pruning", [
      { name: "pruning-benchmark-a", files: new Map([["pruning-metrics.json", bytes(standard)]]) },
      { name: "pruning-benchmark-b", files: new Map([["pruning-metrics.json", bytes(standard)]]) },
    ]);
    expect(parsed.ok ? [] : parsed.issues.map((i) => i.message)).toContain(
      'gives "standard-bf16 - throughput_ops_per_sec" again (pruning-benchmark-a/pruning-metrics.json gave it)',
    );
  });
});
