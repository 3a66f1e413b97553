import { describe, expect, it } from "vitest";
import { decide, planWrites, type Acceptance, type Alert, type AlertDecision } from "../../src/core/alert.ts";
import { DEFAULT_OPTIONS } from "../../src/core/changepoints/analysis.ts";
import { driftSubject, type ChangeReport, type RunChange } from "../../src/core/drift.ts";
import { commandOfComment, commandOfLabel, mayCommand, snoozeDuration } from "../../src/core/issue-command.ts";
import { measure, parseSmokeMetrics } from "../../src/core/metrics.ts";
import { newRun } from "../../src/core/run.ts";
import { planSettlement } from "../../src/core/settle.ts";
import { metricsAt } from "../support/nights.ts";
import { settleContext } from "../support/settle.ts";

const NOW = "2026-11-30T04:00:00.000Z";
const HOUR = 3_600_000;

describe("a maintainer's command", () => {
  it.each<[string, ReturnType<typeof commandOfComment>]>([
    ["/chimney accept", { kind: "accept" }],
    ["Expected after #1742.\r\n  /chimney accept  ", { kind: "accept" }],
    ["/chimney snooze 7d", { kind: "snooze", ms: 7 * 24 * HOUR }],
    ["/chimney snooze 12h", { kind: "snooze", ms: 12 * HOUR }],
    ["/chimney snooze 90d", { kind: "snooze", ms: 90 * 24 * HOUR }],
    ["no command here, not even /chimney in the middle", null],
    ["/chimneys accept", null],
  ])("reads %j", (body, command) => {
    expect(commandOfComment(body)).toEqual(command);
  });

  it.each([
    "/chimney snooze 91d",
    "/chimney snooze 0d",
    "/chimney snooze forever",
    "/chimney snooze",
    "/chimney snooze 1d 2h",
    "/chimney snooze 1.5d",
    "/chimney snooze -3d",
  ])("refuses %j, saying which durations it takes", (body) => {
    const command = commandOfComment(body);
    expect(command?.kind).toBe("refused");
    expect(command?.kind === "refused" && command.reason).toContain("from `1h` to `90d`");
  });

  it("quotes an unknown command back without markdown or mentions", () => {
    const command = commandOfComment("/chimney `ping` @everyone [x](javascript:alert(1))");
    const quoted = command?.kind === "refused" ? /, not "(.*)"\.$/.exec(command.reason)?.[1] : null;
    expect(quoted).toBe("/chimney ?ping? ?everyone ?x??javascript");
  });

  it("reads chimney's labels alone; the snooze label is seven days", () => {
    expect(commandOfLabel("perf-accepted")).toEqual({ kind: "accept" });
    expect(commandOfLabel("perf-snoozed")).toEqual({ kind: "snooze", ms: 7 * 24 * HOUR });
    expect(commandOfLabel("perf-regression")).toBeNull();
    expect(snoozeDuration("2160h")).toBe(90 * 24 * HOUR);
    expect(snoozeDuration("2161h")).toBeNull();
  });

  it.each<[string, string | null, boolean]>([
    ["admin", "admin", true],
    ["write", "maintain", true],
    ["write", "write", true],
    ["read", "triage", false],
    ["read", "read", false],
    ["none", null, false],
  ])("permission %s (role %s) may command: %s", (permission, role, may) => {
    expect(mayCommand({ permission, role_name: role })).toBe(may);
  });
});

const acceptance: Acceptance = {
  by: "perf-oncall",
  at: NOW,
  issue_number: 3,
  baseline: {
    throughput_ops_per_sec: { lower: 5800, upper: 7850 },
    total_duration_ms: { lower: 62, upper: 84 },
    per_batch_p95_ms: { lower: 12, upper: 17 },
  },
  runs: ["7001-1"],
};
const open: Alert = {
  fingerprint: "regression:smoke",
  kind: "regression",
  suite: "smoke",
  state: "open",
  issue_number: 3,
  issue_url: "https://github.com/HUBId/chain/issues/3",
  opened_by: "7001-1",
  opened_at: "2026-11-29T03:00:00.000Z",
  last_run_id: "7001-1",
  last_run_at: "2026-11-29T03:00:00.000Z",
};
const snooze = (command: string): AlertDecision => ({
  kind: "snooze",
  fingerprint: open.fingerprint,
  snooze: { until: "2026-12-07T04:00:00.000Z", by: "perf-oncall", command },
});

