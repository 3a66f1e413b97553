/**
 * Bencher Metric Format (https://bencher.dev/docs/reference/bencher-metric-format):
 * `{"<benchmark>": {"<measure>": {"value", "lower_value"?, "upper_value"?}}}`. Each benchmark and
 * measure is a series `<benchmark> - <measure>`. The measures every Bencher project has are
 * `latency` (ns, smaller is better) and `throughput` (ops/s, bigger); any other measure is
 * bigger-is-better when a word of its name says it is a rate (`throughput`, `ops`, `rate`:
 * `ops_per_sec`, `insert-rate`), and smaller otherwise (times, sizes, counts), its unit its name.
 */
import * as v from "valibot";
import { jsonObject, parseWith, type Parsed } from "../validation.ts";
import { collect, documentJson, type Bench, type Found } from "./bench.ts";

const UNITS: Record<string, string> = { latency: "ns", throughput: "ops/s" };
const RATE = /(^|[^a-z])(throughput|ops|rate)([^a-z]|$)/i;

const finite = v.pipe(v.number("must be a number"), v.finite("must be a finite number"));
const isObject = (input: unknown) => typeof input === "object" && input !== null && !Array.isArray(input);

const BmfSchema = v.pipe(
  v.custom<Record<string, unknown>>(isObject, "must be an object of benchmarks"),
  v.record(
    v.string(),
    v.pipe(
      v.custom<Record<string, unknown>>(isObject, "must be an object of measures"),
      v.record(
        v.string(),
        jsonObject(
          { value: finite, lower_value: v.optional(finite), upper_value: v.optional(finite) },
          "must be a metric: an object with a value",
        ),
      ),
      v.check((measures) => Object.keys(measures).length > 0, "must hold at least one measure"),
    ),
  ),
);

export function parseBmf(input: string): Parsed<Bench[]> {
  const json = documentJson(input);
  if (!json.ok) return json;
  const document = parseWith(BmfSchema, json.value);
  if (!document.ok) return document;
  const found: Found[] = Object.entries(document.value).flatMap(([benchmark, measures]) =>
    Object.entries(measures).map(([measure, metric]) => ({
      at: `${benchmark}.${measure}`,
      bench: {
        name: `${benchmark} - ${measure}`,
        unit: UNITS[measure] ?? measure,
        value: metric.value,
        bigger_is_better: measure !== "latency" && RATE.test(measure),
        range: rangeOf(metric.lower_value, metric.upper_value),
        extra: null,
      },
    })),
  );
  return collect(found, [], 'expected {"<benchmark>": {"<measure>": {"value": …}}}');
}

function rangeOf(lower: number | undefined, upper: number | undefined): string | null {
  if (lower !== undefined && upper !== undefined) return `${lower} – ${upper}`;
  if (lower !== undefined) return `≥ ${lower}`;
  if (upper !== undefined) return `≤ ${upper}`;
  return null;
}
