/** Where a result comes from: its GitHub run, commit and ref, as an upload states them. */
import type { GitHubRunRef } from "./run.ts";
import { invalid, ok, type FieldIssue, type Parsed } from "./validation.ts";

export interface Provenance {
  github: GitHubRunRef | null;
  sha: string | null;
  ref: string | null;
}

export const PROVENANCE_FIELDS = ["run_id", "run_attempt", "sha", "ref"] as const;
export type ProvenanceField = (typeof PROVENANCE_FIELDS)[number];

const RULES: Record<ProvenanceField, { pattern: RegExp; expects: string }> = {
  run_id: { pattern: /^[1-9]\d{0,15}$/, expects: "a GitHub Actions run id (a positive whole number)" },
  run_attempt: { pattern: /^[1-9]\d{0,4}$/, expects: "a run attempt (a positive whole number)" },
  sha: { pattern: /^[0-9a-f]{7,64}$/i, expects: "a commit SHA (7 to 64 hex digits)" },
  // Git allows most printable characters in a ref; these are the ones it refuses.
  ref: { pattern: /^(?!.*\.\.)(?!.*@\{)[^\s\x00-\x1f\x7f~^:?*[\\]{1,255}$/, expects: "a git branch, tag or ref" },
};

export function parseProvenance(fields: Partial<Record<ProvenanceField, string>>): Parsed<Provenance> {
  const issues: FieldIssue[] = [];
  const value = (name: ProvenanceField): string | null => {
    const raw = fields[name];
    if (raw === undefined || raw === "") return null;
    if (!RULES[name].pattern.test(raw)) {
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
