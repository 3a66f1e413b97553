/**
 * Importing history kept before chimney: github-action-benchmark data (`data.js` or its JSON)
 * becomes series, a JSON array of smoke results becomes runs. Nothing is stored unless the whole
 * document is valid, nothing is alerted on, and importing the same document again changes nothing
 * (runs and points are kept by their time and commit), so `chimney import` sends a large file in
 * batches (core/import-batches.ts) and a stopped import is finished by sending it again.
 */
import * as v from "valibot";
import type { ChangeReport } from "../core/drift.ts";
import type { Run } from "../core/run.ts";
import {
  benchmarkDataJson,
  intoSuite,
  isBenchmarkData,
  parseBenchmarkData,
  seriesOf,
  type SeriesImport,
} from "../core/series.ts";
import { refName } from "../core/github-fields.ts";
import { parseJson, parseWith, type FieldIssue } from "../core/validation.ts";
import { planAnalysis } from "../core/settle.ts";
import { analysisOfAll, changeOptions } from "./changes.ts";
import type { LoopDeps } from "./deps.ts";
import { keepFiles, preparedRun, readResult } from "./ingest.ts";

export type ImportOutcome =
  | { kind: "malformed" | "invalid"; issues: FieldIssue[] }
  | { kind: "series"; series: SeriesImport[] }
  | {
      kind: "runs";
      runs: { created: number; unchanged: number; conflicts: { field: string; reason: string }[] };
      analysis: ChangeReport;
    };

/** Results per import at most: decades of nights. */
const MAX_IMPORTED_RESULTS = 20_000;

/** Runs recorded per transaction: one projection each, and a ledger call well under its limits. */
const IMPORT_BATCH = 500;

const ImportedResultSchema = v.object(
  {
    at: v.pipe(v.string("must be a string"), v.isoTimestamp("must be an ISO 8601 time such as 2026-11-29T03:00:00Z")),
    sha: v.optional(
      v.nullable(v.pipe(v.string("must be a string"), v.regex(/^[0-9a-f]{7,40}$/i, "must be a commit id"))),
      null,
    ),
    ref: v.optional(v.nullable(refName), null),
    result: v.unknown(),
  },
  "must be an object with at and result",
);

const ImportedResultsSchema = v.pipe(
  v.array(ImportedResultSchema, "must be a JSON array of results"),
  v.minLength(1, "must hold at least one result"),
  v.maxLength(MAX_IMPORTED_RESULTS, `must hold at most ${MAX_IMPORTED_RESULTS} results`),
);

/** Where a github-action-benchmark file goes: the watched suite it is the history of, and which of its suites that is. */
export interface ImportInto {
  suite: string;
  entry: string | null;
}

export async function importHistory(
  deps: LoopDeps,
  source: string,
  into: ImportInto | null = null,
): Promise<ImportOutcome> {
  if (isBenchmarkData(source)) {
    const json = parseJson(benchmarkDataJson(source));
    if (!json.ok) return { kind: "malformed", issues: json.issues };
    const parsed = parseBenchmarkData(json.value);
    const data = parsed.ok && into ? intoSuite(parsed.value, into.suite, into.entry) : parsed;
    if (!data.ok) return { kind: "invalid", issues: data.issues };
    const merged = await deps.series.merge(seriesOf(data.value), changeOptions(deps.config));
    if (merged.issues.length > 0) return { kind: "invalid", issues: merged.issues };
    deps.log({
      event: "series_imported",
      series: merged.imports.length,
      added: merged.imports.reduce((n, i) => n + i.added, 0),
    });
    return { kind: "series", series: merged.imports };
  }
  if (into)
    return {
      kind: "invalid",
      issues: [
        {
          field: "suite",
          message: "takes github-action-benchmark data (data.js); smoke results are imported without it",
        },
      ],
    };
  return importResults(deps, source);
}

async function importResults(deps: LoopDeps, source: string): Promise<ImportOutcome> {
  const json = parseJson(source);
  if (!json.ok) return { kind: "malformed", issues: json.issues };
  const items = parseWith(ImportedResultsSchema, json.value);
  if (!items.ok) return { kind: "invalid", issues: items.issues };
  // Every result is checked before the first is recorded.
  const issues = items.value.flatMap((item, i) => {
    const read = readResult(item.result, "auto");
    return read.ok
      ? []
      : read.issues.map((issue) => ({
          field: `[${i}].result${issue.field === "(body)" ? "" : `.${issue.field}`}`,
          message: issue.message,
        }));
  });
  if (issues.length > 0) return { kind: "invalid", issues };

  const runs = { created: 0, unchanged: 0, conflicts: [] as { field: string; reason: string }[] };
  const encoder = new TextEncoder();
  for (let start = 0; start < items.value.length; start += IMPORT_BATCH) {
    const batch: Run[] = [];
    for (const [offset, item] of items.value.slice(start, start + IMPORT_BATCH).entries()) {
      const i = start + offset;
      const prepared = await preparedRun(
        deps,
        {
          result: encoder.encode(JSON.stringify(item.result)),
          resultKind: "auto",
          resultField: `[${i}].result`,
          files: [],
          provenance: { github: null, sha: item.sha?.toLowerCase() ?? null, ref: item.ref ?? deps.trackedRef },
        },
        { at: new Date(item.at).toISOString(), imported: true },
      );
      if (prepared.kind !== "prepared") throw new Error(`result [${i}] was refused after it was checked`);
      batch.push({ ...prepared.run, artifacts: await keepFiles(deps.artifacts, prepared.files) });
    }
    const outcomes = await deps.runs.recordMany(batch, { settled: true });
    for (const [offset, outcome] of outcomes.entries()) {
      if (outcome.kind === "created" || outcome.kind === "updated") runs.created++;
      else if (outcome.kind === "unchanged") runs.unchanged++;
      else if (outcome.kind === "conflict")
        runs.conflicts.push({ field: `[${start + offset}]`, reason: outcome.reason });
    }
  }
  const analysis = await analysisOfAll(deps);
  await deps.settlements.commit(planAnalysis(analysis), deps.now().toISOString());
  deps.log({ event: "results_imported", ...runs, conflicts: runs.conflicts.length });
  return { kind: "runs", runs, analysis };
}
