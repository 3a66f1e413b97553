/** What the nightly loop's jobs need, injected by each entry (Workers, Deno, tests). */
import { monotonicFactory } from "ulidx";
import type { Config } from "../core/config.ts";
import type { GitHubClient } from "../github/client.ts";
import type { DashboardStore, DeliveryStore, DispatchStore, Inbox } from "../store/ports.ts";
import type { IngestDeps } from "./ingest.ts";

export interface LoopDeps extends IngestDeps {
  config: Config;
  dispatches: DispatchStore;
  deliveries: DeliveryStore;
  inbox: Inbox;
  dashboards: DashboardStore;
  /** A GitHub client with a fresh request budget, or null when no credentials are configured. */
  github: () => GitHubClient | null;
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
