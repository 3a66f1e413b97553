/**
 * libtest's bench output, which Criterion also writes with `--output-format bencher` (github-action-
 * benchmark's `cargo` tool): `test <name> ... bench: <value> ns/iter (+/- <deviation>)`, numbers with
 * thousands separators, libtest adding ` = <n> MB/s` when the bench sets its bytes. One line per
 * bench, read by hand. Criterion prints the median and the standard deviation there.
 */
import { biggerIsBetter } from "../series.ts";
import type { FieldIssue, Parsed } from "../validation.ts";
import { collect, documentLines, lineField, quoted, type Bench, type Found } from "./bench.ts";

const SHAPE = "test <name> ... bench: <value> ns/iter (+/- <deviation>)";
const STARTS = /^test\s.*\sbench:/;
const RESULT = /^test\s+(.+?)\s+\.\.\.\s+bench:\s+(\S+)\s+(\S+)\s+\(\+\/-\s+(\S+)\)(?:\s+=\s+(\S+)\s+MB\/s)?$/;
const GROUPED = /^(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/;

/** Whether a line starts like a bench result: `test <name> ... bench:`. */
export function isBenchLine(line: string): boolean {
  return STARTS.test(line);
}

export function parseCargo(input: string): Parsed<Bench[]> {
  const lines = documentLines(input);
  if (!lines.ok) return lines;
  const found: Found[] = [];
  const issues: FieldIssue[] = [];
  lines.value.forEach((text, line) => {
    const trimmed = text.trimEnd();
    if (!isBenchLine(trimmed)) return;
    const read = readResult(trimmed);
    if (typeof read === "string") issues.push({ field: lineField(line), message: read });
    else found.push({ at: lineField(line), bench: read });
  });
  return collect(found, issues, `expected lines like ${SHAPE}`);
}

function readResult(line: string): Bench | string {
  const match = RESULT.exec(line);
  if (!match) return `is not a result like ${SHAPE}`;
  const [, name, value, unit, deviation, throughput] = match;
  for (const [text, what] of [
    [value, "the value"],
    [deviation, "the deviation"],
    [throughput, "the throughput in MB/s"],
  ] as const) {
    if (text !== undefined && !GROUPED.test(text)) return `has ${quoted(text)} where ${what} goes`;
  }
  return {
    name,
    unit,
    value: Number(value.replaceAll(",", "")),
    bigger_is_better: biggerIsBetter("cargo", unit),
    range: `± ${deviation.replaceAll(",", "")}`,
    extra: throughput === undefined ? null : `${throughput.replaceAll(",", "")} MB/s`,
  };
}
