/**
 * chimney's configuration, read from environment variables whose names are part of the
 * contract (the README's configuration table). A malformed value falls back to its default, a missing secret
 * switches off the feature that needs it, and either way the variable is named in
 * `problems` — never its value.
 */
import * as v from "valibot";
import { BaselineSchema, type Baseline } from "./baseline.ts";
import { REPOSITORY_NAME, WORKFLOW_FILE } from "./github-fields.ts";
import { defaultSuites, parseSuites, type Suite } from "./suites.ts";
import type { FieldIssue } from "./validation.ts";
import { lastScheduled } from "./workflow.ts";

export interface Config {
  GITHUB_REPOSITORY: string | null;
  GITHUB_WORKFLOW: string;
  GITHUB_REF: string;
  GITHUB_API_URL: string;
  ARTIFACT_NAME: string;
  ALERT_LABELS: string[];
  STALE_AFTER_HOURS: number;
  STATUS_CACHE_SECONDS: number;
  PERF_GRAFANA_URL: string | null;
  PERF_GRAFANA_NAMESPACE: string | null;
  DASHBOARDS_MANIFEST: string;
  SMOKE_BASELINE: Baseline | null;
  PUBLIC_URL: string | null;
  NIGHTLY_CRON: string;
  CHANGE_WINDOW: number;
  CHANGE_PVALUE: number;
  CHANGE_MAGNITUDE: number;
  CHANGE_MIN_RUNS: number;
  GITHUB_REQUEST_BUDGET: number;
  CONFIRM_REGRESSIONS: boolean;
  ALERT_IMPROVEMENTS: boolean;
  PERF_DASHBOARD_TOKEN: string | null;
  ADMIN_TOKEN: string | null;
  /** Bearer token a Prometheus scraper presents for /metrics; without it /metrics is public. */
  METRICS_TOKEN: string | null;
  GITHUB_TOKEN: string | null;
  GITHUB_APP_ID: string | null;
  GITHUB_APP_PRIVATE_KEY: string | null;
  GITHUB_APP_INSTALLATION_ID: string | null;
  GITHUB_WEBHOOK_SECRET: string | null;
  GITHUB_WEBHOOK_SECRET_PREVIOUS: string | null;
  PERF_GRAFANA_API_KEY: string | null;
  NOTIFY_WEBHOOK_URL: string | null;
  /** The suites chimney watches (core/suites.ts): by default, the smoke suite the variables above describe. */
  CHIMNEY_SUITES: Suite[];
}

/** The settings that are secrets: never shown, and scrubbed from anything logged. */
export const SECRETS = [
  "PERF_DASHBOARD_TOKEN",
  "ADMIN_TOKEN",
  "METRICS_TOKEN",
  "GITHUB_TOKEN",
  "GITHUB_APP_PRIVATE_KEY",
  "GITHUB_WEBHOOK_SECRET",
  "GITHUB_WEBHOOK_SECRET_PREVIOUS",
  "PERF_GRAFANA_API_KEY",
  "NOTIFY_WEBHOOK_URL",
] as const satisfies readonly (keyof Config)[];

export interface ConfigProblem {
  name: keyof Config;
  problem: string;
}

const url = v.pipe(
  v.string(),
  v.url(),
  v.regex(/^https?:\/\//),
  v.transform((s) => s.replace(/\/+$/, "")),
);
// The bearer-token syntax of RFC 6750 (token68): a secret outside it could never be presented.
const token = v.pipe(v.string(), v.trim(), v.regex(/^[A-Za-z0-9._~+/-]+=*$/));

const flag = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.picklist(["true", "false"]),
  v.transform((s) => s === "true"),
);

/** The variables of one value each; CHIMNEY_SUITES, a document whose defaults come from them, is read after. */
type Variable = Exclude<keyof Config, "CHIMNEY_SUITES">;

