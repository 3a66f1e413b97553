/**
 * The fields chimney takes from GitHub (webhook payloads and API answers), checked before use:
 * each one ends up in a link, an API path or a record, so a signed payload cannot smuggle a
 * `javascript:` link or a path into any of them.
 */
import * as v from "valibot";
import { githubWebUrl } from "./links.ts";

/** A run, job or artifact id: a positive whole number that a JavaScript number holds exactly. */
export const githubId = v.pipe(
  v.number("must be a number"),
  v.safeInteger(`must be a whole number no larger than ${Number.MAX_SAFE_INTEGER}`),
  v.minValue(1, "must be at least 1"),
);

/** A full commit id, lower-cased as chimney keeps it. */
export const commitSha = v.pipe(
  v.string("must be a string"),
  v.regex(/^[0-9a-f]{40}$/i, "must be a commit id of 40 hex digits"),
  v.toLowerCase(),
);

/** A status, conclusion or event name as GitHub spells them (`in_progress`, `startup_failure`). */
export const githubWord = v.pipe(v.string("must be a string"), v.regex(/^[a-z_]{1,40}$/, "must be a GitHub keyword"));

export const timestamp = v.pipe(
  v.string("must be a string"),
  v.isoTimestamp("must be an ISO 8601 time such as 2026-11-29T03:00:00Z"),
);

/** A repository as `owner/name`. */
export const REPOSITORY_NAME = /^[\w.-]+\/[\w.-]+$/;

/** A workflow's file name in `.github/workflows`: `perf.yml`, `benchmarks.yaml`. */
export const WORKFLOW_FILE = /^[\w.-]+\.ya?ml$/;

const REF_BYTES = 255;
const encoder = new TextEncoder();

/**
 * Whether git takes `name` as a branch or ref name (`git check-ref-format --branch`): no `..`,
 * `@{`, `//`, control characters, space or any of `~^:?*[\`; no leading `-` or `/`, no
 * trailing `/` or `.`, no part that starts with `.` or ends with `.lock`, not `@`.
 */
export function isRefName(name: string): boolean {
  if (name === "" || name === "@" || encoder.encode(name).byteLength > REF_BYTES) return false;
  if (/[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|\/\/|^[-/]|[/.]$/.test(name)) return false;
  return name.split("/").every((part) => !part.startsWith(".") && !part.endsWith(".lock"));
}

export const refName = v.pipe(
  v.string("must be a string"),
  v.check(isRefName, "must be a branch or ref name as git allows it"),
);

/**
 * The web origins GitHub's links may point to: github.com, and the instance `GITHUB_API_URL`
 * belongs to (GitHub Enterprise). Only that configured origin may be plain http (a local sandbox).
 */
function webOrigins(apiUrl: string): string[] {
  return ["https://github.com", new URL(githubWebUrl(apiUrl)).origin];
}

/** Whether `url` is a page of GitHub itself, with no credentials in it. */
export function isGitHubPage(url: string, apiUrl: string): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  return webOrigins(apiUrl).includes(parsed.origin) && parsed.username === "" && parsed.password === "";
}

export const githubPage = (apiUrl: string) =>
  v.pipe(
    v.string("must be a string"),
    v.check((url) => isGitHubPage(url, apiUrl), `must be an https link to ${webOrigins(apiUrl).join(" or ")}`),
  );
