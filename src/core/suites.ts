/**
 * Suites: the benchmarks chimney watches. A suite names a workflow of a repository, the
 * artifacts of its runs that hold results (names or `*`/`?` globs) and their format, how its runs
 * start (chimney dispatches the workflow on a cron, or follows every completed run on the
 * branch, whatever started it), its alert policy and its issue labels. Suites are declared in
 * one JSON document, `{"suites": [...]}` (`CHIMNEY_SUITES`, in the format of chimney.suites.json);
 * without one, chimney watches the smoke suite its variables have always described.
 */
import { FORMATS } from "./formats/index.ts";
import * as v from "valibot";
import { isRefName, REPOSITORY_NAME, WORKFLOW_FILE } from "./github-fields.ts";
import { parseJson, parseWith, strictJsonObject, type FieldIssue, type Parsed } from "./validation.ts";
import { lastScheduled, sameRepository } from "./workflow.ts";

/** What a suite's artifacts hold: the smoke metrics, or one of the parsed result formats. */
export const SUITE_FORMATS = ["smoke", ...FORMATS] as const;

export type SuiteFormat = (typeof SUITE_FORMATS)[number];

/** The formats judged against bands from a baseline file; the others have no baseline format. */
const BASELINE_FORMATS: readonly SuiteFormat[] = ["smoke", "pruning"];

/** Dispatched by chimney on a cron (UTC), or followed: every completed run on the branch. */
export type SuiteStart = "follow" | { dispatch: { cron: string } };

export interface Suite {
  name: string;
  /** `owner/name`; null only when the suite names none and `GITHUB_REPOSITORY` is not set. */
  repository: string | null;
  workflow: string;
  branch: string;
  /** Artifact names or globs (`*`, `?`); an artifact claimed by two suites goes to the first. */
  artifacts: string[];
  format: SuiteFormat;
  start: SuiteStart;
  /** The baseline file in the watched repository, read at the run's commit. */
  baseline: { path: string } | null;
  alerts: { change_points: boolean; confirm: boolean; labels: string[] };
}

/** The variables a suite falls back on: the ones that have always described the smoke suite. */
export interface SuiteSettings {
  GITHUB_REPOSITORY: string | null;
  GITHUB_WORKFLOW: string;
  GITHUB_REF: string;
  ARTIFACT_NAME: string;
  NIGHTLY_CRON: string;
  CONFIRM_REGRESSIONS: boolean;
  ALERT_LABELS: string[];
}

export const SMOKE_BASELINE_PATH = "benchmark/baselines/smoke.json";

/** What chimney watches without a suite document: the smoke suite, exactly as the variables say. */
export function defaultSuites(settings: SuiteSettings): Suite[] {
  return [
    {
      name: "smoke",
      repository: settings.GITHUB_REPOSITORY,
      workflow: settings.GITHUB_WORKFLOW,
      branch: settings.GITHUB_REF,
      artifacts: [settings.ARTIFACT_NAME],
      format: "smoke",
      start: { dispatch: { cron: settings.NIGHTLY_CRON } },
      baseline: { path: SMOKE_BASELINE_PATH },
      alerts: { change_points: true, confirm: settings.CONFIRM_REGRESSIONS, labels: settings.ALERT_LABELS },
    },
  ];
}

/**
 * Whether an artifact name matches a pattern where `*` is any run of characters and `?` any one.
 * By hand rather than picomatch (only a dependency of the test tools here): a glob library
 * speaks braces, classes and path rules the suite file does not promise, and GitHub's artifact
 * names can hold neither `*` nor `?`, so these two need no escape. Greedy with a return to the
 * last star: time in the order of pattern × name at worst, never exponential.
 */
export function artifactMatches(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    if (p < pattern.length && (pattern[p] === "?" || pattern[p] === name[n])) {
      p++;
      n++;
    } else if (p < pattern.length && pattern[p] === "*") {
      star = p++;
      resume = n;
    } else if (star >= 0) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === "*") p++;
  return p === pattern.length;
}

