/**
 * chimney's HTTP API as an OpenAPI 3.1 document (`GET /openapi.json`): every route of the app,
 * its parameters and bodies, the answers' shapes where a schema exists (converted from the
 * valibot schemas the routes and the CLI use), problem+json errors and the bearer tokens.
 */
import { toJsonSchema } from "@valibot/to-json-schema";
import * as v from "valibot";
import {
  BadgeSchema,
  DispatchAnswerSchema,
  HealthzSchema,
  ImportAnswerSchema,
  ProblemSchema,
  RunsPageSchema,
  UploadAnswerSchema,
} from "../core/api.ts";
import { BaselineReportSchema } from "../core/baseline.ts";
import { SmokeMetricsShape } from "../core/metrics.ts";
import { DispatchBody } from "./routes/dispatch.ts";

// biome-ignore lint/suspicious/noExplicitAny: valibot's schemas of any shape
type AnySchema = v.GenericSchema<any, any> | v.SchemaWithPipe<any>;

/** A valibot schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect); checks JSON Schema cannot say are left out. */
const schemaOf = (schema: AnySchema) => {
  const { $schema: _, ...json } = toJsonSchema(schema as v.GenericSchema, {
    target: "draft-2020-12",
    errorMode: "ignore",
    typeMode: "ignore",
  });
  return json;
};

type Security = "upload" | "admin" | "metrics" | "webhook" | null;

interface Operation {
  summary: string;
  security: Security;
  parameters?: { name: string; in: "path" | "query" | "header"; required?: boolean; description: string }[];
  request?: Record<string, { schema: Record<string, unknown> }>;
  /** The success answer: its status, content type and schema (`{}` where none exists). */
  answer: { status: number; type: string; schema?: Record<string, unknown>; description: string };
  /** The problem statuses it may answer. */
  problems: number[];
}

const json = (schema: AnySchema) => ({ schema: schemaOf(schema) });
const path = (name: string, description: string) => ({ name, in: "path" as const, required: true, description });
const query = (name: string, description: string) => ({ name, in: "query" as const, description });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const PROVENANCE = [
  query("run_id", "the GitHub Actions run"),
  query("run_attempt", "its attempt"),
  query("sha", "the commit"),
  query("ref", "the branch"),
  query("suite", "a series suite's name: the body is one document in its format"),
];

/**
 * Every route of `createApp`, by path (OpenAPI's `{name}` parameters) and method. A function, not
 * a constant: the schemas are converted when the document is first asked for, not as the isolate starts.
 */
const operations = (): Record<string, Record<string, Operation>> => ({
  "/": {
    get: {
      summary: "The status page",
      security: null,
      answer: { status: 200, type: "text/html", description: "the published status page, with its ETag" },
      problems: [],
    },
  },
  "/healthz": {
    get: {
      summary: "Liveness",
      security: null,
      answer: { status: 200, type: "application/json", schema: schemaOf(HealthzSchema), description: "alive" },
      problems: [],
    },
  },
  "/status": {
    get: {
      summary: "The last settled night, the run in flight, open alerts, suites",
      security: null,
      answer: { status: 200, type: "application/json", description: "the status document" },
      problems: [],
    },
  },
  "/badge": {
    get: {
      summary: "A shields.io endpoint badge",
      security: null,
      parameters: [query("suite", "a series suite's badge instead of the smoke suite's")],
      answer: { status: 200, type: "application/json", schema: schemaOf(BadgeSchema), description: "the badge" },
      problems: [404],
    },
  },
  "/dashboards": {
    get: {
      summary: "The last dashboard check",
      security: null,
      answer: { status: 200, type: "application/json", description: "the check" },
      problems: [404],
    },
  },
  "/changes": {
    get: {
      summary: "The latest change-point analysis",
      security: null,
      answer: { status: 200, type: "application/json", description: "the analysis" },
      problems: [404],
    },
  },
  "/baseline": {
    get: {
      summary: "The baseline that judged the last settled night",
      security: null,
      answer: { status: 200, type: "application/json", description: "its bands and source" },
      problems: [],
    },
  },
  "/runs": {
    get: {
      summary: "The run history, newest first",
      security: null,
      parameters: [
        query("limit", "1 to 100 (default 20)"),
        query("cursor", "the previous page's cursor"),
        query("suite", "a series suite's results instead"),
        query("before", "a series suite's previous page's next"),
      ],
      answer: { status: 200, type: "application/json", schema: schemaOf(RunsPageSchema), description: "a page" },
      problems: [400, 404],
    },
  },
  "/runs/{id}": {
    get: {
      summary: "One run: a page for a browser, else JSON",
      security: null,
      parameters: [path("id", "the run"), query("format", "json for JSON whatever Accept says")],
      answer: { status: 200, type: "application/json", description: "the run, its report and change points" },
      problems: [404],
    },
  },
  "/runs/{id}/artifacts/{name}": {
    get: {
      summary: "A stored file of a run",
      security: null,
      parameters: [path("id", "the run"), path("name", "the file's name")],
      answer: { status: 200, type: "application/octet-stream", description: "the file, with its own content type" },
      problems: [404],
    },
  },
  "/series": {
    get: {
      summary: "The imported and watched series",
      security: null,
      answer: { status: 200, type: "application/json", description: "every series, without its points" },
      problems: [],
    },
  },
  "/series/{key}": {
    get: {
      summary: "One series with its points and change points",
      security: null,
      parameters: [path("key", "the series")],
      answer: { status: 200, type: "application/json", description: "the series" },
      problems: [404],
    },
  },
  "/metrics": {
    get: {
      summary: "chimney's own health for Prometheus (text format 0.0.4)",
      security: "metrics",
      answer: { status: 200, type: "text/plain; version=0.0.4", description: "the exposition" },
      problems: [401, 404],
    },
  },
  "/openapi.json": {
    get: {
      summary: "This document",
      security: null,
      answer: { status: 200, type: "application/json", description: "OpenAPI 3.1" },
      problems: [],
    },
  },
  "/api/results": {
    post: {
      summary: "Upload a result: smoke-metrics.json, smoke-summary.json, or multipart",
      security: "upload",
      parameters: PROVENANCE,
      request: {
        "application/json": json(SmokeMetricsShape),
        "multipart/form-data": {
          schema: {
            type: "object",
            required: ["metrics"],
            properties: {
              metrics: { type: "string", contentMediaType: "application/json" },
              log: { type: "string" },
              summary: { type: "array", items: { type: "string" }, maxItems: 3 },
            },
          },
        },
      },
      answer: {
        status: 201,
        type: "application/json",
        // The CLI leaves the evaluation unread (`v.unknown()`); the document says what it is.
        schema: schemaOf(v.looseObject({ ...UploadAnswerSchema.entries, evaluation: BaselineReportSchema })),
        description: "stored (200: already stored)",
      },
      problems: [400, 401, 409, 413, 415, 422, 429, 503],
    },
  },
  "/api/dispatch": {
    post: {
      summary: "Dispatch the benchmark workflow now",
      security: "admin",
      request: { "application/json": json(DispatchBody) },
      answer: {
        status: 202,
        type: "application/json",
        schema: schemaOf(DispatchAnswerSchema),
        description: "dispatched",
      },
      problems: [401, 413, 422, 502, 503],
    },
  },
  "/api/import": {
    post: {
      summary: "Import history kept before chimney",
      security: "admin",
      parameters: [query("suite", "the watched suite it is the history of"), query("entry", "the file's suite")],
      request: { "application/json": { schema: {} }, "text/javascript": { schema: { type: "string" } } },
      answer: {
        status: 200,
        type: "application/json",
        schema: schemaOf(ImportAnswerSchema),
        description: "what was imported",
      },
      problems: [400, 401, 404, 413, 422, 429, 503],
    },
  },
  "/api/ticks/{tick}": {
    post: {
      summary: "Run a tick now",
      security: "admin",
      parameters: [path("tick", "nightly or reconcile")],
      answer: { status: 200, type: "application/json", description: "the tick's report" },
      problems: [401, 404, 503],
    },
  },
  "/webhooks/github": {
    post: {
      summary: "GitHub's webhook deliveries (workflow_run, ping)",
      security: "webhook",
      parameters: [
        { name: "X-Hub-Signature-256", in: "header", required: true, description: "the body's HMAC" },
        { name: "X-GitHub-Event", in: "header", required: true, description: "the event" },
        { name: "X-GitHub-Delivery", in: "header", required: true, description: "the delivery's id" },
      ],
      request: { "application/json": { schema: { type: "object" } } },
      answer: { status: 202, type: "application/json", description: "accepted (200: ignored or a duplicate)" },
      problems: [400, 401, 413, 503],
    },
  },
});

