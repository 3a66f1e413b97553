import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/core/config.ts";
import { artifactMatches, defaultSuites, parseSuites, type Suite } from "../../src/core/suites.ts";
import shipped from "../../chimney.suites.json";
import firewood from "../../suites/firewood.json";

const SETTINGS = { GITHUB_REPOSITORY: "HUBId/chain", GITHUB_REF: "main" };

const smoke = {
  name: "smoke",
  repository: "HUBId/chain",
  workflow: "perf.yml",
  artifacts: ["smoke-benchmark"],
  format: "smoke",
  start: { dispatch: { cron: "0 3 * * *" } },
  baseline: { path: "benchmark/baselines/smoke.json" },
};

const followed = {
  name: "cargo",
  repository: "ava-labs/firewood",
  workflow: "benchmarks.yaml",
  artifacts: ["bench-output-*"],
  format: "cargo",
  start: "follow",
};

/** The issues of a document, as `field: message` lines. */
function issuesOf(document: unknown, settings = SETTINGS): string[] {
  const parsed = parseSuites(document, settings);
  if (parsed.ok) throw new Error("expected issues, the document parsed");
  return parsed.issues.map((i) => `${i.field}: ${i.message}`);
}

/** The fields named by the issues of one suite declared with `changes` over the smoke suite. */
const fieldsWith = (changes: Record<string, unknown>) =>
  issuesOf({ suites: [{ ...smoke, ...changes }] }).map((line) => line.split(":")[0]);

