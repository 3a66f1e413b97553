/**
 * What every entry (Workers, Deno) does the same way: read the configuration from the
 * environment, choose the baseline, build the capabilities (GitHub, Grafana, confirming runs)
 * once, scrub logs, and wire the jobs to the stores the entry provides.
 */
import pruningBaseline from "../baselines/pruning.json" with { type: "json" };
import smokeBaseline from "../baselines/smoke.json" with { type: "json" };
import { parseBaseline, type BaselineSource } from "./core/baseline.ts";
import { githubCredentials, parseConfig, type Config, type ConfigProblem } from "./core/config.ts";
import { structuredLog } from "./core/log.ts";
import { appAuth, tokenAuth } from "./github/auth.ts";
import { identityOf } from "./github/identity.ts";
import { GitHubClient, type Auth } from "./github/client.ts";
import { RequestTally } from "./github/tally.ts";
import type { GrafanaOptions } from "./grafana/client.ts";
import { baselineCaches } from "./core/baseline-cache.ts";
import { parsePruningBaseline } from "./core/pruning.ts";
import type { GitHubAccess, LoopDeps } from "./jobs/deps.ts";
import type { Stores } from "./store/ports.ts";

/** What the HTTP app and the ticks need: the loop's dependencies and the configuration problems to report. */
export interface AppDeps extends LoopDeps {
  configProblems: ConfigProblem[];
  /** GitHub requests of this isolate not yet added to the health counters (`flushHealth`). */
  githubRequests: RequestTally;
}

/** The outside world: the entry's own, or local emulators in tests. */
export interface Outside {
  fetch: typeof fetch;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  write: (line: string) => void;
}

export function defaultOutside(): Outside {
  return {
    fetch: (input, init) => fetch(input, init),
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    write: (line) => console.log(line),
  };
}

export function wire(env: Record<string, unknown>, outside: Outside, stores: (config: Config) => Stores): AppDeps {
  const { config, problems, issues } = parseConfig(env);
  const bundled = parseBaseline(smokeBaseline);
  if (!bundled.ok) {
    throw new Error(`baselines/smoke.json is invalid: ${bundled.issues[0].field}: ${bundled.issues[0].message}`);
  }
  const bundledPruning = parsePruningBaseline(pruningBaseline);
  if (!bundledPruning.ok) {
    const [issue] = bundledPruning.issues;
    throw new Error(`baselines/pruning.json is invalid: ${issue.field}: ${issue.message}`);
  }
  const baselineSource: BaselineSource = config.SMOKE_BASELINE
    ? { type: "File", path: "$SMOKE_BASELINE" }
    : { type: "File", path: "baselines/smoke.json" };
  const githubRequests = new RequestTally();
  const github = githubAccess(config, outside, githubRequests);
  const log = structuredLog(config, outside.write, outside.now);
  // The problem in /status names the fields; the log says what is wrong with each.
  if (issues.length > 0) log({ event: "config_invalid", name: "CHIMNEY_SUITES", issues });
  return {
    config,
    configProblems: problems,
    githubRequests,
    baseline: config.SMOKE_BASELINE ?? bundled.value,
    baselineSource,
    pruningBaseline: { baseline: bundledPruning.value, source: { type: "File", path: "baselines/pruning.json" } },
    baselines: baselineCaches(),
    trackedRef: config.GITHUB_REF,
    ...stores(config),
    github,
    grafana: grafanaOptions(config, outside),
    notify: config.NOTIFY_WEBHOOK_URL ? { url: config.NOTIFY_WEBHOOK_URL, fetch: outside.fetch } : null,
    confirm: config.CONFIRM_REGRESSIONS && github !== null,
    now: () => new Date(outside.now()),
    sleep: outside.sleep,
    log,
  };
}

function githubAccess(config: Config, outside: Outside, tally: RequestTally): GitHubAccess | null {
  const credentials = githubCredentials(config);
  const repository = config.GITHUB_REPOSITORY;
  if (!credentials || !repository) return null;
  const counted = tally.counting(outside.fetch);
  // One Auth per isolate or process, so a GitHub App's installation token is reused.
  const auth: Auth =
    credentials.kind === "token"
      ? tokenAuth(credentials.token)
      : appAuth(credentials, { now: outside.now }, repository);
  return {
    repository,
    identity: identityOf(credentials),
    client: (of = repository) =>
      new GitHubClient({
        apiUrl: config.GITHUB_API_URL,
        repository: of,
        auth,
        fetch: counted,
        clock: { now: outside.now, sleep: outside.sleep },
        budget: config.GITHUB_REQUEST_BUDGET,
      }),
  };
}

function grafanaOptions(config: Config, outside: Outside): GrafanaOptions | null {
  const { PERF_GRAFANA_URL: url, PERF_GRAFANA_API_KEY: apiKey, PERF_GRAFANA_NAMESPACE: namespace } = config;
  return url && apiKey ? { url, apiKey, namespace, fetch: outside.fetch } : null;
}
