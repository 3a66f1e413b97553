/**
 * A suite's results read through its series: which suites read a workflow's runs, which of a run's artifacts belong
 * to which suite, and the benches those artifacts hold.
 *
 * The rule for an artifact's files: every file is a result in the suite's format, except logs,
 * Markdown and HTML (`*.log`, `*.md`, `*.html`), which runners upload beside their results; of a
 * pruning artifact, only its `pruning-metrics*.json` files are (its summaries are chimney's own). A
 * result file that does not parse refuses the whole run of the suite, naming the artifact, the
 * file and the line; so does an artifact without a result file, or a bench two files both give.
 * Criterion's format reads the artifact's files together, as one `target/criterion` tree.
 */
import type { Bench } from "./formats/bench.ts";
import type { Series, SeriesPoint } from "./series.ts";
import { bandVerdict, type BandVerdict } from "./suite-bands.ts";
import { FORMATS, parseResults, type Format } from "./formats/index.ts";
import { PRUNING_RESULT_FILE } from "./formats/pruning.ts";
import { artifactMatches, type Suite } from "./suites.ts";
import { invalid, ok, type FieldIssue, type Parsed } from "./validation.ts";
import { isConfirmingRun, isWorkflowFile, sameRepository } from "./workflow.ts";

/** The files a runner uploads beside its results. */
const NOT_RESULTS = /\.(log|md|html)$/i;

/** A suite read through its series: a format with a parser (all but smoke), followed or dispatched. */
export type SeriesSuite = Suite & { format: Format };

export function isParsedFormat(format: string): format is Format {
  return (FORMATS as readonly string[]).includes(format);
}

/**
 * The suites whose results are read from this workflow's runs of this repository, in declaration
 * order: followed or dispatched by chimney alike (the smoke suite's runs are the nightly loop's).
 */
export function seriesSuitesOf(
  suites: readonly Suite[],
  repository: string,
  workflowPath: string | null,
): SeriesSuite[] {
  return suites.filter(
    (s): s is SeriesSuite => isSeriesSuiteIn(s, repository) && isWorkflowFile(workflowPath, s.workflow),
  );
}

function isSeriesSuiteIn(s: Suite, repository: string): s is SeriesSuite {
  return isParsedFormat(s.format) && s.repository !== null && sameRepository(s.repository, repository);
}

/** What of a completed run says who reads it. */
export interface RunOfWorkflow {
  path: string | null;
  head_branch: string | null;
  display_title: string | null;
  name: string | null;
}

/**
 * The suites that read a completed run, whichever way chimney learns of it (its webhook, the
 * reconcile tick's discovery): those reading its workflow's runs on its branch. None read a
 * confirming run of the smoke workflow: it benchmarks a suspect night's commit, not the branch's head.
 */
export function readersOfRun(
  suites: readonly Suite[],
  repository: string,
  smokeWorkflow: string,
  run: RunOfWorkflow,
): SeriesSuite[] {
  if (isWorkflowFile(run.path, smokeWorkflow) && isConfirmingRun(run.display_title ?? run.name)) return [];
  return seriesSuitesOf(suites, repository, run.path).filter((s) => s.branch === run.head_branch);
}

/**
 * The repositories whose events and runs chimney reads: `home` (GITHUB_REPOSITORY, the smoke
 * suite's nightly loop) first, then each other repository a suite read through its series names,
 * once, in declaration order.
 */
export function watchedRepositories(suites: readonly Suite[], home: string): string[] {
  const found = [home];
  for (const { format, repository } of suites) {
    if (isParsedFormat(format) && repository !== null && !found.some((r) => sameRepository(r, repository)))
      found.push(repository);
  }
  return found;
}

/** Each workflow and branch whose runs suites of `repository` read through their series, once, in declaration order. */
export function seriesWorkflows(suites: readonly Suite[], repository: string): { workflow: string; branch: string }[] {
  const found = new Map<string, { workflow: string; branch: string }>();
  for (const s of suites) {
    if (isSeriesSuiteIn(s, repository))
      found.set(JSON.stringify([s.workflow, s.branch]), { workflow: s.workflow, branch: s.branch });
  }
  return [...found.values()];
}