/** Each variable: its schema, its default, and what a reader needs to hear when it is unusable. */
const VARIABLES = {
  GITHUB_REPOSITORY: {
    schema: v.pipe(v.string(), v.regex(REPOSITORY_NAME)),
    fallback: null,
    expects: "owner/repo",
  },
  GITHUB_WORKFLOW: {
    schema: v.pipe(v.string(), v.regex(WORKFLOW_FILE)),
    fallback: "perf.yml",
    expects: "a workflow file name such as perf.yml",
  },
  GITHUB_REF: {
    schema: v.pipe(v.string(), v.minLength(1), v.maxLength(255), v.regex(/^[^\s~^:?*[\\]+$/)),
    fallback: "main",
    expects: "a branch or tag",
  },
  GITHUB_API_URL: { schema: url, fallback: "https://api.github.com", expects: "an http(s) URL" },
  ARTIFACT_NAME: {
    schema: v.pipe(v.string(), v.regex(/^[\w.-]{1,100}$/)),
    fallback: "smoke-benchmark",
    expects: "an artifact name",
  },
  ALERT_LABELS: {
    schema: v.pipe(
      v.string(),
      v.transform((s) =>
        s
          .split(",")
          .map((l) => l.trim())
          .filter(Boolean),
      ),
      v.check((labels) => labels.every((l) => l.length <= 50), "a label is longer than 50 characters"),
    ),
    fallback: ["performance"],
    expects: "a comma-separated list of labels",
  },
  STALE_AFTER_HOURS: {
    schema: v.pipe(v.string(), v.trim(), v.decimal(), v.transform(Number), v.minValue(1), v.maxValue(24 * 30)),
    fallback: 36,
    expects: "a number of hours between 1 and 720",
  },
  STATUS_CACHE_SECONDS: {
    schema: v.pipe(v.string(), v.trim(), v.decimal(), v.transform(Number), v.maxValue(60)),
    fallback: 5,
    expects: "a number of seconds between 0 and 60",
  },
  PERF_GRAFANA_URL: { schema: url, fallback: null, expects: "an http(s) URL" },
  PERF_GRAFANA_NAMESPACE: {
    schema: v.pipe(v.string(), v.trim(), v.regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/)),
    fallback: null,
    expects: "a Grafana namespace such as default or stacks-123",
  },
  SMOKE_BASELINE: {
    schema: v.pipe(
      v.string(),
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        try {
          return JSON.parse(dataset.value) as unknown;
        } catch {
          addIssue({ message: "is not JSON" });
          return NEVER;
        }
      }),
      BaselineSchema,
    ),
    fallback: null,
    expects: "a baseline as JSON, in the format of baselines/smoke.json",
  },
  DASHBOARDS_MANIFEST: {
    schema: v.pipe(v.string(), v.trim(), v.regex(/^(?!\/)(?!.*\.\.)[\w./-]+\.json$/)),
    fallback: "docs/performance_dashboards.json",
    expects: "a path to a .json file in the repository",
  },
  PUBLIC_URL: { schema: url, fallback: null, expects: "an http(s) URL" },
  NIGHTLY_CRON: {
    schema: v.pipe(
      v.string(),
      v.trim(),
      v.check((cron) => lastScheduled(cron, new Date()) !== null),
    ),
    fallback: "0 3 * * *",
    expects: "the nightly cron expression of wrangler.toml",
  },
  CHANGE_WINDOW: {
    schema: v.pipe(v.string(), v.trim(), v.digits(), v.transform(Number), v.minValue(6), v.maxValue(1000)),
    fallback: 50,
    expects: "a number of runs between 6 and 1000",
  },
  CHANGE_PVALUE: {
    schema: v.pipe(v.string(), v.trim(), v.decimal(), v.transform(Number), v.gtValue(0), v.ltValue(0.5)),
    fallback: 0.001,
    expects: "a significance level between 0 and 0.5, such as 0.001",
  },
  CHANGE_MAGNITUDE: {
    schema: v.pipe(v.string(), v.trim(), v.decimal(), v.transform(Number), v.minValue(0), v.maxValue(10)),
    fallback: 0,
    expects: "a relative change between 0 and 10, such as 0.05 for 5%",
  },
  CHANGE_MIN_RUNS: {
    schema: v.pipe(v.string(), v.trim(), v.digits(), v.transform(Number), v.minValue(2), v.maxValue(30)),
    fallback: 3,
    expects: "a number of runs between 2 and 30",
  },
  GITHUB_REQUEST_BUDGET: {
    schema: v.pipe(v.string(), v.trim(), v.digits(), v.transform(Number), v.minValue(5), v.maxValue(9000)),
    fallback: 40,
    expects: "a number of GitHub requests per job between 5 and 9000",
  },
  CONFIRM_REGRESSIONS: { schema: flag, fallback: true, expects: "true or false" },
  ALERT_IMPROVEMENTS: { schema: flag, fallback: true, expects: "true or false" },
  PERF_DASHBOARD_TOKEN: { schema: token, fallback: null, expects: "a token of letters, digits and ._~+/- only" },
  ADMIN_TOKEN: { schema: token, fallback: null, expects: "a token of letters, digits and ._~+/- only" },
  METRICS_TOKEN: { schema: token, fallback: null, expects: "a token of letters, digits and ._~+/- only" },
  GITHUB_TOKEN: { schema: token, fallback: null, expects: "a GitHub token" },
  GITHUB_APP_ID: {
    schema: v.pipe(v.string(), v.trim(), v.regex(/^(\d+|Iv[\w.]+)$/)),
    fallback: null,
    expects: "a GitHub App id or client id",
  },
  GITHUB_APP_PRIVATE_KEY: {
    // `wrangler secret put` keeps newlines, but a key pasted through some tools arrives with literal \n.
    schema: v.pipe(
      v.string(),
      v.transform((s) => s.replaceAll("\\n", "\n").trim()),
      v.regex(/^-----BEGIN (RSA )?PRIVATE KEY-----\n[\s\S]+\n-----END (RSA )?PRIVATE KEY-----$/),
    ),
    fallback: null,
    expects: "a PEM private key",
  },
  GITHUB_APP_INSTALLATION_ID: {
    schema: v.pipe(v.string(), v.trim(), v.regex(/^\d+$/)),
    fallback: null,
    expects: "a number",
  },
  GITHUB_WEBHOOK_SECRET: { schema: v.pipe(v.string(), v.minLength(1)), fallback: null, expects: "a secret" },
  GITHUB_WEBHOOK_SECRET_PREVIOUS: { schema: v.pipe(v.string(), v.minLength(1)), fallback: null, expects: "a secret" },
  PERF_GRAFANA_API_KEY: { schema: token, fallback: null, expects: "a Grafana service account token" },
  // Only https, with a host and no credentials in it: the alerts' text leaves over it.
  NOTIFY_WEBHOOK_URL: {
    schema: v.pipe(
      v.string(),
      v.trim(),
      v.url(),
      v.check((s) => {
        const u = new URL(s);
        return u.protocol === "https:" && u.hostname !== "" && u.username === "" && u.password === "";
      }),
    ),
    fallback: null,
    expects: "an https URL (an incoming webhook's)",
  },
} satisfies {
  [K in Variable]: { schema: v.GenericSchema<string, Config[K]>; fallback: Config[K]; expects: string };
};

