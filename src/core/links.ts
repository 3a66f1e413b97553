/** Addresses of pages: GitHub's web pages for a repository, and chimney's own. */

/**
 * The web address of the GitHub instance an API URL belongs to: api.github.com → github.com
 * (and api.<tenant>.ghe.com → <tenant>.ghe.com); GitHub Enterprise Server's https://host/api/v3 → https://host.
 */
export function githubWebUrl(apiUrl: string): string {
  if (/\/api\/v3$/.test(apiUrl)) return apiUrl.replace(/\/api\/v3$/, "");
  return apiUrl.replace(/^(https?:\/\/)api\./, "$1");
}

export function repositoryUrl(apiUrl: string, repository: string): string {
  return `${githubWebUrl(apiUrl)}/${repository}`;
}

export function runPageUrl(base: string, id: string): string {
  return `${base}/runs/${encodeURIComponent(id)}`;
}

export function artifactUrl(base: string, id: string, name: string): string {
  return `${runPageUrl(base, id)}/artifacts/${encodeURIComponent(name)}`;
}

/** A workflow run attempt's page: GitHub's own address when known, else built from the repository's. */
export function workflowRunUrl(
  repoUrl: string | null,
  github: { run_id: number; run_attempt: number; html_url: string | null } | null,
): string | null {
  if (!github) return null;
  const page = github.html_url ?? (repoUrl ? `${repoUrl}/actions/runs/${github.run_id}` : null);
  return page ? `${page}/attempts/${github.run_attempt}` : null;
}
