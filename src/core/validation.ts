import * as v from "valibot";

/** One thing wrong with an input, naming the field as a reader of the file would (`per_batch_ms[3]`). */
export interface FieldIssue {
  field: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] };

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const invalid = <T = never>(...issues: FieldIssue[]): Parsed<T> => ({ ok: false, issues });

/** The field path of a valibot issue: `a.b[2].c`; the root is `(body)`. */
export function fieldOf(path: readonly v.IssuePathItem[] | undefined, root = "(body)"): string {
  if (!path || path.length === 0) return root;
  let field = "";
  for (const item of path) {
    const key = item.key;
    if (typeof key === "number") field += `[${key}]`;
    else field += field ? `.${String(key)}` : String(key);
  }
  return field;
}

/**
 * Runs a schema and turns its issues into field issues; the first issue per field is kept.
 * `root` names the input itself, for an issue with the whole of it.
 */
export function parseWith<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  root = "(body)",
): Parsed<v.InferOutput<S>> {
  const result = v.safeParse(schema, input);
  if (result.success) return ok(result.output);
  const seen = new Set<string>();
  const issues: FieldIssue[] = [];
  for (const issue of result.issues) {
    const field = fieldOf(issue.path, root);
    if (seen.has(field)) continue;
    seen.add(field);
    // valibot reports a missing key with the message of the object that lacks it, expecting the key's name.
    const missing =
      issue.path !== undefined &&
      issue.kind === "schema" &&
      issue.input === undefined &&
      /^".*"$/.test(issue.expected ?? "");
    issues.push({ field, message: missing ? "is required" : issue.message });
  }
  return { ok: false, issues };
}

/** `JSON.parse` whose failure is a field issue instead of an exception. */
export function parseJson(text: string, field = "(body)"): Parsed<unknown> {
  if (text.trim() === "") return invalid({ field, message: "is empty; expected a JSON document" });
  try {
    return ok(JSON.parse(text));
  } catch (error) {
    return invalid({ field, message: `is not valid JSON (${(error as Error).message})` });
  }
}

export const finiteNonNegative = (what: string) =>
  v.pipe(
    v.number(`must be a number (${what})`),
    v.finite(`must be a finite number (${what})`),
    v.minValue(0, `must not be negative (${what})`),
  );

export const positiveInteger = (what: string) =>
  v.pipe(
    v.number(`must be a number (${what})`),
    v.integer(`must be a whole number (${what})`),
    v.minValue(1, `must be at least 1 (${what})`),
    v.maxValue(Number.MAX_SAFE_INTEGER, `is too large (${what})`),
  );

/** `v.object` that also refuses arrays (valibot's object accepts any non-null object). */
export function jsonObject<const E extends v.ObjectEntries>(entries: E, message: string) {
  return v.pipe(
    v.custom<Record<string, unknown>>(
      (input) => typeof input === "object" && input !== null && !Array.isArray(input),
      message,
    ),
    v.object(entries, message),
  );
}

/**
 * `jsonObject` that also refuses a key it does not know, so that a misspelt field is named
 * instead of ignored: `message` when the input is not an object, `unknownKey` for such a key.
 */
export function strictJsonObject<const E extends v.ObjectEntries>(entries: E, message: string, unknownKey: string) {
  return v.pipe(
    v.custom<Record<string, unknown>>(
      (input) => typeof input === "object" && input !== null && !Array.isArray(input),
      message,
    ),
    v.strictObject(entries, unknownKey),
  );
}
