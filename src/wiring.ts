/**
 * What every entry (Workers, Deno) does the same way: read the configuration from the
 * environment, choose the baseline, make GitHub clients, scrub logs, and wire the jobs to
 * the stores the entry provides.
 */
import smokeBaseline from "../baselines/smoke.json" with { type: "json" };
import { parseBaseline, type BaselineSource } from "./core/baseline.ts";
import { githubCredentials, parseConfig, redactSecrets, type Config } from "./core/config.ts";
import { appAuth, tokenAuth } from "./github/auth.ts";
import { GitHubClient, type Auth } from "./github/client.ts";
import type { AppDeps } from "./http/deps.ts";
import type { Stores } from "./store/ports.ts";

/** The outside world: the entry's own, or local emulators in tests. */
export interface Outside {
  fetch: typeof fetch;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  write: (line: string) => void;
}

/** GitHub requests one job may make: Workers allow 50 subrequests per invocation on the free plan. */
const GITHUB_BUDGET = 40;

export function defaultOutside(): Outside {
  return {
    fetch: (input, init) => fetch(input, init),
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    write: (line) => console.log(line),
  };
}

export function wire(env: Record<string, unknown>, outside: Outside, stores: (config: Config) => Stores): AppDeps {
  const { config, problems } = parseConfig(env);
  const bundled = parseBaseline(smokeBaseline);
  if (!bundled.ok)
    throw new Error(`baselines/smoke.json is invalid: ${bundled.issues[0].field}: ${bundled.issues[0].message}`);
  const baselineSource: BaselineSource = config.SMOKE_BASELINE
    ? { type: "File", path: "$SMOKE_BASELINE" }
    : { type: "File", path: "baselines/smoke.json" };
  return {
    config,
    configProblems: problems,
    baseline: config.SMOKE_BASELINE ?? bundled.value,
    baselineSource,
    trackedRef: config.GITHUB_REF,
    ...stores(config),
    github: githubFactory(config, outside),
    grafanaFetch: outside.fetch,
    now: () => new Date(outside.now()),
    sleep: outside.sleep,
    log: (event) =>
      outside.write(redactSecrets(JSON.stringify({ at: new Date(outside.now()).toISOString(), ...event }), config)),
  };
}

function githubFactory(config: Config, outside: Outside): () => GitHubClient | null {
  const credentials = githubCredentials(config);
  const repository = config.GITHUB_REPOSITORY;
  if (!credentials || !repository) return () => null;
  // One Auth per isolate or process, so a GitHub App's installation token is reused.
  const auth: Auth =
    credentials.kind === "token" ? tokenAuth(credentials.token) : appAuth(credentials, { now: outside.now });
  return () =>
    new GitHubClient({
      apiUrl: config.GITHUB_API_URL,
      repository,
      auth,
      fetch: outside.fetch,
      clock: { now: outside.now, sleep: outside.sleep },
      budget: GITHUB_BUDGET,
    });
}
