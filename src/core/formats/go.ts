/**
 * Go `testing` benchmark output (`go test -bench`), as the Go benchmark data format describes it
 * (https://go.googlesource.com/proposal/+/master/design/14313-benchmark-format.md): a result line is
 * `<name> <iterations> <value> <unit> [<value> <unit>…]`, fields split at runs of spaces; `pkg:`
 * lines say which package the results below belong to. The format is a few rules, read by hand.
 *
 * Series names, stable from night to night:
 * - every unit makes a series `<name> - <unit>`, the first (`ns/op`) too, as Firewood's
 *   re-execution history names them (`BenchmarkReexecuteRange/[…]-Runner-… - mgas/s`);
 * - `<name>` drops the `-N` GOMAXPROCS suffix (kept as `N procs` in extra), unless the same
 *   benchmark ran at several GOMAXPROCS (`-cpu 1,4`): then each keeps its suffix;
 * - a name found in several packages is followed by its package: `BenchmarkX (example.com/p)`,
 *   as github-action-benchmark does;
 * - repeated runs of one benchmark (`-count 5`) make one value, their median.
 */
import { biggerIsBetter } from "../series.ts";
import { median } from "../stats.ts";
import type { FieldIssue, Parsed } from "../validation.ts";
import { collect, documentLines, lineField, quoted, type Bench, type Found } from "./bench.ts";

interface Run {
  line: number;
  pkg: string;
  /** The name as printed, with its GOMAXPROCS suffix. */
  printed: string;
  base: string;
  procs: number | null;
  iterations: number;
  metrics: { value: number; unit: string }[];
}

/** `Benchmark` and then no lowercase letter: Go's rule for a benchmark function's name. */
const BENCHMARK = /^Benchmark(?!\p{Ll})/u;
const PROCS = /^(.+)-(\d+)$/;
const HEADER = /^(goos|goarch|pkg|cpu):\s/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Whether a line is one only Go's output has: a header (`goos: linux`) or a result. */
export function isGoLine(line: string): boolean {
  return HEADER.test(line) || (BENCHMARK.test(line) && /^\S+\s+\d+\s+\S+\s+\S/.test(line));
}

export function parseGo(input: string): Parsed<Bench[]> {
  const lines = documentLines(input);
  if (!lines.ok) return lines;
  const runs: Run[] = [];
  const issues: FieldIssue[] = [];
  let pkg = "";
  lines.value.forEach((text, line) => {
    const header = /^pkg:\s*(\S+)/.exec(text);
    if (header) pkg = header[1];
    if (!BENCHMARK.test(text)) return;
    const read = readResult(text.trim().split(/\s+/));
    if (read === null) return;
    if (typeof read === "string") issues.push({ field: lineField(line), message: read });
    else runs.push({ line, pkg, ...read });
  });
  return collect(benchesOf(runs), issues, "expected lines like BenchmarkName-8  <iterations>  <value> <unit> …");
}

/**
 * A result line's fields as a run; null for a line that is no result (the name alone, printed
 * with -v, or followed by `--- FAIL:`); a string saying what is wrong with a malformed one.
 */
function readResult(fields: string[]): Omit<Run, "line" | "pkg"> | string | null {
  const [printed, iterations, ...pairs] = fields;
  if (fields.length === 1 || iterations === "---") return null;
  if (!/^\d+$/.test(iterations) || !Number.isSafeInteger(Number(iterations)))
    return `has ${quoted(iterations)} where the iteration count goes`;
  if (pairs.length === 0)
    return `starts like a benchmark result but has no "<value> <unit>" after ${quoted(iterations)}`;
  if (pairs.length % 2 === 1) return `has a value without its unit (${quoted(pairs.at(-1) ?? "")})`;
  const metrics: Run["metrics"] = [];
  for (let i = 0; i < pairs.length; i += 2) {
    const [value, unit] = [pairs[i], pairs[i + 1]];
    if (!NUMBER.test(value) || !Number.isFinite(Number(value)))
      return `has ${quoted(value)} where the value in ${unit} goes`;
    if (metrics.some((m) => m.unit === unit)) return `gives ${quoted(unit)} twice`;
    metrics.push({ value: Number(value), unit });
  }
  const procs = PROCS.exec(printed);
  return {
    printed,
    base: procs ? procs[1] : printed,
    procs: procs ? Number(procs[2]) : null,
    iterations: Number(iterations),
    metrics,
  };
}

/** The series of the runs, in the order they first appear. */
function benchesOf(runs: readonly Run[]): Found[] {
  const procsOf = groupBy(
    runs,
    (r) => `${r.pkg}\n${r.base}`,
    (r) => r.procs,
  );
  const nameOf = (r: Run) => ((procsOf.get(`${r.pkg}\n${r.base}`)?.size ?? 0) > 1 ? r.printed : r.base);
  const packagesOf = groupBy(runs, nameOf, (r) => r.pkg);
  const seriesName = (r: Run) =>
    (packagesOf.get(nameOf(r))?.size ?? 0) > 1 ? `${nameOf(r)} (${r.pkg || "no package"})` : nameOf(r);

  const byName = new Map<string, Run[]>();
  for (const run of runs) {
    const same = byName.get(seriesName(run));
    if (same) same.push(run);
    else byName.set(seriesName(run), [run]);
  }
  return [...byName].flatMap(([name, same]) => {
    const units = [...new Set(same.flatMap((r) => r.metrics.map((m) => m.unit)))];
    return units.map((unit) => {
      const measured = same.filter((r) => r.metrics.some((m) => m.unit === unit));
      const values = measured.map((r) => r.metrics.find((m) => m.unit === unit)?.value ?? Number.NaN);
      return {
        at: lineField(measured[0].line),
        bench: {
          name: `${name} - ${unit}`,
          unit,
          value: median(values),
          bigger_is_better: biggerIsBetter("go", unit),
          range: null,
          extra: extraOf(measured, values),
        },
      };
    });
  });
}

/** github-action-benchmark's extra (`5000000 times\n8 procs`), or how many runs made the median. */
function extraOf(runs: readonly Run[], values: readonly number[]): string {
  const count =
    runs.length === 1
      ? `${runs[0].iterations} times`
      : `${runs.length} runs (min ${Math.min(...values)}, max ${Math.max(...values)})`;
  return runs[0].procs === null ? count : `${count}\n${runs[0].procs} procs`;
}

function groupBy<T, V>(items: readonly T[], key: (item: T) => string, value: (item: T) => V): Map<string, Set<V>> {
  const groups = new Map<string, Set<V>>();
  for (const item of items) groups.set(key(item), (groups.get(key(item)) ?? new Set<V>()).add(value(item)));
  return groups;
}
