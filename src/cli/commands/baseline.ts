/** `chimney baseline suggest|validate`: Firewood's baseline procedure as commands. */
import bundledSmoke from "../../../baselines/smoke.json" with { type: "json" };
import {
  baselineFileText,
  parseBaseline,
  SMOKE_METRICS,
  suggestBaseline,
  type Actuals,
  type Baseline,
} from "../../core/baseline.ts";
import { RunsPageSchema } from "../../core/api.ts";
import { chimneyUrl, readAnswer, unexpected } from "../chimney-api.ts";
import { actualsOf, measure, parseSmokeMetrics } from "../../core/metrics.ts";
import { parsePruningBaseline } from "../../core/pruning.ts";
import { fixed2 } from "../../core/pyformat.ts";
import { SUGGESTED_MARGIN, SUGGESTED_RUNS, suggestionSamples } from "../../core/suggest.ts";
import { parseJson } from "../../core/validation.ts";
import { orFail, options, readJsonFile, readText, suiteOption, UsageError, writeText } from "../io.ts";

export const help = `Usage: chimney baseline suggest (--from URL | --history FILE) [--runs ${SUGGESTED_RUNS}] [--margin ${SUGGESTED_MARGIN}]
                               [--baseline baselines/smoke.json] [--write]
       chimney baseline validate [PATH] [--suite smoke|pruning]

suggest  proposes bounds at ±margin around the median throughput, total duration and batch
         p95 of the last N runs with a result (passed or regressed) on the tracked branch: from
         chimney's /runs (--from), or from FILE, a JSON array of smoke-metrics.json objects,
         oldest first (--history). Prints the proposal beside the current bounds of --baseline
         and the runs it used; --write rewrites --baseline with it. Baseline changes are then
         reviewed by the performance on-call or a Firewood maintainer, as Firewood's procedure asks.
validate checks a baseline file (default: the bundled baselines/smoke.json); errors name the field.`;

interface Sample {
  label: string;
  actuals: Actuals;
}

export async function baseline(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === "suggest") return suggest(rest);
  if (action === "validate") return validate(rest);
  throw new UsageError(
    `baseline needs suggest or validate${action ? `, not ${JSON.stringify(action)}` : ""}; run chimney baseline --help`,
  );
}

async function suggest(args: string[]): Promise<number> {
  const { values } = options(args, {
    from: { type: "string" },
    history: { type: "string" },
    runs: { type: "string", default: String(SUGGESTED_RUNS) },
    margin: { type: "string", default: String(SUGGESTED_MARGIN) },
    baseline: { type: "string", default: "baselines/smoke.json" },
    write: { type: "boolean", default: false },
  });
  if ((values.from === undefined) === (values.history === undefined))
    throw new UsageError("give exactly one of --from URL and --history FILE");
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 1000)
    throw new UsageError("--runs must be a whole number from 1 to 1000");
  const margin = Number(values.margin);
  if (!(margin > 0 && margin < 1)) throw new UsageError("--margin must be a fraction between 0 and 1, such as 0.15");

  const samples = values.from ? await fromChimney(values.from, runs) : await fromHistory(values.history!, runs);
  if (samples.length === 0)
    throw new UsageError(`${values.from ?? values.history}: no runs with a result to learn from`);
  const current = await currentBaseline(values.baseline!);
  const proposal = suggestBaseline(
    samples.map((s) => s.actuals),
    margin,
  );

  const bound = (x: number | null) => (x === null ? "-" : fixed2(x));
  const table = [
    ["metric", "median", "proposed lower", "proposed upper", "current lower", "current upper"],
    ...SMOKE_METRICS.map(({ key, label }) => [
      label,
      fixed2(proposal.medians[key]),
      bound(proposal.baseline[key].lower),
      bound(proposal.baseline[key].upper),
      bound(current?.[key].lower ?? null),
      bound(current?.[key].upper ?? null),
    ]),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  console.log(
    `Proposed bounds: ±${Math.round(margin * 1000) / 10}% around the median of ${samples.length} run${samples.length === 1 ? "" : "s"}${samples.length < runs ? ` (fewer than the ${runs} asked for)` : ""}:\n`,
  );
  for (const row of table)
    console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  "));
  console.log(`\nRuns used:\n${samples.map((s) => `  ${s.label}`).join("\n")}`);
  if (values.write) {
    await writeText(values.baseline!, baselineFileText(proposal.baseline));
    console.log(
      `\nWrote ${values.baseline}. Open a pull request linking a validating run; a baseline change is reviewed by the performance on-call or a Firewood maintainer.`,
    );
  }
  return 0;
}

async function currentBaseline(path: string): Promise<Baseline | null> {
  try {
    return await readJsonFile(path, parseBaseline);
  } catch (error) {
    if (path === "baselines/smoke.json" && error instanceof UsageError && error.message.endsWith("no such file"))
      return orFail(path, parseBaseline(bundledSmoke));
    throw error;
  }
}

async function fromHistory(path: string, runs: number): Promise<Sample[]> {
  const json = orFail(path, parseJson(await readText(path)));
  if (!Array.isArray(json)) throw new UsageError(`${path}: (body): must be a JSON array of smoke-metrics.json objects`);
  const samples = json.map((item, i) => {
    const parsed = parseSmokeMetrics(item);
    if (!parsed.ok) throw new UsageError(`${path}: [${i}].${parsed.issues[0].field}: ${parsed.issues[0].message}`);
    return { label: `#${i}`, actuals: actualsOf(measure(parsed.value)) };
  });
  return samples.slice(-runs);
}

async function fromChimney(url: string, runs: number): Promise<Sample[]> {
  const runsUrl = chimneyUrl(url, "/runs", "--from");
  const samples: Sample[] = [];
  let cursor: string | null = null;
  do {
    const page = `${runsUrl}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    let res: Response;
    try {
      res = await fetch(page, { signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      throw new UsageError(`${url}: cannot be reached (${(error as Error).message})`);
    }
    if (!res.ok) throw new UsageError(`${page}: answered ${res.status}`);
    const read = await readAnswer(res, RunsPageSchema);
    if (!read.ok) throw new UsageError(unexpected(page, read));
    const body = read.value;
    for (const { entry: e, actuals } of suggestionSamples(body.runs, runs - samples.length)) {
      samples.push({
        label: `${e.id} ${e.at.slice(0, 10)} ${e.state}${e.sha ? ` ${e.sha.slice(0, 12)}` : ""}`,
        actuals,
      });
    }
    cursor = samples.length >= runs ? null : body.cursor;
  } while (cursor);
  return samples;
}

async function validate(args: string[]): Promise<number> {
  const { values, positionals } = options(args, { suite: { type: "string" } }, true);
  if (positionals.length > 1) throw new UsageError("validate takes one file");
  const suite = suiteOption(values.suite);
  const path = positionals[0] ?? `baselines/${suite}.json`;
  const json = orFail(path, parseJson(await readText(path)));
  const parsed = suite === "smoke" ? parseBaseline(json) : parsePruningBaseline(json);
  if (!parsed.ok) {
    for (const issue of parsed.issues) console.error(`${path}: ${issue.field}: ${issue.message}`);
    return 1;
  }
  console.log(`${path}: a valid ${suite} baseline`);
  return 0;
}
