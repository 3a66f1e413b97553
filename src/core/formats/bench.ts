/**
 * One result of one benchmark, as every format's parser gives it: github-action-benchmark's
 * bench (`{name, value, unit, range?, extra?}`, see series.ts) with the direction made explicit.
 */
import { invalid, ok, parseJson, type FieldIssue, type Parsed } from "../validation.ts";

export interface Bench {
  /** The series' name: unique within a document. */
  name: string;
  unit: string;
  value: number;
  bigger_is_better: boolean;
  /** The spread as the tool gave it (`± 755`), if it gave one. */
  range: string | null;
  /** Anything else worth showing beside the value (iterations, GOMAXPROCS…). */
  extra: string | null;
}

/** A document's limits: Firewood's outputs hold tens of series, and 16 MiB holds a long Go log. */
export const LIMITS = { input: 16 * 1024 * 1024, series: 2_000, name: 300, unit: 100, text: 1_000, issues: 20 };

/** A bench and where in its document it came from (`line 12`, `[3]`, a file's path), to name it in an issue. */
export interface Found {
  bench: Bench;
  at: string;
}

/** The text of a document, within the size limit, without a UTF-8 byte-order mark. */
export function documentText(input: string): Parsed<string> {
  if (input.length > LIMITS.input)
    return invalid({ field: "(body)", message: `is larger than the ${LIMITS.input} characters a document may be` });
  return ok(input.replace(/^\uFEFF/, ""));
}

/** The lines of a document, with LF or CRLF endings. */
export function documentLines(input: string): Parsed<string[]> {
  const text = documentText(input);
  return text.ok ? ok(text.value.split(/\r?\n/)) : text;
}

/** The JSON of a document, within the size limit. */
export function documentJson(input: string): Parsed<unknown> {
  const text = documentText(input);
  return text.ok ? parseJson(text.value) : text;
}

/** A piece of a malformed line, quoted for an issue: escaped, and cut after 40 characters. */
export function quoted(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/** The field naming line `index` (0-based) of a document. */
export const lineField = (index: number) => `line ${index + 1}`;

/**
 * The benches of a document, or every issue with it: the parser's own, then the limits, a name
 * given twice, and a document without a single result (`none` says what one looks like).
 */
export function collect(found: readonly Found[], parseIssues: readonly FieldIssue[], none: string): Parsed<Bench[]> {
  const issues = [...parseIssues];
  const seen = new Map<string, string>();
  for (const { bench, at } of found) {
    const problem = problemWith(bench);
    if (problem) issues.push({ field: at, message: problem });
    const earlier = seen.get(bench.name);
    if (earlier !== undefined)
      issues.push({ field: at, message: `gives ${JSON.stringify(bench.name)} again (${earlier} gave it)` });
    else seen.set(bench.name, at);
  }
  if (found.length > LIMITS.series)
    issues.push({ field: "(body)", message: `holds ${found.length} results, more than the ${LIMITS.series} allowed` });
  if (found.length === 0 && issues.length === 0) issues.push({ field: "(body)", message: `holds no result: ${none}` });
  if (issues.length === 0) return ok(found.map((f) => f.bench));
  const listed = issues.slice(0, LIMITS.issues);
  if (issues.length > listed.length)
    listed.push({ field: "(body)", message: `has ${issues.length - listed.length} more problems like these` });
  return invalid(...listed);
}

function problemWith(bench: Bench): string | null {
  if (bench.name.trim() === "") return "has an empty name";
  if (bench.name.length > LIMITS.name) return `has a name longer than ${LIMITS.name} characters`;
  if (bench.unit.trim() === "") return "has an empty unit";
  if (bench.unit.length > LIMITS.unit) return `has a unit longer than ${LIMITS.unit} characters`;
  if (!Number.isFinite(bench.value)) return `has the value ${bench.value}, not a finite number`;
  return null;
}

/** A number as a reader would write it: six significant digits, but every digit before the point. */
export function shortNumber(value: number): string {
  const whole = Math.abs(value) >= 1 ? Math.floor(Math.log10(Math.abs(value))) + 1 : 0;
  return String(Number(whole > 0 ? value.toFixed(Math.max(0, 6 - whole)) : value.toPrecision(6)));
}
