import { describe, expect, it } from "vitest";
import {
  claimable,
  issueStep,
  leased,
  planSubjects,
  planWrites,
  runSubject,
  finishedWrite,
  transition,
  type Alert,
  type AlertWrite,
} from "../../src/core/alert.ts";
import { newRun, type Run } from "../../src/core/run.ts";

const run = (id: string, state: Run["state"], at: string, extra: Partial<Run> = {}) =>
  newRun({ id, state, at, mainline: true, ...extra });
const NOW = "2026-11-29T04:00:00.000Z";

describe("what a run says about each problem", () => {
  it.each([
    [
      "passed",
      [
        ["regression:smoke", false],
        ["crash:smoke", false],
        ["missed:smoke", false],
      ],
    ],
    [
      "regressed",
      [
        ["regression:smoke", true],
        ["crash:smoke", false],
        ["missed:smoke", false],
      ],
    ],
    [
      "crashed",
      [
        ["crash:smoke", true],
        ["missed:smoke", false],
      ],
    ],
    ["missed", [["missed:smoke", true]]],
    ["running", []],
  ] as const)("a %s run", (state, expected) => {
    expect(runSubject(run("1-1", state, NOW)).verdicts.map((v) => [v.fingerprint, v.bad])).toEqual(expected);
  });

  it("says nothing for a crash being rerun, a pull request's run, or another branch's", () => {
    const rerun = runSubject(
      run("1-1", "crashed", NOW, {
        dispatch: { correlation_id: "c", kind: "manual", pr_number: 7 },
        failure: { reason: "x", job: null, step: null, log_url: null, rerun_requested: true },
      }),
    );
    expect(rerun).toMatchObject({ verdicts: [], pr_number: null });
    expect(
      runSubject(run("1-1", "regressed", NOW, { dispatch: { correlation_id: "c", kind: "manual", pr_number: 7 } })),
    ).toMatchObject({ verdicts: [], pr_number: 7 });
    expect(runSubject(run("1-1", "regressed", NOW, { mainline: false })).verdicts).toEqual([]);
  });
});

describe("an alert's lifecycle", () => {
  const bad = { fingerprint: "regression:smoke", kind: "regression" as const, suite: "smoke", bad: true };
  const good = { ...bad, bad: false };

  it("opens on a bad night, reports every further one, and resolves on a good one", () => {
    const opened = transition(null, bad, run("1-1", "regressed", "2026-11-27T03:00:00Z"));
    expect(opened.action).toBe("report_bad");
    expect(opened.alert).toMatchObject({ state: "open", opened_by: "1-1", issue_number: null });
    const again = transition(
      { ...opened.alert!, issue_number: 5 },
      bad,
      run("2-1", "regressed", "2026-11-28T03:00:00Z"),
    );
    expect(again.action).toBe("report_bad");
    expect(again.alert).toMatchObject({ opened_by: "1-1", issue_number: 5, last_run_id: "2-1" });
    const resolved = transition(again.alert, good, run("3-1", "passed", "2026-11-29T03:00:00Z"));
    expect(resolved.action).toBe("report_recovered");
    expect(resolved.alert?.state).toBe("resolved");
    expect(transition(resolved.alert, good, run("4-1", "passed", "2026-11-30T03:00:00Z")).action).toBe(null);
  });

  it("starts a new episode, keeping the last issue to link, on a bad night after a good one", () => {
    const resolved: Alert = {
      fingerprint: "regression:smoke",
      kind: "regression",
      suite: "smoke",
      state: "resolved",
      issue_number: 5,
      issue_url: "u",
      opened_by: "1-1",
      opened_at: "a",
      last_run_id: "3-1",
      last_run_at: "2026-11-29T03:00:00Z",
    };
    const next = transition(resolved, bad, run("4-1", "regressed", "2026-11-30T03:00:00Z"));
    expect(next.alert).toMatchObject({ state: "open", opened_by: "4-1", issue_number: 5 });
  });

  it("ignores the same run twice and a run older than the last one that spoke", () => {
    const opened = transition(null, bad, run("2-1", "regressed", "2026-11-28T03:00:00Z")).alert!;
    expect(transition(opened, bad, run("2-1", "regressed", "2026-11-28T03:00:00Z")).action).toBe(null);
    expect(transition(opened, good, run("1-1", "passed", "2026-11-27T03:00:00Z")).action).toBe(null);
  });

  it("needs no alert for a good night with no problem", () => {
    expect(transition(null, good, run("1-1", "passed", NOW))).toEqual({ alert: null, action: null });
  });
});

