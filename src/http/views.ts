/** How runs and the status look over HTTP: the records plus the links a reader follows. */
import type { Config } from "../core/config.ts";
import type { HistoryEntry } from "../core/history.ts";
import type { Run } from "../core/run.ts";

/**
 * The web address of the GitHub instance an API URL belongs to: api.github.com → github.com
 * (and api.<tenant>.ghe.com → <tenant>.ghe.com); GitHub Enterprise Server's https://host/api/v3 → https://host.
 */
export function githubWebUrl(apiUrl: string): string {
  if (/\/api\/v3$/.test(apiUrl)) return apiUrl.replace(/\/api\/v3$/, "");
  return apiUrl.replace(/^(https?:\/\/)api\./, "$1");
}

export interface Links {
  /** Absolute base for chimney's own links: PUBLIC_URL, else the request's origin. */
  base: string;
  config: Config;
}

export function runUrl(links: Links, id: string): string {
  return `${links.base}/runs/${encodeURIComponent(id)}`;
}

export function artifactUrl(links: Links, id: string, name: string): string {
  return `${runUrl(links, id)}/artifacts/${encodeURIComponent(name)}`;
}

function repoUrl(links: Links): string | null {
  const repo = links.config.GITHUB_REPOSITORY;
  return repo ? `${githubWebUrl(links.config.GITHUB_API_URL)}/${repo}` : null;
}

export function runView(links: Links, run: Run) {
  const repo = repoUrl(links);
  const { identity: _identity, ...record } = run;
  return {
    ...record,
    artifacts: run.artifacts.map((a) => ({ ...a, url: artifactUrl(links, run.id, a.name) })),
    links: {
      self: runUrl(links, run.id),
      workflow_run: workflowRunUrl(repo, run),
      commit: repo && run.sha ? `${repo}/commit/${run.sha}` : null,
    },
  };
}

function workflowRunUrl(repo: string | null, run: Run): string | null {
  if (!run.github) return null;
  const page = run.github.html_url ?? (repo ? `${repo}/actions/runs/${run.github.run_id}` : null);
  return page ? `${page}/attempts/${run.github.run_attempt}` : null;
}

export function entryView(links: Links, entry: HistoryEntry) {
  return { ...entry, url: runUrl(links, entry.id) };
}
