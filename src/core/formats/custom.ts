/**
 * github-action-benchmark's custom JSON (`tool: customBiggerIsBetter` or `customSmallerIsBetter`):
 * `[{"name", "unit", "value", "range"?, "extra"?}]`.
 */
import * as v from "valibot";
import { biggerIsBetter } from "../series.ts";
import { jsonObject, parseWith, type Parsed } from "../validation.ts";
import { collect, documentJson, LIMITS, type Bench, type Found } from "./bench.ts";

export type CustomTool = "customBiggerIsBetter" | "customSmallerIsBetter";

const text = (max: number) =>
  v.pipe(v.string("must be a string"), v.maxLength(max, `must be at most ${max} characters`));
const named = (max: number) => v.pipe(text(max), v.minLength(1, "must not be empty"));

const CustomSchema = v.pipe(
  v.array(
    jsonObject(
      {
        name: named(LIMITS.name),
        unit: named(LIMITS.unit),
        value: v.pipe(v.number("must be a number"), v.finite("must be a finite number")),
        range: v.optional(text(LIMITS.text)),
        extra: v.optional(text(LIMITS.text)),
      },
      "must be an object with name, unit and value",
    ),
    "must be a JSON array of results",
  ),
  v.maxLength(LIMITS.series, `must hold at most ${LIMITS.series} results`),
);

/**
 * The tool names the direction, except where the unit is plainly a time or a rate: the same rule
 * as imported history (series.ts), so a series has one direction however it reached chimney.
 * Firewood publishes `ms/ggas` as customBiggerIsBetter, and fewer milliseconds are better.
 */
export function parseCustom(input: string, tool: CustomTool): Parsed<Bench[]> {
  const json = documentJson(input);
  if (!json.ok) return json;
  const results = parseWith(CustomSchema, json.value);
  if (!results.ok) return results;
  const found: Found[] = results.value.map((r, i) => ({
    at: `[${i}]`,
    bench: {
      name: r.name,
      unit: r.unit,
      value: r.value,
      bigger_is_better: biggerIsBetter(tool, r.unit),
      range: r.range ?? null,
      extra: r.extra ?? null,
    },
  }));
  return collect(found, [], 'expected [{"name", "unit", "value"}, …]');
}