const FIELDS = "name, repository, workflow, branch, artifacts, format, start, baseline, alerts";
// Any fixed instant does: whether an expression ever fires does not depend on when it is asked.
const CRON_REFERENCE = new Date(Date.UTC(2026, 0, 1));

const string = v.string("must be a string");

const Cron = v.pipe(
  string,
  v.check(
    (cron) => lastScheduled(cron, CRON_REFERENCE) !== null,
    "must be a five-field cron expression (UTC) that fires, such as 0 3 * * *",
  ),
);

const Start = v.union(
  [
    v.literal("follow"),
    strictJsonObject(
      {
        dispatch: strictJsonObject(
          { cron: Cron },
          'must be {"cron": "0 3 * * *"}',
          "is not a field of dispatch (cron)",
        ),
      },
      'must be "follow" or {"dispatch": {"cron": "0 3 * * *"}}',
      "is not a field of start (dispatch)",
    ),
  ],
  'must be "follow" or {"dispatch": {"cron": "0 3 * * *"}}',
);

const Label = v.pipe(
  string,
  v.regex(/^\S(.{0,48}\S)?$/, "must be a label of 1 to 50 characters, without spaces around it"),
);

const Alerts = strictJsonObject(
  {
    change_points: v.optional(v.boolean("must be true or false"), true),
    // Its default depends on how the suite starts: filled in below.
    confirm: v.optional(v.boolean("must be true or false")),
    labels: v.optional(
      v.pipe(v.array(Label, "must be a list of labels"), v.maxLength(10, "must hold at most 10 labels")),
      ["performance"],
    ),
  },
  "must be an object with change_points, confirm and labels",
  "is not a field of alerts (change_points, confirm, labels)",
);

const SuiteSchema = strictJsonObject(
  {
    name: v.pipe(
      string,
      v.regex(/^[a-z][a-z0-9-]{0,39}$/, "must be 1 to 40 lower-case letters, digits and -, starting with a letter"),
    ),
    repository: v.optional(v.pipe(string, v.regex(REPOSITORY_NAME, "must be a repository as owner/name"))),
    workflow: v.pipe(
      string,
      v.regex(WORKFLOW_FILE, "must be a workflow file name such as perf.yml or benchmarks.yaml"),
    ),
    branch: v.optional(v.pipe(string, v.check(isRefName, "must be a branch name as git allows it"))),
    artifacts: v.pipe(
      v.array(
        v.pipe(
          string,
          v.regex(
            /^[\w.*?-]{1,100}$/,
            "must be an artifact name or a glob of up to 100 letters, digits and ._-, with * and ? as wildcards",
          ),
        ),
        "must be a list of artifact names or globs",
      ),
      v.minLength(1, "must name at least one artifact"),
      v.maxLength(32, "must hold at most 32 names or globs"),
    ),
    format: v.picklist(SUITE_FORMATS, `must be one of ${SUITE_FORMATS.join(", ")}`),
    start: Start,
    baseline: v.optional(
      strictJsonObject(
        {
          path: v.pipe(
            string,
            v.regex(
              /^(?!\/)(?!.*\.\.)[\w./-]+\.json$/,
              "must be the path of a .json file in the repository, such as benchmark/baselines/smoke.json",
            ),
          ),
        },
        'must be {"path": "benchmark/baselines/smoke.json"}',
        "is not a field of baseline (path)",
      ),
    ),
    alerts: v.optional(Alerts, {}),
  },
  "must be a suite object",
  `is not a field of a suite (${FIELDS})`,
);

const SuitesDocument = strictJsonObject(
  {
    suites: v.pipe(
      v.array(v.unknown(), "must be a list of suites"),
      v.minLength(1, "must declare at least one suite"),
      v.maxLength(32, "must declare at most 32 suites"),
    ),
  },
  'must be a JSON object {"suites": [...]}',
  "is not a field of the document (suites)",
);

/**
 * Reads a suite document (a JSON text, or the parsed document: a Workers variable may hold
 * either), filling in what a suite leaves out: the repository and branch from `settings`,
 * `confirm` true for a dispatched suite and false for a followed one.
 */
