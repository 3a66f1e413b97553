/**
 * Ingest: a result (smoke-metrics.json or smoke-summary.json, with optional log and summaries)
 * is validated, evaluated against chimney's own baseline, its files stored, and the run
 * recorded. Nothing is written unless the whole input is valid.
 */
import { CHIMNEY_SUMMARIES, RESULT_FILES, contentTypeOf, repeatedName, sha256Hex } from "../core/artifact.ts";
import { disagreements, evaluate, type BaselineReport } from "../core/baseline.ts";
import { actualsOf, measure, parseSmokeMetrics, type Measurements } from "../core/metrics.ts";
import { unsafeIds, type Provenance } from "../core/provenance.ts";
import {
  githubRunId,
  isMainline,
  mergeRun,
  stateOfReport,
  type Artifact,
  type Run,
  type RunDispatch,
  type RunFailure,
} from "../core/run.ts";
import {
  looksLikeSummary,
  parseSmokeSummary,
  smokeSummary,
  summaryHtml,
  summaryJson,
  summaryMarkdown,
} from "../core/summary.ts";
import { parseJson, type FieldIssue } from "../core/validation.ts";
import type { ArtifactStore } from "../store/ports.ts";
import type { GitHubClient } from "../github/client.ts";
import { judgingBaseline } from "./baseline.ts";
import { newRunId, type LoopDeps } from "./deps.ts";

export interface ResultUpload {
  /** The bytes of the result file. */
  result: Uint8Array;
  /** `auto` tells smoke-metrics.json and smoke-summary.json apart by their shape. */
  resultKind: "auto" | "metrics";
  /** Where issues in the result file are reported: `(body)`, or the multipart part's name. */
  resultField: string;
  /** Further files to keep with the run, already named (`smoke-benchmark.log`, `smoke-summary.md`, …). */
  files: { name: string; bytes: Uint8Array; field: string }[];
  provenance: Provenance;
}

/** What the caller already knows of the run beyond the upload (the nightly loop does). */
export interface RunContext {
  at?: string;
  dispatch?: RunDispatch | null;
  failure?: RunFailure | null;
  /** History being imported: recorded settled, without alerts; the import analyses once at the end. */
  imported?: boolean;
  /** The job's GitHub client (its request budget), for reading the baseline file at the run's commit. */
  client?: GitHubClient;
}

export type IngestResult =
  | { kind: "malformed"; issues: FieldIssue[] }
  | { kind: "invalid"; issues: FieldIssue[] }
  | { kind: "conflict"; run: Run; reason: string }
  | { kind: "created" | "updated" | "unchanged"; run: Run };

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

interface Result {
  input: NonNullable<Run["input"]>;
  measurements: Measurements;
  runnerReport: BaselineReport | null;
}

export async function ingest(deps: LoopDeps, upload: ResultUpload, context: RunContext = {}): Promise<IngestResult> {
  const prepared = await preparedRun(deps, upload, context);
  if (prepared.kind !== "prepared") return prepared;
  const { run, files } = prepared;
  // A result refused as a conflict stores nothing: no file is kept for a run that will not have it.
  // (Only a run GitHub numbered can conflict: an upload without one is identified by its result.)
  const stored = run.github ? await deps.runs.run(run.id) : null;
  const refused = mergeRun(stored, run);
  if (refused.kind === "conflict") return refused;
  const artifacts = await keepFiles(deps.artifacts, files);
  return deps.runs.record({ ...run, artifacts }, { settled: context.imported ?? false });
}

type Prepared =
  | { kind: "malformed" | "invalid"; issues: FieldIssue[] }
  | { kind: "prepared"; run: Run; files: { name: string; bytes: Uint8Array }[] };

/** The run an upload makes, judged, and the files to keep with it; nothing stored yet. */
export async function preparedRun(deps: LoopDeps, upload: ResultUpload, context: RunContext): Promise<Prepared> {
  const ids = unsafeIds(upload.provenance);
  if (ids.length > 0) return { kind: "invalid", issues: ids };
  const text = decodeText(upload.result, upload.resultField);
  if (typeof text !== "string") return { kind: "malformed", issues: [text] };
  const json = parseJson(text, upload.resultField);
  if (!json.ok) return { kind: "malformed", issues: json.issues };

  const read = readResult(json.value, upload.resultKind);
  if (!read.ok) return { kind: "invalid", issues: read.issues.map((i) => within(upload.resultField, i)) };
  const fileIssues = checkFiles(upload.files);
  if (fileIssues.length > 0) return { kind: "invalid", issues: fileIssues };

  const { input, measurements, runnerReport } = read.value;
  const { github, sha, ref } = upload.provenance;
  // The baseline file at the run's own commit judges it (or the configured one, saying why).
  const judging = await judgingBaseline(deps, sha, context.client);
  const report = evaluate(actualsOf(measurements), judging.baseline, judging.source);
  const now = deps.now();
  const identity = github ? null : await identityOf(measurements, upload.provenance);

  const files = [
    { name: input, bytes: upload.result },
    ...upload.files,
    ...renderChimneySummaries(measurements, report),
  ];
  // One file per name, so no file of the upload stands in for another, nor for chimney's own.
  const repeated = repeatedName(files.map((f) => f.name));
  if (repeated !== null) {
    const field = upload.files.find((f) => f.name === repeated)?.field ?? upload.resultField;
    return { kind: "invalid", issues: [{ field, message: `would be a second file named ${repeated}` }] };
  }
  const dispatch = context.dispatch ?? null;

  const run: Run = {
    id: github ? githubRunId(github) : newRunId(now),
    suite: "smoke",
    state: stateOfReport(report),
    at: context.at ?? now.toISOString(),
    completed_at: now.toISOString(),
    github,
    sha,
    ref,
    mainline: isMainline(ref, dispatch?.pr_number ?? null, deps.trackedRef),
    dispatch,
    input,
    measurements,
    report,
    runner_report: runnerReport,
    disagreements: runnerReport ? disagreements(report, runnerReport) : [],
    failure: context.failure ?? null,
    artifacts: [],
    confirmation: null,
    corroborates: null,
    identity,
    read_retry: null,
  };
  return { kind: "prepared", run, files };
}