describe("parseSuites", () => {
  it("fills in what a suite leaves out", () => {
    const parsed = parseSuites(
      {
        suites: [
          { name: "smoke", workflow: "perf.yml", artifacts: ["smoke-benchmark"], format: "smoke", start: smoke.start },
          followed,
        ],
      },
      SETTINGS,
    );
    expect(parsed).toEqual({
      ok: true,
      value: [
        {
          name: "smoke",
          repository: "HUBId/chain",
          workflow: "perf.yml",
          branch: "main",
          artifacts: ["smoke-benchmark"],
          format: "smoke",
          start: { dispatch: { cron: "0 3 * * *" } },
          baseline: null,
          alerts: { change_points: true, confirm: true, labels: ["performance"] },
        },
        {
          name: "cargo",
          repository: "ava-labs/firewood",
          workflow: "benchmarks.yaml",
          branch: "main",
          artifacts: ["bench-output-*"],
          format: "cargo",
          start: "follow",
          baseline: null,
          // A followed suite cannot be confirmed: chimney does not start its runs.
          alerts: { change_points: true, confirm: false, labels: ["performance"] },
        },
      ] satisfies Suite[],
    });
  });

  it("reads a JSON text as well as a parsed document, as CHIMNEY_SUITES arrives either way", () => {
    const document = { suites: [smoke] };
    expect(parseSuites(JSON.stringify(document), SETTINGS)).toEqual(parseSuites(document, SETTINGS));
    expect(issuesOf("{ not json")[0]).toMatch(/^\(document\): is not valid JSON/);
    expect(issuesOf("")).toEqual(["(document): is empty; expected a JSON document"]);
  });

  it("leaves the repository unset when neither the suite nor GITHUB_REPOSITORY names one", () => {
    const { repository, ...rest } = smoke;
    const parsed = parseSuites({ suites: [rest] }, { GITHUB_REPOSITORY: null, GITHUB_REF: "main" });
    expect(parsed.ok && parsed.value[0].repository).toBe(null);
    expect(repository).toBe("HUBId/chain");
  });

  it.each([
    [null, "(document)"],
    [[], "(document)"],
    [{}, "suites"],
    [{ suites: [] }, "suites"],
    [{ suites: [smoke], extra: 1 }, "extra"],
    [{ suites: [5] }, "suites[0]"],
  ])("names what is wrong with the document %j", (document, field) => {
    expect(issuesOf(document).map((line) => line.split(":")[0])).toEqual([field]);
  });

  it.each([
    ["name", { name: "Smoke" }],
    ["name", { name: "9lives" }],
    ["name", { name: "a".repeat(41) }],
    ["name", { name: undefined }],
    ["repository", { repository: "chain" }],
    ["repository", { repository: "HUBId/chain/perf" }],
    ["workflow", { workflow: "perf.json" }],
    ["workflow", { workflow: ".github/workflows/perf.yml" }],
    ["workflow", { workflow: undefined }],
    ["branch", { branch: "a..b" }],
    ["branch", { branch: "" }],
    ["artifacts", { artifacts: [] }],
    ["artifacts", { artifacts: "smoke-benchmark" }],
    ["artifacts[1]", { artifacts: ["smoke-benchmark", "smoke/*"] }],
    ["artifacts[0]", { artifacts: ["bench-[ab]"] }],
    ["artifacts[0]", { artifacts: [""] }],
    ["format", { format: "criterion-json" }],
    ["format", { format: undefined }],
    ["start", { start: "dispatch" }],
    ["start", { start: { dispatch: {} } }],
    ["start.dispatch.cron", { start: { dispatch: { cron: "every night" } } }],
    ["start.dispatch.cron", { start: { dispatch: { cron: "0 3 * *" } } }],
    ["start.dispatch.cron", { start: { dispatch: { cron: "0 0 31 2 *" } } }],
    ["baseline", { baseline: "benchmark/baselines/smoke.json" }],
    ["baseline.path", { baseline: { path: "/etc/smoke.json" } }],
    ["baseline.path", { baseline: { path: "../smoke.json" } }],
    ["baseline.path", { baseline: { path: "benchmark/baselines/smoke.toml" } }],
    ["alerts.change_points", { alerts: { change_points: "yes" } }],
    ["alerts.confirm", { alerts: { confirm: 1 } }],
    ["alerts.labels", { alerts: { labels: "performance" } }],
    ["alerts.labels[1]", { alerts: { labels: ["performance", ""] } }],
    ["alerts.labels[0]", { alerts: { labels: ["x".repeat(51)] } }],
    ["alerts.severity", { alerts: { severity: "high" } }],
    ["artifact", { artifact: "smoke-benchmark" }],
  ])("names suites[0].%s for a bad field", (field, changes) => {
    expect(fieldsWith(changes)).toEqual([`suites[0].${field}`]);
  });

  it("says what a field expects, without repeating the value it was given", () => {
    const lines = issuesOf({
      suites: [
        { ...smoke, workflow: "secret-looking-value.txt", artifact: "x", start: { dispatch: { cron: "nope" } } },
      ],
    });
    expect(lines).toEqual([
      "suites[0].workflow: must be a workflow file name such as perf.yml or benchmarks.yaml",
      "suites[0].start.dispatch.cron: must be a five-field cron expression (UTC) that fires, such as 0 3 * * *",
      "suites[0].artifact: is not a field of a suite (name, repository, workflow, branch, artifacts, format, start, baseline, alerts)",
    ]);
    expect(lines.join("\n")).not.toContain("secret-looking-value");
  });

  it("refuses a followed suite that asks to be confirmed: chimney cannot rerun what it does not dispatch", () => {
    expect(issuesOf({ suites: [{ ...followed, alerts: { confirm: true } }] })).toEqual([
      "suites[0].alerts.confirm: must be false for a followed suite: chimney reruns only a workflow it dispatches",
    ]);
  });

  it("accepts another suite dispatched on its cron in GITHUB_REPOSITORY, confirmed by default", () => {
    const criterion = {
      ...followed,
      name: "criterion",
      repository: undefined,
      format: "criterion",
      artifacts: ["benchmark-results"],
      start: { dispatch: { cron: "30 2 * * 1-5" } },
    };
    const parsed = parseSuites({ suites: [smoke, criterion] }, SETTINGS);
    expect(parsed.ok && parsed.value[1]).toMatchObject({
      repository: "HUBId/chain",
      start: { dispatch: { cron: "30 2 * * 1-5" } },
      alerts: { confirm: true },
    });
  });

  it("takes a suite dispatched in another repository: it is dispatched in its own", () => {
    const parsed = parseSuites({ suites: [{ ...followed, start: { dispatch: { cron: "0 4 * * *" } } }] }, SETTINGS);
    expect(parsed.ok && parsed.value[0]).toMatchObject({
      repository: "ava-labs/firewood",
      start: { dispatch: { cron: "0 4 * * *" } },
    });
  });

  it("reads a baseline only for the formats judged against bands", () => {
    expect(issuesOf({ suites: [{ ...followed, baseline: { path: "benchmark/baselines/cargo.json" } }] })).toEqual([
      "suites[0].baseline: a baseline file is read only for the smoke and pruning formats",
    ]);
  });

  it("refuses two suites of one name", () => {
    expect(issuesOf({ suites: [smoke, { ...followed, name: "smoke" }] })).toEqual([
      "suites[1].name: is the name of suites[0] too; each suite needs a name of its own",
    ]);
  });

  it("refuses a second suite dispatching the same workflow, which would start it twice", () => {
    const pruning = {
      ...smoke,
      name: "pruning",
      artifacts: ["pruning-benchmark-*"],
      format: "pruning",
      baseline: undefined,
    };
    expect(issuesOf({ suites: [smoke, pruning] })).toEqual([
      "suites[1].start: suites[0] already dispatches this workflow; follow it instead",
    ]);
    expect(parseSuites({ suites: [smoke, { ...pruning, start: "follow" }] }, SETTINGS).ok).toBe(true);
  });

  it("lets suites share a workflow, but not an artifact", () => {
    const criterion = { ...followed, name: "criterion", format: "criterion", artifacts: ["benchmark-results"] };
    expect(parseSuites({ suites: [followed, criterion] }, SETTINGS).ok).toBe(true);
    expect(
      issuesOf({ suites: [followed, { ...criterion, artifacts: ["benchmark-results", "bench-output-*"] }] }),
    ).toEqual(["suites[1].artifacts[1]: suites[0] claims the same artifacts of this workflow (artifacts[0])"]);
    // A name one pattern matches is claimed twice, whichever suite names it.
    expect(issuesOf({ suites: [followed, { ...criterion, artifacts: ["bench-output-firewood-hashops"] }] })).toEqual([
      "suites[1].artifacts[0]: suites[0] claims the same artifacts of this workflow (artifacts[0])",
    ]);
    expect(issuesOf({ suites: [{ ...criterion, artifacts: ["bench-output-x"] }, followed] })).toEqual([
      "suites[1].artifacts[0]: suites[0] claims the same artifacts of this workflow (artifacts[0])",
    ]);
    // The same repository however it is spelt, and the one GITHUB_REPOSITORY names when a suite names none.
    const upper = { ...criterion, repository: "AVA-LABS/Firewood", artifacts: ["bench-output-*"] };
    expect(issuesOf({ suites: [followed, upper] })).toHaveLength(1);
    const { repository: _, ...unnamed } = upper;
    expect(
      issuesOf({ suites: [followed, unnamed] }, { GITHUB_REPOSITORY: "ava-labs/firewood", GITHUB_REF: "main" }),
    ).toHaveLength(1);
    // Two patterns that merely overlap cannot be told apart statically: the first suite declared wins.
    expect(parseSuites({ suites: [followed, { ...criterion, artifacts: ["bench-*-hashops"] }] }, SETTINGS).ok).toBe(
      true,
    );
    // Another workflow, or another repository, is another set of artifacts.
    expect(
      parseSuites({ suites: [followed, { ...followed, name: "b", workflow: "bench-rust.yaml" }] }, SETTINGS).ok,
    ).toBe(true);
    expect(
      parseSuites({ suites: [followed, { ...followed, name: "b", repository: "HUBId/chain" }] }, SETTINGS).ok,
    ).toBe(true);
  });
});

