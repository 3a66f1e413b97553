/**
 * The result formats a suite's benchmark may report in (FORMATS.md §10), one parser per module,
 * each giving the same Bench list. `parseResults` is the one entry; `detectFormat` tells a
 * document's format by its shape, for a suite configured with `format: "auto"`.
 */
import { invalid, type Parsed } from "../validation.ts";
import type { Bench } from "./bench.ts";
import { parseBmf } from "./bmf.ts";
import { isBenchLine, parseCargo } from "./cargo.ts";
import { isCriterionTree, parseCriterion, type FileSet } from "./criterion.ts";
import { parseCustom } from "./custom.ts";
import { isGoLine, parseGo } from "./go.ts";
import { parsePruning } from "./pruning.ts";

export type { Bench } from "./bench.ts";
export type { FileSet } from "./criterion.ts";

/** The formats by the names github-action-benchmark gives its tools, two of chimney's, and Firewood's pruning metrics. */
export const FORMATS = [
  "customBiggerIsBetter",
  "customSmallerIsBetter",
  "go",
  "cargo",
  "criterion",
  "bmf",
  "pruning",
] as const;
export type Format = (typeof FORMATS)[number];

/**
 * What a document's shape tells of its format: custom JSON does not tell which way is better,
 * and a pruning-metrics document is read only by a suite that names its format.
 */
export type Shape = "custom" | Exclude<Format, "customBiggerIsBetter" | "customSmallerIsBetter" | "pruning">;

/** One document's text, or a set of files (Criterion's). */
export type ResultsInput = string | FileSet;

export function parseResults(format: Format | "auto", input: ResultsInput): Parsed<Bench[]> {
  if (format === "auto") return parseDetected(input);
  if (format === "criterion")
    return typeof input === "string"
      ? invalid({ field: "(body)", message: "must be Criterion's files (target/criterion), not one document" })
      : parseCriterion(input);
  if (typeof input !== "string")
    return invalid({ field: "(body)", message: `must be one ${format} document, not a set of files` });
  switch (format) {
    case "go":
      return parseGo(input);
    case "cargo":
      return parseCargo(input);
    case "bmf":
      return parseBmf(input);
    case "pruning":
      return parsePruning(input);
    case "customBiggerIsBetter":
    case "customSmallerIsBetter":
      return parseCustom(input, format);
    default:
      // A format named in a configuration is a string until someone checks it.
      return invalid({ field: "format", message: `must be auto or one of ${FORMATS.join(", ")}` });
  }
}

function parseDetected(input: ResultsInput): Parsed<Bench[]> {
  const shape = detectFormat(input);
  if (shape === null)
    return invalid({
      field: "(body)",
      message: "is none of the result formats chimney reads (custom JSON, Go, cargo bench, Criterion's files, BMF)",
    });
  if (shape === "custom")
    return invalid({
      field: "format",
      message:
        "is auto, but github-action-benchmark custom JSON does not say which way is better: use customBiggerIsBetter or customSmallerIsBetter",
    });
  return parseResults(shape, input);
}

/**
 * The format a document has by its shape, or null: a JSON array of objects with a name is custom
 * JSON, an object of objects of metrics with a value is BMF; of text, the first line only Go's
 * output or only a bench result has decides. Only the parser says whether the document is valid.
 */
export function detectFormat(input: ResultsInput): Shape | null {
  if (typeof input !== "string") return isCriterionTree(input) ? "criterion" : null;
  const text = input.replace(/^\uFEFF/, "").trimStart();
  if (/^[[{]/.test(text)) return jsonShape(text);
  for (const line of text.split(/\r?\n/)) {
    if (isGoLine(line)) return "go";
    if (isBenchLine(line)) return "cargo";
  }
  return null;
}

function jsonShape(text: string): Shape | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (Array.isArray(json)) return isObject(json[0]) && "name" in json[0] ? "custom" : null;
  if (!isObject(json)) return null;
  const [measures] = Object.values(json);
  if (!isObject(measures)) return null;
  const [metric] = Object.values(measures);
  return isObject(metric) && "value" in metric ? "bmf" : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