/** What goes missing when a variable is not set; variables not listed are optional. */
const NEEDED_FOR: Partial<Record<keyof Config, string>> = {
  GITHUB_REPOSITORY: "the nightly loop, and links to workflow runs and commits, are off",
  PERF_DASHBOARD_TOKEN: "result uploads (POST /api/results) are refused",
  ADMIN_TOKEN: "on-demand dispatch (POST /api/dispatch) is refused",
  GITHUB_WEBHOOK_SECRET: "GitHub webhooks (POST /webhooks/github) are refused",
  PUBLIC_URL: "alert issues cannot link to chimney's run pages and artifacts",
  PERF_GRAFANA_URL: "the nightly dashboard check is off",
  PERF_GRAFANA_API_KEY: "the nightly dashboard check is off",
};

/**
 * The configuration, what is wrong with it variable by variable (`problems`), and, for the log,
 * what is wrong inside CHIMNEY_SUITES field by field (`issues`: its problem names only the fields).
 */
export function parseConfig(env: Record<string, unknown>): {
  config: Config;
  problems: ConfigProblem[];
  issues: FieldIssue[];
} {
  const problems: ConfigProblem[] = [];
  const config = {} as Record<keyof Config, unknown>;
  for (const [name, variable] of Object.entries(VARIABLES) as [Variable, (typeof VARIABLES)[Variable]][]) {
    const raw = env[name];
    if (raw === undefined || raw === null || raw === "") {
      config[name] = variable.fallback;
      const needed = NEEDED_FOR[name];
      if (needed) problems.push({ name, problem: `not set: ${needed}` });
      continue;
    }
    const parsed = v.safeParse(
      variable.schema as v.GenericSchema<unknown, unknown>,
      typeof raw === "string" ? raw : String(raw),
    );
    if (parsed.success) {
      config[name] = parsed.output;
    } else {
      config[name] = variable.fallback;
      const fallback =
        variable.fallback === null ? "it is ignored" : `using the default ${JSON.stringify(variable.fallback)}`;
      const secret = (SECRETS as readonly string[]).includes(name);
      problems.push({
        name,
        problem: `malformed: expected ${variable.expects}; ${secret ? "it is ignored" : fallback}`,
      });
    }
  }
  const parsed = config as unknown as Config;
  const app = parsed.GITHUB_APP_ID !== null || parsed.GITHUB_APP_PRIVATE_KEY !== null;
  if (app && (parsed.GITHUB_APP_ID === null || parsed.GITHUB_APP_PRIVATE_KEY === null)) {
    const missing = parsed.GITHUB_APP_ID === null ? "GITHUB_APP_ID" : "GITHUB_APP_PRIVATE_KEY";
    problems.push({
      name: missing,
      problem: "not set: a GitHub App needs both GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY",
    });
  }
  if (!githubCredentials(parsed)) {
    problems.push({
      name: "GITHUB_TOKEN",
      problem: "not set (nor a GitHub App): nightly dispatch, artifact downloads and reruns are off",
    });
  }
  const suites = readSuites(env.CHIMNEY_SUITES, parsed);
  parsed.CHIMNEY_SUITES = suites.ok ? suites.value : defaultSuites(parsed);
  if (!suites.ok) problems.push({ name: "CHIMNEY_SUITES", problem: suitesProblem(suites.issues) });
  return { config: parsed, problems, issues: suites.ok ? [] : suites.issues };
}

