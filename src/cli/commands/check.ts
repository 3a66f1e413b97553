/** `chimney check`: a metrics file against a baseline, as a table or the benchmark's own report. */
import { fixed2 } from "../../core/pyformat.ts";
import { DEFAULTS, evaluateFile } from "../benchmark.ts";
import { options, suiteOption } from "../io.ts";

export const help = `Usage: chimney check [--metrics smoke-metrics.json] [--baseline PATH] [--json]
                     [--suite smoke|pruning] [--variant standard-bf16]

Evaluates the metrics against --baseline, else $FIREWOOD_SMOKE_BASELINE
($FIREWOOD_PRUNING_BASELINE for pruning), else the bundled baselines/smoke.json
(baselines/pruning.json). Prints a table, or with --json the report in the shape the benchmark
embeds in its metrics file. Exits 1 when any metric is out of range. For pruning, the profile is
--variant, else the file's <backend>-bf<branch factor>.`;

export async function check(args: string[]): Promise<number> {
  const { values } = options(args, {
    suite: { type: "string" },
    variant: { type: "string" },
    metrics: { type: "string" },
    baseline: { type: "string" },
    json: { type: "boolean", default: false },
  });
  const suite = suiteOption(values.suite);
  const evaluation = await evaluateFile(
    suite,
    values.metrics ?? DEFAULTS[suite].metrics,
    values.baseline,
    values.variant,
  );
  if (values.json) {
    console.log(JSON.stringify(evaluation.report, null, 2));
  } else {
    const bound = (x: number | null) => (x === null ? "-" : fixed2(x));
    const table = [
      ["metric", "actual", "lower", "upper", "result"],
      ...evaluation.entries.map(({ label, comparison: c }) => [
        label,
        fixed2(c.actual),
        bound(c.lower),
        bound(c.upper),
        c.within_range ? "ok" : "OUT OF RANGE",
      ]),
    ];
    const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
    for (const row of table)
      console.log(
        row
          .map((cell, i) => (i === 0 || i === 4 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
          .join("  ")
          .trimEnd(),
      );
    console.log(
      `baseline: ${evaluation.source.type === "File" ? evaluation.source.path : `bundled baselines/${suite}.json`}`,
    );
  }
  return evaluation.entries.every((e) => e.comparison.within_range) ? 0 : 1;
}