export function parseSuites(
  input: unknown,
  settings: Pick<SuiteSettings, "GITHUB_REPOSITORY" | "GITHUB_REF">,
): Parsed<Suite[]> {
  const json = typeof input === "string" ? parseJson(input, "(document)") : { ok: true as const, value: input };
  if (!json.ok) return json;
  const document = parseWith(SuitesDocument, json.value, "(document)");
  if (!document.ok) return document;

  const issues: FieldIssue[] = [];
  const suites = document.value.suites.map((input, i): Suite | null => {
    const parsed = parseWith(SuiteSchema, input, "");
    if (!parsed.ok) {
      const fieldOf = (field: string) => (field ? `suites[${i}].${field}` : `suites[${i}]`);
      issues.push(...parsed.issues.map((issue) => ({ ...issue, field: fieldOf(issue.field) })));
      return null;
    }
    const s = parsed.value;
    const dispatched = s.start !== "follow";
    const repository = s.repository ?? settings.GITHUB_REPOSITORY;
    if (s.alerts.confirm && !dispatched) {
      issues.push({
        field: `suites[${i}].alerts.confirm`,
        message: "must be false for a followed suite: chimney reruns only a workflow it dispatches",
      });
    }
    if (s.baseline && !BASELINE_FORMATS.includes(s.format)) {
      issues.push({
        field: `suites[${i}].baseline`,
        message: `a baseline file is read only for the ${BASELINE_FORMATS.join(" and ")} formats`,
      });
    }
    return {
      name: s.name,
      repository,
      workflow: s.workflow,
      branch: s.branch ?? settings.GITHUB_REF,
      artifacts: s.artifacts,
      format: s.format,
      start: s.start,
      baseline: s.baseline ?? null,
      alerts: {
        change_points: s.alerts.change_points,
        confirm: s.alerts.confirm ?? dispatched,
        labels: s.alerts.labels,
      },
    };
  });
  issues.push(...conflicts(suites));
  const valid = suites.filter((s) => s !== null);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: valid };
}

/**
 * What two suites may not both declare: one name; one workflow dispatched twice; one artifact
 * of a workflow. For artifacts, identical patterns and a name another pattern matches are
 * caught here; two globs that merely overlap (`bench-*-a`, `bench-x-*`) are not, and the first
 * suite declared takes an artifact both match.
 */
function conflicts(suites: (Suite | null)[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  suites.forEach((later, j) => {
    if (!later) return;
    for (let i = 0; i < j; i++) {
      const earlier = suites[i];
      if (!earlier) continue;
      if (earlier.name === later.name) {
        issues.push({
          field: `suites[${j}].name`,
          message: `is the name of suites[${i}] too; each suite needs a name of its own`,
        });
      }
      if (!sameWorkflow(earlier, later)) continue;
      if (earlier.start !== "follow" && later.start !== "follow") {
        issues.push({
          field: `suites[${j}].start`,
          message: `suites[${i}] already dispatches this workflow; follow it instead`,
        });
      }
      later.artifacts.forEach((pattern, k) => {
        const m = earlier.artifacts.findIndex((other) => claimsSame(other, pattern));
        if (m >= 0) {
          issues.push({
            field: `suites[${j}].artifacts[${k}]`,
            message: `suites[${i}] claims the same artifacts of this workflow (artifacts[${m}])`,
          });
        }
      });
    }
  });
  return issues;
}

function sameWorkflow(a: Suite, b: Suite): boolean {
  const repository =
    a.repository === b.repository ||
    (a.repository !== null && b.repository !== null && sameRepository(a.repository, b.repository));
  return repository && a.workflow === b.workflow;
}

const isGlob = (pattern: string) => /[*?]/.test(pattern);

function claimsSame(a: string, b: string): boolean {
  return a === b || (!isGlob(a) && artifactMatches(b, a)) || (!isGlob(b) && artifactMatches(a, b));
}
