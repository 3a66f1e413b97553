/**
 * The shapes of chimney's HTTP answers that clients read, as valibot schemas: the OpenAPI
 * document (`http/openapi.ts`) describes them, and the CLI (`cli/chimney-api.ts`) parses the
 * answers with them instead of trusting a cast.
 */
import * as v from "valibot";

const RUN_STATES = ["dispatched", "running", "passed", "regressed", "crashed", "missed"] as const;

const FieldIssue = v.object({ field: v.string(), message: v.string() });

/** RFC 9457 problem details (`http/problem.ts`). */
export const ProblemSchema = v.looseObject({
  type: v.string(),
  title: v.string(),
  status: v.number(),
  detail: v.string(),
  errors: v.optional(v.array(FieldIssue)),
});

/** One run of the history, as `GET /runs` lists it. */
export const RunEntrySchema = v.looseObject({
  id: v.string(),
  state: v.picklist(RUN_STATES),
  at: v.string(),
  sha: v.nullable(v.string()),
  ref: v.nullable(v.string()),
  mainline: v.boolean(),
  throughput_ops_per_sec: v.nullable(v.number()),
  total_duration_ms: v.nullable(v.number()),
  per_batch_p95_ms: v.nullable(v.number()),
  url: v.optional(v.string()),
});

export const RunsPageSchema = v.object({ runs: v.array(RunEntrySchema), cursor: v.nullable(v.string()) });

/** `POST /api/results` with a smoke result. */
export const UploadAnswerSchema = v.looseObject({
  outcome: v.picklist(["created", "updated", "unchanged"]),
  run: v.looseObject({ id: v.string(), state: v.picklist(RUN_STATES), links: v.looseObject({ self: v.string() }) }),
  evaluation: v.unknown(),
});

const SeriesImportSchema = v.looseObject({
  key: v.string(),
  name: v.string(),
  unit: v.string(),
  points: v.number(),
  added: v.number(),
  conflicts: v.number(),
  change_points: v.number(),
});

/** `POST /api/import`: series of github-action-benchmark data, or runs of smoke results. */
export const ImportAnswerSchema = v.variant("format", [
  v.object({ format: v.literal("github-action-benchmark"), series: v.array(SeriesImportSchema) }),
  v.object({
    format: v.literal("results"),
    runs: v.object({
      created: v.number(),
      unchanged: v.number(),
      conflicts: v.array(v.object({ field: v.string(), reason: v.string() })),
    }),
    analysis: v.looseObject({ runs: v.number(), changes: v.array(v.unknown()) }),
  }),
]);

/** `POST /api/dispatch`. */
export const DispatchAnswerSchema = v.object({
  correlation_id: v.string(),
  /** The suite dispatched by name, or null when the request named none (the smoke suite's workflow). */
  suite: v.nullable(v.string()),
  state: v.string(),
  ref: v.nullable(v.string()),
  pr_number: v.nullable(v.number()),
  run_id: v.nullable(v.string()),
  run_url: v.nullable(v.string()),
});

/** `GET /badge`: a shields.io endpoint. */
export const BadgeSchema = v.looseObject({
  schemaVersion: v.literal(1),
  label: v.string(),
  message: v.string(),
  color: v.string(),
});

export const HealthzSchema = v.object({ ok: v.literal(true) });