const bearer = (description: string) => ({ type: "http", scheme: "bearer", description });

/** Each guard's security scheme: the name operations refer to it by, and what it is. */
const SECURITY: Record<Exclude<Security, null>, { scheme: string; definition: Record<string, string> }> = {
  upload: { scheme: "PERF_DASHBOARD_TOKEN", definition: bearer("uploads: PERF_DASHBOARD_TOKEN") },
  admin: { scheme: "ADMIN_TOKEN", definition: bearer("maintainers: ADMIN_TOKEN") },
  metrics: { scheme: "METRICS_TOKEN", definition: bearer("Prometheus: METRICS_TOKEN, when it is set") },
  webhook: {
    scheme: "GitHubSignature",
    definition: {
      type: "apiKey",
      in: "header",
      name: "X-Hub-Signature-256",
      description: "GitHub: the body signed with GITHUB_WEBHOOK_SECRET",
    },
  },
};

function operation(op: Operation): Record<string, unknown> {
  const problems = Object.fromEntries(
    op.problems.map((status) => [
      String(status),
      { description: "a problem", content: { "application/problem+json": { schema: ref("Problem") } } },
    ]),
  );
  const security =
    op.security === null
      ? []
      : op.security === "metrics"
        ? [{}, { [SECURITY.metrics.scheme]: [] }]
        : [{ [SECURITY[op.security].scheme]: [] }];
  return {
    summary: op.summary,
    security,
    ...(op.parameters ? { parameters: op.parameters.map((p) => ({ ...p, schema: { type: "string" } })) } : {}),
    ...(op.request ? { requestBody: { required: op.security !== "admin", content: op.request } } : {}),
    responses: {
      [String(op.answer.status)]: {
        description: op.answer.description,
        content: { [op.answer.type]: { schema: op.answer.schema ?? {} } },
      },
      ...problems,
      "500": { description: "chimney failed", content: { "application/problem+json": { schema: ref("Problem") } } },
    },
  };
}

/** The document; `version` is chimney's. */
export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "chimney",
      version,
      description: "Runs Firewood's nightly performance benchmark and keeps watch over it.",
    },
    paths: Object.fromEntries(
      Object.entries(operations()).map(([p, methods]) => [
        p,
        Object.fromEntries(Object.entries(methods).map(([m, op]) => [m, operation(op)])),
      ]),
    ),
    components: {
      schemas: { Problem: schemaOf(ProblemSchema) },
      securitySchemes: Object.fromEntries(Object.values(SECURITY).map((s) => [s.scheme, s.definition])),
    },
  };
}
