/** What the nightly loop's jobs need, built once by `wire()` for each entry (Workers, Deno, tests). */
import { monotonicFactory } from "ulidx";
import type { Baseline, BaselineSource } from "../core/baseline.ts";
import type { Config } from "../core/config.ts";
import type { GitHubClient } from "../github/client.ts";
import type { Identity } from "../core/own-comment.ts";
import type { BaselineCaches } from "../core/baseline-cache.ts";
import type { PruningBaseline } from "../core/pruning.ts";
import type { GrafanaOptions } from "../grafana/client.ts";
import type { Stores } from "../store/ports.ts";

/** GitHub, when credentials and GITHUB_REPOSITORY are configured. */
export interface GitHubAccess {
  /**
   * A client with a fresh request budget (one per job), bound to `repository` (GITHUB_REPOSITORY
   * unless a suite's own is named); `client.for` reaches another repository on the same budget.
   */
  client: (repository?: string) => GitHubClient;
  /** Who chimney is on GitHub, to tell its own comments from others' (core/own-comment.ts). */
  identity: (client: GitHubClient) => Promise<Identity>;
  /** `owner/name` of GITHUB_REPOSITORY: the smoke suite's nightly loop, and where alert issues are written. */
  repository: string;
}

export interface LoopDeps extends Stores {
  config: Config;
  baseline: Baseline;
  /**
   * Where `baseline` comes from, as chimney's reports name it. It judges a run when there is no
   * baseline file to read at the run's commit, and is the fallback when that file cannot be used.
   */
  baselineSource: BaselineSource;
  /**
   * The bundled pruning baseline (`baselines/pruning.json`): it judges a pruning result when there
   * is no baseline file to read at the run's commit, and is the fallback when that file cannot be used.
   */
  pruningBaseline: { baseline: PruningBaseline; source: BaselineSource };
  /** Baseline files read from the repository, parsed, by format and blob sha. */
  baselines: BaselineCaches;
  /** The branch whose runs count for the signal (GITHUB_REF): the only name for it in the jobs. */
  trackedRef: string;
  github: GitHubAccess | null;
  /** The live Grafana the dashboard check reads, when PERF_GRAFANA_URL and its key are set. */
  grafana: GrafanaOptions | null;
  /** The outgoing webhook every alert event is posted to (NOTIFY_WEBHOOK_URL), when it is set and https. */
  notify: { url: string; fetch: typeof fetch } | null;
  /** Whether a suspect night is benchmarked again before alerting (CONFIRM_REGRESSIONS, with GitHub). */
  confirm: boolean;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** One structured log line; the entry scrubs secrets from it. */
  log: (event: Record<string, unknown>) => void;
}

const nextUlid = monotonicFactory();

/** A sortable id for a run GitHub did not number (an upload without a run id, a missed night). */
export function newRunId(at: Date): string {
  return nextUlid(at.getTime());
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
