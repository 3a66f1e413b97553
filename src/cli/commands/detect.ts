/** `chimney detect`: change points in a series, as Apache Otava finds them. */
import { describe, detectChangePoints, DEFAULT_OPTIONS } from "../../core/changepoints/analysis.ts";
import { benchmarkDataJson, isBenchmarkData, parseBenchmarkData, seriesOf } from "../../core/series.ts";
import { parseJson } from "../../core/validation.ts";
import { options, orFail, readText, UsageError } from "../io.ts";

export const help = `Usage: chimney detect --input FILE [--bench NAME] [--window 50] [--pvalue 0.001] [--magnitude 0]

Prints the change points of a series as a JSON array of
{"index", "pvalue", "magnitude", "mean_before", "mean_after"} (index: the first point after
the change), found with E-divisive means exactly as Apache Otava computes them.
FILE is a JSON array of numbers (null for a missing one), or github-action-benchmark data
(data.js or its JSON), where --bench names the series by its bench name.`;

export async function detect(args: string[]): Promise<number> {
  const { values } = options(args, {
    input: { type: "string" },
    bench: { type: "string" },
    window: { type: "string", default: String(DEFAULT_OPTIONS.window) },
    pvalue: { type: "string", default: String(DEFAULT_OPTIONS.pvalue) },
    magnitude: { type: "string", default: String(DEFAULT_OPTIONS.magnitude) },
  });
  if (!values.input) throw new UsageError("--input FILE is required");
  const window = Number(values.window);
  const pvalue = Number(values.pvalue);
  const magnitude = Number(values.magnitude);
  if (!Number.isInteger(window) || window < 2)
    throw new UsageError("--window must be a whole number of points, at least 2");
  if (!(pvalue > 0 && pvalue <= 1)) throw new UsageError("--pvalue must be a number above 0 and at most 1");
  if (!(magnitude >= 0)) throw new UsageError("--magnitude must be a number, 0 or more");

  const series = await seriesValues(values.input, values.bench);
  const found = describe(detectChangePoints(series, { window, pvalue, magnitude }).points);
  console.log(
    JSON.stringify(
      found.map((c) => ({
        index: c.index,
        pvalue: c.pvalue,
        magnitude: c.magnitude,
        mean_before: c.mean_before,
        mean_after: c.mean_after,
      })),
    ),
  );
  return 0;
}

async function seriesValues(path: string, bench: string | undefined): Promise<(number | null)[]> {
  const source = await readText(path);
  if (isBenchmarkData(source)) {
    const series = seriesOf(orFail(path, parseBenchmarkData(orFail(path, parseJson(benchmarkDataJson(source))))));
    const names = [...new Set(series.map((s) => s.name))];
    if (!bench)
      throw new UsageError(`${path} holds github-action-benchmark data: name a series with --bench (${listed(names)})`);
    const matching = series.filter((s) => s.name === bench);
    if (matching.length === 0)
      throw new UsageError(`${path}: no bench named ${JSON.stringify(bench)} (${listed(names)})`);
    if (matching.length > 1)
      throw new UsageError(
        `${path}: the bench ${JSON.stringify(bench)} is in several suites (${matching.map((s) => JSON.stringify(s.suite)).join(", ")})`,
      );
    return matching[0].points.map((p) => p.value);
  }
  const json = orFail(path, parseJson(source));
  if (!Array.isArray(json))
    throw new UsageError(`${path}: (body): must be a JSON array of numbers or github-action-benchmark data`);
  const bad = json.findIndex((x) => x !== null && (typeof x !== "number" || !Number.isFinite(x)));
  if (bad >= 0) throw new UsageError(`${path}: [${bad}]: must be a finite number or null`);
  if (bench)
    throw new UsageError(`--bench picks a series of github-action-benchmark data; ${path} is an array of numbers`);
  return json as (number | null)[];
}

function listed(names: string[]): string {
  const shown = names
    .slice(0, 5)
    .map((n) => JSON.stringify(n))
    .join(", ");
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}