/** Each artifact name goes to the first suite (in `suites`' order) with a pattern matching it. */
export function claimArtifacts(suites: readonly Suite[], names: readonly string[]): Map<string, string[]> {
  const claimed = new Map<string, string[]>(suites.map((s) => [s.name, []]));
  for (const name of names) {
    const owner = suites.find((s) => s.artifacts.some((pattern) => artifactMatches(pattern, name)));
    if (owner) claimed.get(owner.name)?.push(name);
  }
  return claimed;
}

export interface OpenedArtifact {
  name: string;
  files: ReadonlyMap<string, Uint8Array>;
}

/** Whether a file of an artifact holds results in `format`. */
function isResultFile(format: Format, file: string): boolean {
  return format === "pruning" ? PRUNING_RESULT_FILE.test(file) : !NOT_RESULTS.test(file);
}

/** The benches a suite's artifacts hold, or the issues that refuse them all. */
export function benchesOfArtifacts(format: Format, artifacts: readonly OpenedArtifact[]): Parsed<Bench[]> {
  const benches: Bench[] = [];
  const from = new Map<string, string>();
  const issues: FieldIssue[] = [];
  const add = (where: string, found: Bench[]) => {
    for (const bench of found) {
      const earlier = from.get(bench.name);
      if (earlier !== undefined) {
        issues.push({ field: where, message: `gives ${JSON.stringify(bench.name)} again (${earlier} gave it)` });
        continue;
      }
      from.set(bench.name, where);
      benches.push(bench);
    }
  };
  const decoder = new TextDecoder();
  for (const artifact of artifacts) {
    const results = [...artifact.files].filter(([file]) => isResultFile(format, file));
    if (results.length === 0) {
      issues.push({
        field: artifact.name,
        message:
          format === "pruning"
            ? "holds no pruning-metrics*.json file"
            : "holds no result file (only logs, Markdown or HTML)",
      });
      continue;
    }
    const documents: [string, Parsed<Bench[]>][] =
      format === "criterion"
        ? [[artifact.name, parseResults(format, Object.fromEntries(results))]]
        : results.map(([file, bytes]) => [`${artifact.name}/${file}`, parseResults(format, decoder.decode(bytes))]);
    for (const [where, parsed] of documents) {
      if (parsed.ok) add(where, parsed.value);
      else
        issues.push(
          ...parsed.issues.map((i) => ({
            field: i.field === "(body)" ? where : `${where}: ${i.field}`,
            message: i.message,
          })),
        );
    }
  }
  return issues.length > 0 ? invalid(...issues) : ok(benches);
}

/** One result of a suite watched through its series: the benches measured at one time and commit. */
export interface SuiteResult {
  at: string;
  sha: string | null;
  commit_url: string | null;
  /** Each series measured then: its name and value. */
  values: Record<string, number>;
  /** What the suite's baseline file said of them, for a suite judged by one (pruning). */
  band?: BandVerdict;
}

/**
 * A suite's results, newest first, rebuilt from its series (a followed suite's runs are kept as
 * points, not as runs of the ledger): at most `limit` of them from before `before` (exclusive).
 */
export function suiteResults(
  all: readonly Series[],
  suite: string,
  limit: number,
  before: string | null,
): { results: SuiteResult[]; next: string | null } {
  const byPoint = new Map<string, SuiteResult>();
  const banded = new Map<string, { name: string; band: SeriesPoint["band"] }[]>();
  for (const series of all.filter((s) => s.suite === suite)) {
    for (const p of series.points) {
      if (before !== null && p.at >= before) continue;
      const key = `${p.at}|${p.sha ?? ""}`;
      const result = byPoint.get(key) ?? { at: p.at, sha: p.sha, commit_url: p.commit_url, values: {} };
      result.values[series.name] = p.value;
      byPoint.set(key, result);
      banded.set(key, [...(banded.get(key) ?? []), { name: series.name, band: p.band }]);
    }
  }
  for (const [key, result] of byPoint) {
    const band = bandVerdict(banded.get(key) ?? []);
    if (band) result.band = band;
  }
  const newest = [...byPoint.values()].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  // A page never ends between two results of the same time: the next page starts before it.
  let end = Math.min(limit, newest.length);
  while (end < newest.length && newest[end].at === newest[end - 1].at) end++;
  const results = newest.slice(0, end);
  return { results, next: end < newest.length ? (results.at(-1)?.at ?? null) : null };
}
