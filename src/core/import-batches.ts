/**
 * An import file cut into batches of rows, each a document POST /api/import takes on its own: a
 * JSON array of results into slices of it, github-action-benchmark data into the same document
 * holding a slice of its entries (one row per commit of a suite). The server checks each batch and
 * keeps rows by their time and commit, so a batch sent again adds nothing: an import stopped
 * half-way is finished by running it again. A file that is neither is one batch, for the server
 * to say why it is not.
 */
import { benchmarkDataJson, isBenchmarkData } from "./series.ts";
import { parseJson } from "./validation.ts";

export interface ImportBatch {
  /** The batch's first row in the file, counted from 0. */
  first: number;
  rows: number;
  body: string;
}

export interface ImportPlan {
  /** Rows in the file, or null for a file sent whole (its rows unknown until the server reads it). */
  total: number | null;
  batches: ImportBatch[];
}

/** Rows per request by default: the server records them in one transaction (jobs/import.ts). */
export const IMPORT_BATCH_ROWS = 500;

export function importBatches(source: string, size: number): ImportPlan {
  const whole = { total: null, batches: [{ first: 0, rows: 0, body: source }] };
  const read = parseJson(isBenchmarkData(source) ? benchmarkDataJson(source) : source);
  const json = read.ok ? read.value : null;
  if (Array.isArray(json))
    return json.length === 0 ? whole : { total: json.length, batches: sliced(json, size, (slice) => slice) };
  if (!isRecord(json) || !isRecord(json.entries)) return whole;
  const entries = Object.entries(json.entries);
  if (!entries.every(([, rows]) => Array.isArray(rows))) return whole;
  const rows = entries.flatMap(([suite, list]) => (list as unknown[]).map((row) => [suite, row] as const));
  if (rows.length === 0) return whole;
  const batches = sliced(rows, size, (slice) => {
    const grouped: Record<string, unknown[]> = {};
    for (const [suite, row] of slice) {
      grouped[suite] ??= [];
      grouped[suite].push(row);
    }
    return { ...json, entries: grouped };
  });
  return { total: rows.length, batches };
}

/** `rows` in slices of `size`, each sent as the document `document` makes of it. */
function sliced<T>(rows: readonly T[], size: number, document: (slice: T[]) => unknown): ImportBatch[] {
  const batches: ImportBatch[] = [];
  for (let first = 0; first < rows.length; first += size) {
    const slice = rows.slice(first, first + size);
    batches.push({ first, rows: slice.length, body: JSON.stringify(document(slice)) });
  }
  return batches;
}

/**
 * A refusal's detail about a results batch, its row numbers made the file's: `[3].at` of the batch
 * starting at row 500 is `[503].at`.
 */
export function fileRowDetail(detail: string, batch: Pick<ImportBatch, "first">): string {
  return detail.replace(/^\[(\d+)\]/, (_, row: string) => `[${batch.first + Number(row)}]`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
