/**
 * `POST /api/results`: reads the request into an upload. Three forms are accepted:
 * smoke-metrics.json or smoke-summary.json as `application/json` (what Firewood's workflow
 * POSTs to `dashboard-endpoint`), or `multipart/form-data` with the files.
 */
import { RESULT_FILES } from "../core/artifact.ts";
import { PROVENANCE_FIELDS, parseProvenance, type ProvenanceField } from "../core/provenance.ts";
import { invalid, ok, type Parsed } from "../core/validation.ts";
import type { ResultUpload } from "../jobs/ingest.ts";

/** Body limits, enforced before a body is read whole. */
export const LIMITS = {
  json: 8 * 1024 * 1024,
  multipart: 32 * 1024 * 1024,
} as const;

export type UploadForm = "json" | "multipart";

export function uploadForm(contentType: string | undefined): Parsed<UploadForm> {
  const media = contentType?.split(";")[0].trim().toLowerCase();
  if (media === "application/json") return ok("json");
  if (media === "multipart/form-data") return ok("multipart");
  return invalid({
    field: "Content-Type",
    message: "must be application/json (smoke-metrics.json or smoke-summary.json) or multipart/form-data",
  });
}

export function readUpload(request: Request, form: UploadForm): Promise<Parsed<ResultUpload>> {
  const query = new URL(request.url).searchParams;
  return form === "json" ? readJsonUpload(request, query) : readMultipartUpload(request, query);
}

async function readJsonUpload(request: Request, query: URLSearchParams): Promise<Parsed<ResultUpload>> {
  const fields = queryFields(query);
  if (!fields.ok) return fields;
  const provenance = parseProvenance(fields.value);
  if (!provenance.ok) return provenance;
  return ok({
    result: new Uint8Array(await request.arrayBuffer()),
    resultKind: "auto",
    resultField: "(body)",
    files: [],
    provenance: provenance.value,
  });
}

const SUMMARY_NAMES: Record<string, string> = {
  ".md": RESULT_FILES.summaryMarkdown,
  ".json": RESULT_FILES.summaryJson,
  ".html": RESULT_FILES.summaryHtml,
};

const PARTS = ["metrics", "log", "summary", ...PROVENANCE_FIELDS];

async function readMultipartUpload(request: Request, query: URLSearchParams): Promise<Parsed<ResultUpload>> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return invalid({ field: "(body)", message: "is not valid multipart/form-data" });
  }
  for (const name of new Set(form.keys())) {
    if (!PARTS.includes(name))
      return invalid({ field: name, message: `is not a known part; expected ${PARTS.join(", ")}` });
  }
  for (const name of ["metrics", "log", ...PROVENANCE_FIELDS]) {
    if (form.getAll(name).length > 1) return invalid({ field: name, message: "is given more than once" });
  }

  const fromQuery = queryFields(query);
  if (!fromQuery.ok) return fromQuery;
  const fields: Partial<Record<ProvenanceField, string>> = { ...fromQuery.value };
  for (const name of PROVENANCE_FIELDS) {
    const part = form.get(name);
    if (part === null) continue;
    if (typeof part !== "string") return invalid({ field: name, message: "must be a text field, not a file" });
    if (fields[name] !== undefined && fields[name] !== part) {
      return invalid({ field: name, message: "differs between the query string and the form" });
    }
    fields[name] = part;
  }
  const provenance = parseProvenance(fields);
  if (!provenance.ok) return provenance;

  const metrics = form.get("metrics");
  if (metrics === null)
    return invalid({ field: "metrics", message: "is missing; attach smoke-metrics.json as the part `metrics`" });

  const files: ResultUpload["files"] = [];
  const log = form.get("log");
  if (log !== null) files.push({ name: RESULT_FILES.log, bytes: await bytesOf(log), field: "log" });
  const summaries = form.getAll("summary");
  for (const summary of summaries) {
    const name = summaryName(summary);
    if (!name)
      return invalid({
        field: "summary",
        message: "must be smoke-summary.md, .json or .html (by file name or content type)",
      });
    if (files.some((f) => f.name === name))
      return invalid({ field: "summary", message: `gives ${name} more than once` });
    files.push({ name, bytes: await bytesOf(summary), field: "summary" });
  }

  return ok({
    result: await bytesOf(metrics),
    resultKind: "metrics",
    resultField: "metrics",
    files,
    provenance: provenance.value,
  });
}

function queryFields(query: URLSearchParams): Parsed<Partial<Record<ProvenanceField, string>>> {
  const fields: Partial<Record<ProvenanceField, string>> = {};
  for (const [name, value] of query) {
    // `suite` chose this upload (routes/results.ts): the smoke suite's.
    if (name === "suite") continue;
    if (!(PROVENANCE_FIELDS as readonly string[]).includes(name)) {
      return invalid({
        field: name,
        message: `is not a known query parameter; expected ${PROVENANCE_FIELDS.join(", ")}`,
      });
    }
    if (query.getAll(name).length > 1) return invalid({ field: name, message: "is given more than once" });
    fields[name as ProvenanceField] = value;
  }
  return ok(fields);
}

function summaryName(part: File | string): string | null {
  if (typeof part === "string") return RESULT_FILES.summaryMarkdown;
  const byName = Object.entries(SUMMARY_NAMES).find(([ext]) => part.name.toLowerCase().endsWith(ext));
  if (byName) return byName[1];
  const type = part.type.split(";")[0].trim().toLowerCase();
  if (type === "application/json") return RESULT_FILES.summaryJson;
  if (type === "text/html") return RESULT_FILES.summaryHtml;
  if (type === "text/markdown" || type === "text/plain") return RESULT_FILES.summaryMarkdown;
  return null;
}

async function bytesOf(part: File | string): Promise<Uint8Array> {
  return typeof part === "string" ? new TextEncoder().encode(part) : new Uint8Array(await part.arrayBuffer());
}