describe("the outbox", () => {
  it("plans one write per problem that changes, and a pull request comment for a PR's run", () => {
    const planned = planWrites(new Map(), runSubject(run("1-1", "regressed", NOW)), 1, NOW);
    expect(planned.writes.map((w) => [w.id, w.action, w.seq])).toEqual([["regression:smoke@1-1", "report_bad", 1]]);
    const pr = planWrites(
      new Map(),
      runSubject(run("2-1", "passed", NOW, { dispatch: { correlation_id: "c", kind: "manual", pr_number: 12 } })),
      2,
      NOW,
    );
    expect(pr.writes.map((w) => [w.id, w.action, w.pr_number])).toEqual([["pull-request:12@2-1", "pr_comment", 12]]);
  });

  const write = (id: string, seq: number, fingerprint: string, extra: Partial<AlertWrite> = {}): AlertWrite => ({
    id,
    seq,
    fingerprint,
    action: "report_bad",
    subject_id: "1-1",
    pr_number: null,
    state: "pending",
    attempts: 0,
    lease_until: null,
    last_error: null,
    created_at: NOW,
    ...extra,
  });

  it("sends a problem's writes in order, never a comment before its issue", () => {
    const now = Date.parse(NOW);
    const writes = [write("a", 1, "regression:smoke"), write("b", 2, "regression:smoke"), write("c", 3, "crash:smoke")];
    expect(claimable(writes, now, 10).map((w) => w.id)).toEqual(["a", "c"]);
    const sending = [leased(writes[0], now), writes[1], writes[2]];
    expect(claimable(sending, now, 10).map((w) => w.id)).toEqual(["c"]);
    expect(claimable(sending, now + 3 * 60_000, 10).map((w) => w.id)).toEqual(["a", "c"]);
    expect(claimable([finishedWrite(sending[0], { error: null }), writes[1]], now, 10).map((w) => w.id)).toEqual(["b"]);
  });

  it("puts a failed write back in the queue, and gives it up after ten attempts", () => {
    const tried = leased(write("a", 1, "regression:smoke", { attempts: 3 }), Date.parse(NOW));
    expect(finishedWrite(tried, { error: "502" })).toMatchObject({
      state: "pending",
      attempts: 4,
      last_error: "502",
      lease_until: null,
    });
    expect(finishedWrite({ ...tried, attempts: 10 }, { error: "422" }).state).toBe("abandoned");
  });
});

describe("the issue lifecycle", () => {
  it.each([
    ["report_bad", null, { kind: "open", previous: null }],
    ["report_bad", { number: 7, state: "open" }, { kind: "comment", on: 7, close: false }],
    ["report_bad", { number: 7, state: "closed" }, { kind: "open", previous: 7 }],
    ["report_recovered", null, { kind: "nothing" }],
    ["report_recovered", { number: 7, state: "open" }, { kind: "comment", on: 7, close: true }],
    ["report_recovered", { number: 7, state: "closed" }, { kind: "comment", on: 7, close: false }],
  ] as const)("%s with the issue %j: %j", (action, current, step) => {
    expect(issueStep(action, current)).toEqual(step);
  });
});

describe("a settlement's writes", () => {
  it("applies its subjects in order, each seeing the alerts the one before left, and queues the dispatch last", () => {
    const bad = runSubject(run("1-1", "regressed", "2026-11-29T01:00:00.000Z"));
    const worse = runSubject(run("2-1", "regressed", "2026-11-29T02:00:00.000Z"));
    const planned = planSubjects(new Map(), [bad, worse], { correlation_id: "chimney-confirm-2-1" }, 5, NOW);
    expect(planned.writes.map((w) => [w.id, w.action, w.seq])).toEqual([
      ["regression:smoke@1-1", "report_bad", 5],
      ["regression:smoke@2-1", "report_bad", 6],
      ["dispatch@chimney-confirm-2-1", "dispatch", 7],
    ]);
    const regression = planned.alerts.find((a) => a.fingerprint === "regression:smoke");
    expect(regression).toMatchObject({ opened_by: "1-1", last_run_id: "2-1" });
    expect(planned.writes[2]).toMatchObject({
      fingerprint: "dispatch:chimney-confirm-2-1",
      subject_id: "chimney-confirm-2-1",
    });
  });
});
