import { describe, expect, it } from "vitest";
import { parseBmf } from "../../../src/core/formats/bmf.ts";
import { parseCargo } from "../../../src/core/formats/cargo.ts";
import { parseCriterion } from "../../../src/core/formats/criterion.ts";
import { parseCustom } from "../../../src/core/formats/custom.ts";
import { parseGo } from "../../../src/core/formats/go.ts";
import { detectFormat, parseResults, type Format, type ResultsInput } from "../../../src/core/formats/index.ts";
import history from "../../fixtures/firewood-bench-history.json?raw";
import bmfExample from "../../fixtures/formats/bmf-bencher-example.json?raw";
import bmfFirewood from "../../fixtures/formats/bmf-firewood.json?raw";
import cargoCriterion from "../../fixtures/formats/cargo-criterion-output.txt?raw";
import cargoFirewood from "../../fixtures/formats/cargo-firewood.txt?raw";
import cargoOutput from "../../fixtures/formats/cargo-output.txt?raw";
import customBigger from "../../fixtures/formats/custom-bigger.json?raw";
import customFirewood from "../../fixtures/formats/custom-firewood-reexecution.json?raw";
import customSmaller from "../../fixtures/formats/custom-smaller.json?raw";
import goFeatures from "../../fixtures/formats/go-features.txt?raw";
import goFiber from "../../fixtures/formats/go-fiber-packages.txt?raw";
import goOutput from "../../fixtures/formats/go-output.txt?raw";
import goReexecute from "../../fixtures/formats/go-reexecute.txt?raw";
import smokeMetrics from "../../fixtures/smoke-metrics.json?raw";
import { CRITERION } from "../../support/criterion-tree.ts";

const GOLDEN: [string, ResultsInput, ReturnType<typeof detectFormat>][] = [
  ["custom-bigger.json", customBigger, "custom"],
  ["custom-smaller.json", customSmaller, "custom"],
  ["custom-firewood-reexecution.json", customFirewood, "custom"],
  ["go-reexecute.txt", goReexecute, "go"],
  ["go-output.txt", goOutput, "go"],
  ["go-fiber-packages.txt", goFiber, "go"],
  ["go-features.txt", goFeatures, "go"],
  ["cargo-firewood.txt", cargoFirewood, "cargo"],
  ["cargo-output.txt", cargoOutput, "cargo"],
  ["cargo-criterion-output.txt", cargoCriterion, "cargo"],
  ["criterion/", CRITERION, "criterion"],
  ["bmf-bencher-example.json", bmfExample, "bmf"],
  ["bmf-firewood.json", bmfFirewood, "bmf"],
];

const NONE = "is none of the result formats chimney reads (custom JSON, Go, cargo bench, Criterion's files, BMF)";

describe("detectFormat", () => {
  it.each(GOLDEN)("recognises %s", (_, input, shape) => {
    expect(detectFormat(input)).toBe(shape);
  });

  it("recognises a document with a byte-order mark, leading blank lines and CRLF", () => {
    expect(detectFormat(`\uFEFF\r\n\r\n${goReexecute.replace(/\n/g, "\r\n")}`)).toBe("go");
    expect(detectFormat(`\uFEFF  ${customBigger}`)).toBe("custom");
  });

  it.each([
    ["smoke-metrics.json", smokeMetrics],
    ["github-action-benchmark's data", history],
    ["data.js", `window.BENCHMARK_DATA = ${history}`],
    ["Criterion's estimates.json alone", CRITERION["hash/new/estimates.json"]],
    ["an empty array", "[]"],
    ["an array of numbers", "[1, 2]"],
    ["invalid JSON", "{not json"],
    ["text", "Benchmarking Merkle/insert: Warming up for 3.0000 s\nMerkle/insert time: [2.9 µs 2.9 µs 2.9 µs]"],
    ["nothing", ""],
    ["files without new/estimates.json", { "report/index.html": "<html></html>" }],
  ] as [string, ResultsInput][])("recognises nothing in %s", (_, input) => {
    expect(detectFormat(input)).toBeNull();
  });
});

describe("parseResults", () => {
  it("gives each format's parser's answer", () => {
    expect(parseResults("customBiggerIsBetter", customBigger)).toEqual(
      parseCustom(customBigger, "customBiggerIsBetter"),
    );
    expect(parseResults("customSmallerIsBetter", customSmaller)).toEqual(
      parseCustom(customSmaller, "customSmallerIsBetter"),
    );
    expect(parseResults("go", goReexecute)).toEqual(parseGo(goReexecute));
    expect(parseResults("cargo", cargoFirewood)).toEqual(parseCargo(cargoFirewood));
    expect(parseResults("criterion", CRITERION)).toEqual(parseCriterion(CRITERION));
    expect(parseResults("bmf", bmfFirewood)).toEqual(parseBmf(bmfFirewood));
  });

  it("reads every golden but custom JSON with format auto", () => {
    for (const [name, input, shape] of GOLDEN.filter(([, , shape]) => shape !== "custom")) {
      const parsed = parseResults("auto", input);
      expect(parsed.ok, name).toBe(true);
      expect(parsed, name).toEqual(parseResults(shape as Format, input));
    }
  });

  it("asks which way is better for custom JSON with format auto", () => {
    expect(parseResults("auto", customBigger)).toEqual({
      ok: false,
      issues: [
        {
          field: "format",
          message:
            "is auto, but github-action-benchmark custom JSON does not say which way is better: use customBiggerIsBetter or customSmallerIsBetter",
        },
      ],
    });
  });

  it("refuses a document of no known format with format auto", () => {
    expect(parseResults("auto", smokeMetrics)).toEqual({ ok: false, issues: [{ field: "(body)", message: NONE }] });
    expect(parseResults("auto", {})).toEqual({ ok: false, issues: [{ field: "(body)", message: NONE }] });
  });

  it("refuses a format it does not know", () => {
    expect(parseResults("jmh" as Format, "[]")).toEqual({
      ok: false,
      issues: [
        {
          field: "format",
          message:
            "must be auto or one of customBiggerIsBetter, customSmallerIsBetter, go, cargo, criterion, bmf, pruning",
        },
      ],
    });
  });

  it("refuses a set of files for a one-document format, and one document for Criterion's files", () => {
    expect(parseResults("go", CRITERION)).toEqual({
      ok: false,
      issues: [{ field: "(body)", message: "must be one go document, not a set of files" }],
    });
    expect(parseResults("criterion", cargoFirewood)).toEqual({
      ok: false,
      issues: [{ field: "(body)", message: "must be Criterion's files (target/criterion), not one document" }],
    });
  });
});
