/** `chimney summarize`: the three summaries, exactly as Firewood's summarizer writes them. */
import {
  failureAnnotations,
  missingReportWarnings,
  summaryHtml,
  summaryJson,
  summaryMarkdown,
} from "../../core/summary.ts";
import { DEFAULTS, embeddedSummary } from "../benchmark.ts";
import { options, suiteOption, writeText } from "../io.ts";

export const help = `Usage: chimney summarize [--metrics smoke-metrics.json] [--summary-md smoke-summary.md]
                         [--summary-json smoke-summary.json] [--summary-html smoke-summary.html]
                         [--suite smoke|pruning] [--variant standard-bf16]

Reads the baseline report the benchmark embedded in the metrics file and writes the three
summaries byte for byte as Firewood's tools/perf_smoke_summary.py does. Prints one
"::error ::" annotation per metric out of range and exits 1; warns when the file has no
report. With --suite pruning the files default to pruning-metrics.json and pruning-summary.*,
and --variant, when given, must be the file's <backend>-bf<branch factor>.`;

export async function summarize(args: string[]): Promise<number> {
  const { values } = options(args, {
    suite: { type: "string" },
    variant: { type: "string" },
    metrics: { type: "string" },
    "summary-md": { type: "string" },
    "summary-json": { type: "string" },
    "summary-html": { type: "string" },
  });
  const suite = suiteOption(values.suite);
  const names = DEFAULTS[suite];
  const summary = await embeddedSummary(suite, values.metrics ?? names.metrics, values.variant);
  await writeText(values["summary-md"] ?? `${names.summary}.md`, summaryMarkdown(summary));
  await writeText(values["summary-json"] ?? `${names.summary}.json`, summaryJson(summary));
  await writeText(values["summary-html"] ?? `${names.summary}.html`, summaryHtml(summary));
  const failures = failureAnnotations(summary);
  for (const line of failures) console.error(line);
  if (failures.length > 0) return 1;
  for (const line of missingReportWarnings(
    summary,
    names.metricKeys.map((m) => m.key),
  ))
    console.error(line);
  return 0;
}