/** A result document, either smoke-metrics.json or (for `auto`, by its shape) smoke-summary.json. */
export function readResult(value: unknown, kind: ResultUpload["resultKind"]) {
  if (kind === "auto" && looksLikeSummary(value)) {
    const summary = parseSmokeSummary(value);
    if (!summary.ok) return summary;
    return {
      ok: true as const,
      value: {
        input: RESULT_FILES.summaryJson,
        measurements: summary.value.measurements,
        runnerReport: summary.value.runnerReport,
      } satisfies Result,
    };
  }
  const metrics = parseSmokeMetrics(value);
  if (!metrics.ok) return metrics;
  return {
    ok: true as const,
    value: {
      input: RESULT_FILES.metrics,
      measurements: measure(metrics.value),
      runnerReport: metrics.value.baseline,
    } satisfies Result,
  };
}

const TEXT_FILES: readonly string[] = [
  RESULT_FILES.log,
  RESULT_FILES.summaryMarkdown,
  RESULT_FILES.summaryJson,
  RESULT_FILES.summaryHtml,
];

/** The log and the summaries must be text, and a JSON summary must be a valid one. */
function checkFiles(files: ResultUpload["files"]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const file of files) {
    if (!TEXT_FILES.includes(file.name)) continue;
    if (file.name !== RESULT_FILES.summaryJson) {
      if (!isUtf8(file.bytes)) issues.push({ field: file.field, message: "is not UTF-8 text" });
      continue;
    }
    const text = decodeText(file.bytes, file.field);
    if (typeof text !== "string") {
      issues.push(text);
    } else {
      const json = parseJson(text, file.field);
      const summary = json.ok ? parseSmokeSummary(json.value) : json;
      if (!summary.ok) issues.push(...summary.issues.map((i) => within(file.field, i)));
    }
  }
  return issues;
}

function renderChimneySummaries(m: Measurements, report: BaselineReport) {
  const encode = (s: string) => new TextEncoder().encode(s);
  const summary = smokeSummary(m, report);
  return [
    { name: CHIMNEY_SUMMARIES.markdown, bytes: encode(summaryMarkdown(summary)) },
    { name: CHIMNEY_SUMMARIES.json, bytes: encode(summaryJson(summary)) },
    { name: CHIMNEY_SUMMARIES.html, bytes: encode(summaryHtml(summary)) },
  ];
}

/** Stores files (once per content digest) and describes them as a run's artifacts. */
export function keepFiles(store: ArtifactStore, files: { name: string; bytes: Uint8Array }[]): Promise<Artifact[]> {
  return Promise.all(files.map((f) => keep(store, f.name, f.bytes)));
}

async function keep(store: ArtifactStore, name: string, bytes: Uint8Array): Promise<Artifact> {
  const sha256 = await sha256Hex(bytes);
  const contentType = contentTypeOf(name);
  await store.put(sha256, bytes, contentType);
  return { name, content_type: contentType, size: bytes.byteLength, sha256 };
}

/** What makes two uploads without a run id the same run: the same numbers from the same commit. */
function identityOf(m: Measurements, p: Provenance): Promise<string> {
  const canonical = [
    m.batches,
    m.batch_size,
    m.total_operations,
    m.total_duration_ms,
    m.throughput_ops_per_sec,
    m.per_batch_count,
    m.per_batch_p95_ms,
    p.sha,
    p.ref,
  ];
  return sha256Hex(new TextEncoder().encode(JSON.stringify(canonical)));
}

/**
 * Whether bytes are UTF-8, checked a megabyte at a time: a log may be tens of megabytes, and
 * decoding it whole would hold a string as large as the log beside its bytes.
 */
function isUtf8(bytes: Uint8Array): boolean {
  const check = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  const step = 1 << 20;
  try {
    for (let at = 0; at < bytes.byteLength; at += step)
      check.decode(bytes.subarray(at, at + step), { stream: at + step < bytes.byteLength });
    return true;
  } catch {
    return false;
  }
}

function decodeText(bytes: Uint8Array, field: string): string | FieldIssue {
  try {
    return decoder.decode(bytes);
  } catch {
    return { field, message: "is not UTF-8 text" };
  }
}

/** Names a field inside a multipart part (`summary: run.batches`); a plain body needs no prefix. */
function within(part: string, issue: FieldIssue): FieldIssue {
  if (part === "(body)") return issue;
  return { field: issue.field === "(body)" ? part : `${part}.${issue.field}`, message: issue.message };
}
