/**
 * The `chimney` command for runners and maintainers (Node ≥ 20 and Deno), built on src/core.
 */
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import bundledBaseline from "../../baselines/smoke.json" with { type: "json" };
import { evaluate, parseBaseline, SMOKE_METRICS, type Baseline, type BaselineSource } from "../core/baseline.ts";
import { actualsOf, measure, parseSmokeMetrics, type SmokeMetrics } from "../core/metrics.ts";
import { fixed2 } from "../core/pyformat.ts";
import { failureAnnotations, renderSummaryHtml, renderSummaryJson, renderSummaryMarkdown } from "../core/summary.ts";
import { parseJson, type Parsed } from "../core/validation.ts";

/** A user error: printed as one line, no stack. */
class UsageError extends Error {}

const HELP = `chimney — Firewood's smoke benchmark, checked and summarized

Usage: chimney <command> [options]

Commands:
  summarize   write smoke-summary.md, .json and .html exactly as Firewood's summarizer does
  check       evaluate smoke-metrics.json against a baseline

Run chimney <command> --help for its options.`;

const COMMANDS: Record<string, { help: string; run: (args: string[]) => Promise<number> }> = {
  summarize: {
    help: `Usage: chimney summarize [--metrics smoke-metrics.json] [--summary-md smoke-summary.md]
                         [--summary-json smoke-summary.json] [--summary-html smoke-summary.html]

Reads the baseline report the benchmark embedded in the metrics file and writes the three
summaries. Prints one ::error annotation per metric out of range and exits 1; warns when the
file has no report.`,
    run: summarize,
  },
  check: {
    help: `Usage: chimney check [--metrics smoke-metrics.json] [--baseline PATH] [--json]

Evaluates the metrics against --baseline, else $FIREWOOD_SMOKE_BASELINE, else the bundled
baselines/smoke.json. Prints a table (or, with --json, the report in the shape the benchmark
embeds) and exits 1 when any metric is out of range.`,
    run: check,
  },
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    console.log(HELP);
    return command ? 0 : 2;
  }
  const entry = COMMANDS[command];
  if (!entry) throw new UsageError(`unknown command ${JSON.stringify(command)}; run chimney --help`);
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(entry.help);
    return 0;
  }
  return entry.run(rest);
}

function options<T extends Record<string, { type: "string" | "boolean"; default?: string | boolean }>>(args: string[], spec: T) {
  try {
    return parseArgs({ args, options: spec, allowPositionals: false, strict: true }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: ${code === "ENOENT" ? "no such file" : `cannot be read (${code ?? "error"})`}`);
  }
}

function orFail<T>(path: string, parsed: Parsed<T>): T {
  if (parsed.ok) return parsed.value;
  const [first] = parsed.issues;
  throw new UsageError(`${path}: ${first.field}: ${first.message}`);
}

async function readMetrics(path: string): Promise<SmokeMetrics> {
  const json = orFail(path, parseJson(await readText(path)));
  return orFail(path, parseSmokeMetrics(json));
}

async function summarize(args: string[]): Promise<number> {
  const o = options(args, {
    metrics: { type: "string", default: "smoke-metrics.json" },
    "summary-md": { type: "string", default: "smoke-summary.md" },
    "summary-json": { type: "string", default: "smoke-summary.json" },
    "summary-html": { type: "string", default: "smoke-summary.html" },
  });
  const metrics = await readMetrics(o.metrics!);
  const m = measure(metrics);
  const report = metrics.baseline;
  await writeFile(o["summary-md"]!, renderSummaryMarkdown(m, report));
  await writeFile(o["summary-json"]!, renderSummaryJson(m, report));
  await writeFile(o["summary-html"]!, renderSummaryHtml(m, report));
  const failures = failureAnnotations(report);
  if (failures.length > 0) {
    for (const line of failures) console.error(line);
    return 1;
  }
  if (!report) {
    // The same warnings, in the same order, as Firewood's summarizer.
    for (const { key } of SMOKE_METRICS) console.error(`::warning ::Baseline entry '${key}' missing from smoke-metrics.json`);
    console.error("::warning ::No baseline metrics were evaluated");
  }
  return 0;
}

async function check(args: string[]): Promise<number> {
  const o = options(args, {
    metrics: { type: "string", default: "smoke-metrics.json" },
    baseline: { type: "string" },
    json: { type: "boolean", default: false },
  });
  const metrics = await readMetrics(o.metrics!);
  const path = o.baseline ?? process.env.FIREWOOD_SMOKE_BASELINE;
  let baseline: Baseline;
  let source: BaselineSource;
  if (path) {
    baseline = orFail(path, parseBaseline(orFail(path, parseJson(await readText(path)))));
    source = { type: "File", path };
  } else {
    baseline = orFail("baselines/smoke.json", parseBaseline(bundledBaseline));
    source = { type: "Embedded" };
  }
  const report = evaluate(actualsOf(measure(metrics)), baseline, source);
  if (o.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    const rows = SMOKE_METRICS.map(({ key, label }) => {
      const c = report[key];
      return [label, fixed2(c.actual), c.lower === null ? "-" : fixed2(c.lower), c.upper === null ? "-" : fixed2(c.upper), c.within_range ? "ok" : "OUT OF RANGE"];
    });
    const table = [["metric", "actual", "lower", "upper", "result"], ...rows];
    const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
    for (const row of table) console.log(row.map((cell, i) => (i === 0 || i === 4 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ").trimEnd());
    console.log(`baseline: ${source.type === "File" ? source.path : "bundled baselines/smoke.json"}`);
  }
  return SMOKE_METRICS.every(({ key }) => report[key].within_range) ? 0 : 1;
}

export async function run(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`chimney: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
