import { describe, expect, it } from "vitest";
import { parseCustom } from "../../../src/core/formats/custom.ts";
import history from "../../fixtures/firewood-bench-history.json";
import bigger from "../../fixtures/formats/custom-bigger.json?raw";
import firewood from "../../fixtures/formats/custom-firewood-reexecution.json?raw";
import smaller from "../../fixtures/formats/custom-smaller.json?raw";

const issuesOf = (input: string, tool: "customBiggerIsBetter" | "customSmallerIsBetter" = "customBiggerIsBetter") => {
  const parsed = parseCustom(input, tool);
  if (parsed.ok) throw new Error("expected the document to be refused");
  return parsed.issues;
};

describe("github-action-benchmark custom JSON", () => {
  it("reads customBiggerIsBetter: bigger is better unless the unit is a time", () => {
    expect(parseCustom(bigger, "customBiggerIsBetter")).toEqual({
      ok: true,
      value: [
        {
          name: "My Custom Bigger Is Better Benchmark - Throughput",
          unit: "req/s",
          value: 70,
          bigger_is_better: true,
          range: null,
          extra: null,
        },
        {
          name: "My Custom Bigger Is Better Benchmark - Free Memory",
          unit: "Megabytes",
          value: 150,
          bigger_is_better: true,
          range: "3",
          extra: "Optional Value #1: 25\nHelpful Num #2: 100\nAnything Else!",
        },
      ],
    });
  });

  it("reads customSmallerIsBetter", () => {
    expect(parseCustom(smaller, "customSmallerIsBetter")).toEqual({
      ok: true,
      value: [
        {
          name: "My Custom Smaller Is Better Benchmark - CPU Load",
          unit: "Percent",
          value: 50,
          bigger_is_better: false,
          range: "5%",
          extra: "My Optional Information for the tooltip",
        },
        {
          name: "My Custom Smaller Is Better Benchmark - Memory Used",
          unit: "Megabytes",
          value: 100,
          bigger_is_better: false,
          range: null,
          extra: null,
        },
      ],
    });
  });

  it("reads Firewood's re-execution results with the directions its imported history has", () => {
    const parsed = parseCustom(firewood, "customBiggerIsBetter");
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const name =
      "BenchmarkReexecuteRange/[33000001,33500000]-Config-firewood-Runner-avago-runner-i4i-2xlarge-local-ssd";
    expect(parsed.value.map((b) => [b.name, b.bigger_is_better])).toEqual([
      [`${name} - mgas/s`, true],
      [`${name} - ms/ggas`, false],
      [`${name} - block_parse_ms/ggas`, false],
      [`${name} - block_verify_ms/ggas`, false],
      [`${name} - block_accept_ms/ggas`, false],
    ]);
    const last = history.entries["C-Chain Reexecution with Firewood"].at(-1)!;
    expect(parsed.value.map((b) => ({ name: b.name, value: b.value, unit: b.unit }))).toEqual(last.benches);
  });

  it("reads a document with CRLF line endings and a byte-order mark", () => {
    const parsed = parseCustom(`\uFEFF${bigger.replace(/\n/g, "\r\n")}`, "customBiggerIsBetter");
    expect(parsed.ok && parsed.value.length).toBe(2);
  });

  it("names the field of each malformed result", () => {
    const doc = JSON.stringify([
      { name: "ok", unit: "ns", value: 1 },
      { name: "no value", unit: "ns" },
      { name: "text", unit: "ns", value: "12" },
      { name: "", unit: "ns", value: 1 },
      { name: "x".repeat(301), unit: "ns", value: 1 },
      { name: "range", unit: "ns", value: 1, range: 5 },
      "not an object",
    ]);
    expect(issuesOf(doc)).toEqual([
      { field: "[1].value", message: "is required" },
      { field: "[2].value", message: "must be a number" },
      { field: "[3].name", message: "must not be empty" },
      { field: "[4].name", message: "must be at most 300 characters" },
      { field: "[5].range", message: "must be a string" },
      { field: "[6]", message: "must be an object with name, unit and value" },
    ]);
  });

  it("refuses a value JSON cannot hold as a finite number", () => {
    expect(issuesOf('[{"name": "huge", "unit": "ns", "value": 1e999}]')).toEqual([
      { field: "[0].value", message: "must be a finite number" },
    ]);
  });

  it("refuses a name given twice, naming both results", () => {
    const doc = JSON.stringify([
      { name: "a", unit: "ns", value: 1 },
      { name: "a", unit: "ns", value: 2 },
    ]);
    expect(issuesOf(doc)).toEqual([{ field: "[1]", message: 'gives "a" again ([0] gave it)' }]);
  });

  it("refuses what is not an array of results", () => {
    expect(issuesOf("")).toEqual([{ field: "(body)", message: "is empty; expected a JSON document" }]);
    expect(issuesOf("{oops")[0].message).toMatch(/^is not valid JSON/);
    expect(issuesOf('{"name": "a"}')).toEqual([{ field: "(body)", message: "must be a JSON array of results" }]);
    expect(issuesOf("[]")).toEqual([
      { field: "(body)", message: 'holds no result: expected [{"name", "unit", "value"}, …]' },
    ]);
  });

  it("refuses more results than a document may hold, and a document too large", () => {
    const many = JSON.stringify(Array.from({ length: 2001 }, (_, i) => ({ name: `b${i}`, unit: "ns", value: i })));
    expect(issuesOf(many)).toEqual([{ field: "(body)", message: "must hold at most 2000 results" }]);
    expect(issuesOf(" ".repeat(16 * 1024 * 1024 + 1))).toEqual([
      { field: "(body)", message: "is larger than the 16777216 characters a document may be" },
    ]);
  });
});