/** The suite document: JSON text, or (a wrangler.toml variable may be a table) the document itself. */
function readSuites(raw: unknown, config: Config) {
  return raw === undefined || raw === null || raw === ""
    ? { ok: true as const, value: defaultSuites(config) }
    : parseSuites(raw, config);
}

const NAMED_FIELDS = 10;

function suitesProblem(issues: FieldIssue[]): string {
  const fields = [...new Set(issues.map((i) => i.field))];
  const more = fields.length > NAMED_FIELDS ? ` and ${fields.length - NAMED_FIELDS} more` : "";
  return `malformed at ${fields.slice(0, NAMED_FIELDS).join(", ")}${more}: watching the default suite (smoke) instead`;
}

export type GitHubCredentials =
  | { kind: "token"; token: string }
  | { kind: "app"; appId: string; privateKey: string; installationId: string | null };

/** The GitHub credentials to use: an App when one is fully configured, else a token. */
export function githubCredentials(config: Config): GitHubCredentials | null {
  if (config.GITHUB_APP_ID !== null && config.GITHUB_APP_PRIVATE_KEY !== null) {
    return {
      kind: "app",
      appId: config.GITHUB_APP_ID,
      privateKey: config.GITHUB_APP_PRIVATE_KEY,
      installationId: config.GITHUB_APP_INSTALLATION_ID,
    };
  }
  return config.GITHUB_TOKEN !== null ? { kind: "token", token: config.GITHUB_TOKEN } : null;
}

/** Replaces every configured secret in a text (a log line, an error message) with its name. */
export function redactSecrets(text: string, config: Config): string {
  let out = text;
  for (const name of SECRETS) {
    const secret = config[name];
    if (secret) out = out.replaceAll(secret, `[${name}]`);
  }
  return out;
}