describe("artifactMatches", () => {
  it.each([
    ["smoke-benchmark", "smoke-benchmark", true],
    ["smoke-benchmark", "smoke-benchmark-2", false],
    ["smoke-benchmark", "Smoke-benchmark", false],
    ["bench-output-*", "bench-output-firewood-hashops", true],
    ["bench-output-*", "bench-output-", true],
    ["bench-output-*", "bench-output", false],
    ["bench-output-*", "benchmark-results", false],
    ["*", "anything", true],
    ["*", "", true],
    ["pruning-benchmark-*-bf?", "pruning-benchmark-io-uring-bf16", false],
    ["pruning-benchmark-*-bf??", "pruning-benchmark-io-uring-bf16", true],
    ["pruning-benchmark-*-bf*", "pruning-benchmark-standard-bf256", true],
    ["*-bf16", "pruning-benchmark-standard-bf256", false],
    ["a*b*c", "abc", true],
    ["a*b*c", "aXbYbZc", true],
    ["a*b*c", "aXbYcZ", false],
    ["?", "", false],
    ["cchain-output-*", "cchain-output-daily-40m-41m", true],
    // Only * and ? are wildcards: everything else is itself.
    ["bench.output", "benchXoutput", false],
    ["bench-[ab]", "bench-a", false],
  ])("%s matches %s: %s", (pattern, name, expected) => {
    expect(artifactMatches(pattern, name)).toBe(expected);
  });

  it("takes time linear in the name for a pattern of many stars", () => {
    const started = performance.now();
    expect(artifactMatches(`${"*a".repeat(50)}b`, "a".repeat(10_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe("defaultSuites", () => {
  it("is the smoke suite today's variables describe", () => {
    expect(defaultSuites(parseConfig({ GITHUB_REPOSITORY: "ava-labs/firewood" }).config)).toEqual([
      {
        name: "smoke",
        repository: "ava-labs/firewood",
        workflow: "perf.yml",
        branch: "main",
        artifacts: ["smoke-benchmark"],
        format: "smoke",
        start: { dispatch: { cron: "0 3 * * *" } },
        baseline: { path: "benchmark/baselines/smoke.json" },
        alerts: { change_points: true, confirm: true, labels: ["performance"] },
      },
    ] satisfies Suite[]);
  });

  it("follows every variable that shapes the smoke suite", () => {
    const { config } = parseConfig({
      GITHUB_REPOSITORY: "HUBId/chain",
      GITHUB_WORKFLOW: "smoke.yaml",
      GITHUB_REF: "release/1.2",
      ARTIFACT_NAME: "smoke-results",
      NIGHTLY_CRON: "30 1 * * 1-5",
      CONFIRM_REGRESSIONS: "false",
      ALERT_LABELS: "performance,smoke-benchmark",
    });
    expect(defaultSuites(config)).toEqual([
      {
        name: "smoke",
        repository: "HUBId/chain",
        workflow: "smoke.yaml",
        branch: "release/1.2",
        artifacts: ["smoke-results"],
        format: "smoke",
        start: { dispatch: { cron: "30 1 * * 1-5" } },
        baseline: { path: "benchmark/baselines/smoke.json" },
        alerts: { change_points: true, confirm: false, labels: ["performance", "smoke-benchmark"] },
      },
    ]);
  });

  it("is as a suite file would declare it: the defaults parse back to themselves", () => {
    const { config } = parseConfig({ GITHUB_REPOSITORY: "HUBId/chain", ALERT_LABELS: "performance,smoke-benchmark" });
    const suites = defaultSuites(config);
    expect(parseSuites({ suites }, config)).toEqual({ ok: true, value: suites });
  });
});

describe("the suite files chimney ships", () => {
  it("chimney.suites.json: HUBId/chain's smoke suite as chimney watches it today, and its pruning variants", () => {
    const { config } = parseConfig({ GITHUB_REPOSITORY: "HUBId/chain", ALERT_LABELS: "performance,smoke-benchmark" });
    const parsed = parseSuites(shipped, config);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const [smoke, pruning] = parsed.value;
    // wrangler.toml's variables, pointed at HUBId/chain, describe the same smoke suite.
    expect(smoke).toEqual(defaultSuites(config)[0]);
    expect(pruning).toMatchObject({
      repository: "HUBId/chain",
      workflow: "perf.yml",
      format: "pruning",
      start: "follow",
      baseline: { path: "benchmark/baselines/pruning.json" },
    });
    // The matrix of perf.yml's pruning job, and nothing of the smoke job.
    for (const variant of ["standard-bf16", "io-uring-bf16", "standard-bf256", "io-uring-bf256"])
      expect(artifactMatches(pruning.artifacts[0], `pruning-benchmark-${variant}`)).toBe(true);
    expect(artifactMatches(pruning.artifacts[0], "smoke-benchmark")).toBe(false);
  });

  it("suites/firewood.json: ava-labs/firewood's benchmark workflow, followed as it runs", () => {
    const parsed = parseSuites(firewood, { GITHUB_REPOSITORY: "HUBId/chain", GITHUB_REF: "main" });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    expect(parsed.value.map((s) => [s.name, s.repository, s.workflow, s.start, s.format, s.artifacts])).toEqual([
      [
        "cchain-reexecution",
        "ava-labs/firewood",
        "benchmarks.yaml",
        "follow",
        "customBiggerIsBetter",
        ["cchain-output-*"],
      ],
      ["rust-benches", "ava-labs/firewood", "benchmarks.yaml", "follow", "cargo", ["bench-output-*"]],
      ["criterion", "ava-labs/firewood", "benchmarks.yaml", "follow", "criterion", ["benchmark-results"]],
    ]);
    // One artifact per bench target, and each belongs to one suite only.
    const claims = (name: string) => parsed.value.filter((s) => s.artifacts.some((p) => artifactMatches(p, name)));
    for (const name of ["bench-output-firewood-hashops", "cchain-output-daily-40m-41m", "benchmark-results"])
      expect(claims(name)).toHaveLength(1);
  });
});
