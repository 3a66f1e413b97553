/** Where a result comes from: its GitHub run, commit and ref, as an upload states them. */
import { isRefName } from "./github-fields.ts";
import type { GitHubRunRef } from "./run.ts";
import { invalid, ok, type FieldIssue, type Parsed } from "./validation.ts";

export interface Provenance {
  github: GitHubRunRef | null;
  sha: string | null;
  ref: string | null;
}

export const PROVENANCE_FIELDS = ["run_id", "run_attempt", "sha", "ref"] as const;
export type ProvenanceField = (typeof PROVENANCE_FIELDS)[number];

const wholeNumber = (s: string) => /^[1-9]\d*$/.test(s);

const RULES: Record<ProvenanceField, { test: (raw: string) => boolean; expects: string }> = {
  run_id: { test: wholeNumber, expects: "a GitHub Actions run id (a positive whole number)" },
  run_attempt: { test: wholeNumber, expects: "a run attempt (a positive whole number)" },
  sha: { test: (s) => /^[0-9a-f]{7,64}$/i.test(s), expects: "a commit SHA (7 to 64 hex digits)" },
  ref: { test: isRefName, expects: "a git branch, tag or ref" },
};

export function parseProvenance(fields: Partial<Record<ProvenanceField, string>>): Parsed<Provenance> {
  const issues: FieldIssue[] = [];
  const value = (name: ProvenanceField): string | null => {
    const raw = fields[name];
    if (raw === undefined || raw === "") return null;
    if (!RULES[name].test(raw)) {
      issues.push({ field: name, message: `must be ${RULES[name].expects}` });
      return null;
    }
    return raw;
  };
  const runId = value("run_id");
  const attempt = value("run_attempt");
  const sha = value("sha");
  const ref = value("ref");
  if (attempt !== null && runId === null && !issues.some((i) => i.field === "run_id")) {
    issues.push({ field: "run_attempt", message: "needs run_id: an attempt belongs to a run" });
  }
  if (issues.length > 0) return invalid(...issues);
  return ok({
    github:
      runId === null
        ? null
        : { run_id: Number(runId), run_attempt: attempt === null ? 1 : Number(attempt), html_url: null },
    sha: sha === null ? null : sha.toLowerCase(),
    ref,
  });
}

/**
 * Ids a JavaScript number cannot hold exactly: `9007199254740993` would be kept as `…992`, the
 * id of another run. Well-formed, so the upload is refused as invalid (422), not malformed.
 */
export function unsafeIds(provenance: Provenance): FieldIssue[] {
  const github = provenance.github;
  if (!github) return [];
  return (["run_id", "run_attempt"] as const)
    .filter((field) => !Number.isSafeInteger(github[field]))
    .map((field) => ({ field, message: `must be at most ${Number.MAX_SAFE_INTEGER}` }));
}
