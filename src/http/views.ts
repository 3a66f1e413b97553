/** How runs and the status look over HTTP: the records plus the links a reader follows. */
import type { Config } from "../core/config.ts";
import type { HistoryEntry } from "../core/history.ts";
import type { Run } from "../core/run.ts";

/** The web address of the GitHub instance the API URL belongs to (github.com or GHES). */
export function githubWebUrl(apiUrl: string): string {
  if (apiUrl === "https://api.github.com") return "https://github.com";
  return apiUrl.replace(/\/api\/v3$/, "");
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
      workflow_run: repo && run.github ? `${repo}/actions/runs/${run.github.run_id}/attempts/${run.github.run_attempt}` : null,
      commit: repo && run.sha ? `${repo}/commit/${run.sha}` : null,
    },
  };
}

export function entryView(links: Links, entry: HistoryEntry) {
  return { ...entry, url: runUrl(links, entry.id) };
}
