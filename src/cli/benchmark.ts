/**
 * The benchmark a command works on: smoke (the default) or pruning, read from its metrics file
 * and evaluated against its baseline, all through src/core.
 */
import bundledPruning from "../../baselines/pruning.json" with { type: "json" };
import bundledSmoke from "../../baselines/smoke.json" with { type: "json" };
import { evaluate, parseBaseline, SMOKE_METRICS, type BaselineSource, type Comparison } from "../core/baseline.ts";
import { actualsOf, measure, parseSmokeMetrics } from "../core/metrics.ts";
import {
  evaluatePruning,
  parsePruningBaseline,
  parsePruningMetrics,
  pruningSummary,
  PRUNING_METRICS,
  variantOf,
} from "../core/pruning.ts";
import { smokeSummary, type Summary } from "../core/summary.ts";
import { orFail, readJsonFile, UsageError } from "./io.ts";

export type Suite = "smoke" | "pruning";

export const DEFAULTS = {
  smoke: {
    metrics: "smoke-metrics.json",
    summary: "smoke-summary",
    baselineEnv: "FIREWOOD_SMOKE_BASELINE",
    metricKeys: SMOKE_METRICS,
  },
  pruning: {
    metrics: "pruning-metrics.json",
    summary: "pruning-summary",
    baselineEnv: "FIREWOOD_PRUNING_BASELINE",
    metricKeys: PRUNING_METRICS,
  },
} as const;

/** A metrics file with the report the runner embedded in it. */
export async function embeddedSummary(suite: Suite, path: string, variant: string | undefined): Promise<Summary> {
  if (suite === "smoke") {
    const metrics = await readJsonFile(path, parseSmokeMetrics);
    return smokeSummary(measure(metrics), metrics.baseline);
  }
  const metrics = await readJsonFile(path, parsePruningMetrics);
  checkVariant(path, variant, variantOf(metrics));
  return pruningSummary(metrics, metrics.baseline);
}

export interface Evaluation {
  report: Record<string, unknown> & { source: BaselineSource };
  entries: { key: string; label: string; comparison: Comparison }[];
  source: BaselineSource;
}

/** A metrics file evaluated against `baselinePath`, else the suite's environment variable, else the bundled baseline. */
export async function evaluateFile(
  suite: Suite,
  metricsPath: string,
  baselinePath: string | undefined,
  variant: string | undefined,
): Promise<Evaluation> {
  const path = baselinePath ?? process.env[DEFAULTS[suite].baselineEnv];
  const source: BaselineSource = path ? { type: "File", path } : { type: "Embedded" };
  if (suite === "smoke") {
    const metrics = await readJsonFile(metricsPath, parseSmokeMetrics);
    const baseline = path
      ? await readJsonFile(path, parseBaseline)
      : orFail("baselines/smoke.json", parseBaseline(bundledSmoke));
    const report = evaluate(actualsOf(measure(metrics)), baseline, source);
    return {
      report: { ...report },
      entries: SMOKE_METRICS.map(({ key, label }) => ({ key, label, comparison: report[key] })),
      source,
    };
  }
  const metrics = await readJsonFile(metricsPath, parsePruningMetrics);
  const profile = variant ?? variantOf(metrics);
  checkVariant(metricsPath, variant, variantOf(metrics));
  const profiles = path
    ? await readJsonFile(path, parsePruningBaseline)
    : orFail("baselines/pruning.json", parsePruningBaseline(bundledPruning));
  const ranges = profiles[profile];
  if (!ranges)
    throw new UsageError(
      `${path ?? "baselines/pruning.json"}: no pruning baseline named ${profile} (it has ${Object.keys(profiles).join(", ")})`,
    );
  const report = evaluatePruning(metrics, profile, ranges, source);
  return {
    report: { ...report },
    entries: PRUNING_METRICS.map(({ key, label }) => ({ key, label, comparison: report[key] })),
    source,
  };
}

function checkVariant(path: string, asked: string | undefined, actual: string): void {
  if (asked !== undefined && asked !== actual)
    throw new UsageError(`${path}: backend and branch_factor make it ${actual}, not --variant ${asked}`);
}
