/** What the nightly loop's jobs need, injected by each entry (Workers, Deno, tests). */
import { monotonicFactory } from "ulidx";
import type { Baseline, BaselineSource } from "../core/baseline.ts";
import type { Config } from "../core/config.ts";
import type { GitHubClient } from "../github/client.ts";
import type { Stores } from "../store/ports.ts";

export interface LoopDeps extends Stores {
  config: Config;
  baseline: Baseline;
  /** Where `baseline` comes from, as chimney's reports name it. */
  baselineSource: BaselineSource;
  /** The branch whose runs count for the signal (GITHUB_REF). */
  trackedRef: string;
  /** A GitHub client with a fresh request budget, or null when no credentials are configured. */
  github: () => GitHubClient | null;
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
