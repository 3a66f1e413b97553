/**
 * Criterion.rs's own files (`target/criterion`, e.g. the entries of Firewood's `benchmark-results`
 * artifact): each benchmark is a directory whose `new/estimates.json` holds the estimates of its
 * last run in nanoseconds, beside `new/benchmark.json` with its id. `base/` (a saved baseline),
 * `change/` (relative changes) and `report/` (HTML) hold no `new/estimates.json`, so only the
 * last run is read.
 *
 * The value is the median, not Criterion's headline estimate (the slope, or the mean when the
 * sampling is flat: `Estimates::typical` in src/estimate.rs): its `--output-format bencher` line
 * prints the median and the standard deviation (`BencherReport` in src/report.rs), and that is what
 * Firewood publishes with github-action-benchmark's `cargo` tool. So a benchmark read from these
 * files is the series its bencher line makes: the same name (`full_id`), unit (`ns/iter`) and value.
 */
import * as v from "valibot";
import { invalid, jsonObject, parseJson, parseWith, type FieldIssue, type Parsed } from "../validation.ts";
import { collect, LIMITS, shortNumber, type Bench, type Found } from "./bench.ts";

/** Files by their path: text, or bytes as an artifact's zip gives them. */
export type FileSet = Readonly<Record<string, string | Uint8Array>>;

/** Criterion's files are a few kilobytes; a benchmark's samples (sample.json) are not read. */
const MAX_FILE_BYTES = 1024 * 1024;
const ESTIMATES = /(^|\/)new\/estimates\.json$/;

const finite = v.pipe(v.number("must be a number"), v.finite("must be a finite number"));
const Estimate = jsonObject({ point_estimate: finite }, "must be an estimate with a point_estimate");
const EstimatesSchema = jsonObject(
  { mean: Estimate, median: Estimate, slope: v.nullish(Estimate), std_dev: Estimate },
  "must be Criterion's estimates: mean, median, slope and std_dev",
);
const BenchmarkSchema = jsonObject(
  {
    full_id: v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty")),
    throughput: v.nullish(v.record(v.string(), finite, 'must be an object such as {"Elements": 1000}')),
  },
  "must be Criterion's benchmark id with its full_id",
);

const THROUGHPUT: Record<string, string> = {
  Bytes: "bytes",
  BytesDecimal: "bytes",
  Elements: "elements",
  Bits: "bits",
};

/** Whether the files hold a benchmark's `new/estimates.json`. */
export function isCriterionTree(files: FileSet): boolean {
  return Object.keys(files).some((path) => ESTIMATES.test(slashed(path)));
}

export function parseCriterion(files: FileSet): Parsed<Bench[]> {
  const byPath = new Map(Object.entries(files).map(([path, content]) => [slashed(path), content]));
  const paths = [...byPath.keys()].filter((p) => ESTIMATES.test(p)).sort();
  if (paths.length > LIMITS.series)
    return invalid({
      field: "(body)",
      message: `holds ${paths.length} benchmarks, more than the ${LIMITS.series} allowed`,
    });
  const found: Found[] = [];
  const issues: FieldIssue[] = [];
  for (const path of paths) {
    const dir = path.slice(0, -"new/estimates.json".length);
    const estimates = readJson(path, byPath.get(path) ?? "", EstimatesSchema);
    const benchmarkPath = `${dir}new/benchmark.json`;
    const benchmark = byPath.has(benchmarkPath)
      ? readJson(benchmarkPath, byPath.get(benchmarkPath) ?? "", BenchmarkSchema)
      : null;
    for (const read of [estimates, benchmark]) if (read && !read.ok) issues.push(...read.issues);
    if (!estimates.ok || (benchmark && !benchmark.ok)) continue;
    const { mean, median, slope, std_dev } = estimates.value;
    const throughput = Object.entries(benchmark?.value.throughput ?? {}).map(
      ([kind, n]) => `throughput ${n} ${THROUGHPUT[kind] ?? kind} per iteration`,
    );
    found.push({
      at: path,
      bench: {
        name: benchmark?.value.full_id ?? nameOfDirectory(dir),
        unit: "ns/iter",
        value: median.point_estimate,
        bigger_is_better: false,
        range: `± ${shortNumber(std_dev.point_estimate)}`,
        extra: [
          `mean ${shortNumber(mean.point_estimate)} ns`,
          ...(slope ? [`slope ${shortNumber(slope.point_estimate)} ns`] : []),
          ...throughput,
        ].join("\n"),
      },
    });
  }
  found.sort((a, b) => (a.bench.name < b.bench.name ? -1 : a.bench.name > b.bench.name ? 1 : 0));
  return collect(found, issues, "expected Criterion's <benchmark>/new/estimates.json files");
}

/** A path with `/` between its parts, as zips have them, also when it was written on Windows. */
function slashed(path: string): string {
  return path.replaceAll("\\", "/");
}

/** A benchmark's directory without the tree it is in: `target/criterion/insert/1000/` is `insert/1000`. */
function nameOfDirectory(dir: string): string {
  return dir.replace(/^(.*?\/)?criterion\//, "").replace(/\/$/, "");
}

function readJson<S extends v.GenericSchema>(
  path: string,
  content: string | Uint8Array,
  schema: S,
): Parsed<v.InferOutput<S>> {
  const size = typeof content === "string" ? content.length : content.byteLength;
  if (size > MAX_FILE_BYTES)
    return invalid({ field: path, message: `is larger than the ${MAX_FILE_BYTES} bytes a Criterion file may be` });
  const text = textOf(content);
  if (text === null) return invalid({ field: path, message: "is not UTF-8 text" });
  const json = parseJson(text, path);
  if (!json.ok) return json;
  const parsed = parseWith(schema, json.value);
  if (parsed.ok) return parsed;
  return invalid(
    ...parsed.issues.map((i) => ({ field: i.field === "(body)" ? path : `${path}: ${i.field}`, message: i.message })),
  );
}

function textOf(content: string | Uint8Array): string | null {
  if (typeof content === "string") return content;
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(content);
  } catch {
    return null;
  }
}