describe("deciding on an alert", () => {
  it("accepting ends the open episode with its level; a closed alert takes no decision", () => {
    expect(decide(open, { kind: "accept", fingerprint: open.fingerprint, acceptance })).toMatchObject({
      state: "resolved",
      accepted: acceptance,
    });
    expect(
      decide({ ...open, state: "resolved" }, { kind: "accept", fingerprint: open.fingerprint, acceptance }),
    ).toBeNull();
    expect(decide(null, snooze("comment-1"))).toBeNull();
  });

  it("the same snooze command twice writes once; another command snoozes anew", () => {
    const subject = (command: string) => ({
      id: `snooze@${command}`,
      at: NOW,
      verdicts: [],
      pr_number: null,
      decision: snooze(command),
    });
    const first = planWrites(new Map([[open.fingerprint, open]]), subject("comment-1"), 1, NOW);
    expect(first.writes.map((w) => `${w.id} ${w.action}`)).toEqual([
      "regression:smoke@snooze@comment-1 report_snoozed",
    ]);
    const snoozed = first.alerts[0];
    expect(planWrites(new Map([[open.fingerprint, snoozed]]), subject("comment-1"), 2, NOW).writes).toEqual([]);
    expect(planWrites(new Map([[open.fingerprint, snoozed]]), subject("comment-2"), 2, NOW).writes).toHaveLength(1);
  });

  it("a bad night keeps the episode's snooze; a new episode starts without it or the acceptance", () => {
    const verdict = { fingerprint: open.fingerprint, kind: "regression" as const, suite: "smoke", bad: true };
    const snoozed: Alert = { ...open, snooze: { until: "2026-12-07T04:00:00.000Z", by: "perf-oncall", command: "c" } };
    const still = planWrites(
      new Map([[open.fingerprint, snoozed]]),
      { id: "7002-1", at: "2026-11-30T03:00:00.000Z", verdicts: [verdict], pr_number: null },
      1,
      NOW,
    );
    expect(still.alerts[0].snooze).toEqual(snoozed.snooze);
    const accepted = { ...open, state: "resolved" as const, accepted: acceptance };
    const again = planWrites(
      new Map([[open.fingerprint, accepted]]),
      { id: "7003-1", at: "2026-12-01T03:00:00.000Z", verdicts: [verdict], pr_number: null },
      1,
      NOW,
    );
    expect(again.alerts[0]).toMatchObject({ state: "open", opened_by: "7003-1" });
    expect(again.alerts[0].accepted).toBeUndefined();
  });
});

const nightAt = (slowdown: number) => {
  const parsed = parseSmokeMetrics(metricsAt(slowdown));
  if (!parsed.ok) throw new Error("the fixture is a valid result");
  return newRun({
    id: "7004-1",
    state: "regressed",
    at: "2026-11-30T03:00:00.000Z",
    mainline: true,
    sha: "a".repeat(40),
    github: { run_id: 7004, run_attempt: 1, html_url: null },
    measurements: measure(parsed.value),
    dispatch: { correlation_id: "chimney-nightly-2026-11-30", kind: "nightly", pr_number: null, confirms: null },
  });
};

describe("an accepted level while it stays", () => {
  const verdicts = (plan: ReturnType<typeof planSettlement>) =>
    plan.subjects.flatMap((s) => s.verdicts.map((v) => `${v.fingerprint}=${v.bad ? "bad" : "good"}`));

  it("a night out of its band but at the accepted level is no news and no suspect", () => {
    const plan = planSettlement({ run: nightAt(1.5), revision: "1" }, settleContext(NOW, { accepted: [acceptance] }));
    expect(plan.dispatch).toBeNull();
    expect(plan.runs).toEqual([]);
    expect(verdicts(plan)).toContain("regression:smoke=good");
  });

  it("a night beyond the accepted level is suspect again", () => {
    const plan = planSettlement({ run: nightAt(2.2), revision: "1" }, settleContext(NOW, { accepted: [acceptance] }));
    expect(plan.dispatch).not.toBeNull();
  });

  it("a drift to the accepted level is no news; a drift beyond it is", () => {
    const drift = (mean: number) =>
      ({
        metric: "throughput_ops_per_sec",
        run_id: "7001-1",
        before_run_id: "7000-1",
        mean_after: mean,
        direction: "worse",
        at: NOW,
      }) as RunChange;
    const report = (mean: number): ChangeReport => ({
      computed_at: NOW,
      latest_run_id: "7004-1",
      runs: 20,
      options: DEFAULT_OPTIONS,
      changes: [drift(mean)],
      evidence: [drift(mean)],
      drifts: [drift(mean)],
      min_runs: 3,
      from_run_id: "6990-1",
      complete: true,
      settles_drift: true,
    });
    expect(driftSubject(report(6800), false, [acceptance])).toBeNull();
    expect(driftSubject(report(5000), false, [acceptance])?.verdicts[0].bad).toBe(true);
    expect(driftSubject(report(6800), false)?.verdicts[0].bad).toBe(true);
  });
});
