/** How runs and the status look over HTTP: the records plus the links a reader follows. */
import type { Config } from "../core/config.ts";
import type { ChangeReport, RunChange } from "../core/drift.ts";
import type { HistoryEntry } from "../core/history.ts";
import { artifactUrl, repositoryUrl, runPageUrl, workflowRunUrl } from "../core/links.ts";
import type { Run } from "../core/run.ts";

export interface Links {
  /** The base of chimney's own links: PUBLIC_URL, else "" (paths on chimney's own origin). */
  base: string;
  config: Config;
}

export function runUrl(links: Links, id: string): string {
  return runPageUrl(links.base, id);
}

function repoUrl(links: Links): string | null {
  const repo = links.config.GITHUB_REPOSITORY;
  return repo ? repositoryUrl(links.config.GITHUB_API_URL, repo) : null;
}

/** A run, with the change points that begin at it (`changesAt`). */
export function runView(links: Links, run: Run, changes: readonly RunChange[] = []) {
  const repo = repoUrl(links);
  const { identity: _identity, ...record } = run;
  return {
    ...record,
    confirmation: run.confirmation && {
      ...run.confirmation,
      url: run.confirmation.run_id ? runUrl(links, run.confirmation.run_id) : null,
    },
    change_points: changes.map((c) => changeView(links, c)),
    artifacts: run.artifacts.map((a) => ({ ...a, url: artifactUrl(links.base, run.id, a.name) })),
    links: {
      self: runUrl(links, run.id),
      workflow_run: workflowRunUrl(repo, run.github),
      commit: repo && run.sha ? `${repo}/commit/${run.sha}` : null,
    },
  };
}

export function entryView(links: Links, entry: HistoryEntry) {
  return { ...entry, url: runUrl(links, entry.id) };
}

export function changeView(links: Links, change: RunChange) {
  const repo = repoUrl(links);
  return {
    ...change,
    url: runUrl(links, change.run_id),
    before_url: runUrl(links, change.before_run_id),
    compare: repo && change.before_sha && change.sha ? `${repo}/compare/${change.before_sha}...${change.sha}` : null,
  };
}

export function changeReportView(links: Links, report: ChangeReport) {
  return { ...report, changes: report.changes.map((c) => changeView(links, c)) };
}
