import { beforeEach, describe, expect, it } from "vitest";
import regressed from "../fixtures/smoke-metrics-regressed.json";
import passing from "../fixtures/smoke-metrics.json";
import type { EmulatedRun } from "../../sandbox/github.ts";
import { harness, RECONCILE, resetStorage } from "./harness.ts";

beforeEach(() => resetStorage());

type Harness = ReturnType<typeof harness>;

/** chimney as deployed by default: a lone bad night is benchmarked again before anyone hears of it. */
function confirming(start = "2026-11-20T03:00:00.000Z") {
  return harness(start, { CONFIRM_REGRESSIONS: "true", PUBLIC_URL: "https://chimney.test" });
}

/** The run chimney dispatched to confirm a suspect, finished as asked and reported. */
async function finishConfirmation(h: Harness, outcome: "pass" | "regress"): Promise<EmulatedRun> {
  const run = [...h.github.runs.values()].at(-1)!;
  expect(run.display_title).toMatch(/chimney-confirm-/);
  // main moved on meanwhile: the run's head is not the commit it benchmarks.
  h.github.addCommit("a commit that landed after the suspect night");
  run.head_sha = h.github.commits.at(-1)!.sha;
  h.clock.advance(3_600_000);
  h.github.complete(run.id, {
    conclusion: "success",
    files: { "smoke-metrics.json": JSON.stringify(outcome === "pass" ? passing : regressed) },
  });
  expect((await h.deliver(run, "completed")).status).toBe(202);
  return run;
}

const dispatches = (h: Harness) => h.github.calls("POST", /\/actions\/workflows\/perf\.yml\/dispatches$/);

describe("a suspect night is benchmarked again before alerting", () => {
  it("dispatches the same commit once more, and a passing re-run means no issue", async () => {
    const h = confirming();
    await h.night(passing);
    const suspect = await h.night(regressed, "A commit that only looks slow");
    expect(h.github.alertIssues()).toEqual([]);
    expect(dispatches(h)).toBe(3);

    const record = (await h.runRecord(`${suspect.id}-1`))!;
    expect(record.state).toBe("regressed");
    expect(record.confirmation).toMatchObject({
      state: "pending",
      correlation_id: `chimney-confirm-${suspect.id}-1`,
      run_id: null,
    });
    const rerun = [...h.github.runs.values()].at(-1)!;
    expect(rerun.head_branch).toBe("main");
    expect(rerun.inputs).toEqual({ correlation_id: `chimney-confirm-${suspect.id}-1`, ref: suspect.head_sha });

    const confirmation = await finishConfirmation(h, "pass");
    expect(h.github.alertIssues()).toEqual([]);
    const settled = (await h.runRecord(`${suspect.id}-1`))!;
    expect(settled.confirmation).toMatchObject({
      state: "refuted",
      run_id: `${confirmation.id}-1`,
      url: `https://chimney.test/runs/${confirmation.id}-1`,
    });
    const rerunRecord = (await h.runRecord(`${confirmation.id}-1`))!;
    expect(rerunRecord).toMatchObject({
      state: "passed",
      mainline: true,
      sha: suspect.head_sha,
      dispatch: { kind: "confirm", confirms: `${suspect.id}-1` },
    });
    const status = (await (await h.request("/status")).json()) as Record<string, any>;
    expect(status.state).toBe("passing");
    expect(status.latest_run.id).toBe(`${confirmation.id}-1`);
  });

  it("opens one issue from a confirming run that regressed too, naming the suspect", async () => {
    const h = confirming();
    await h.night(passing);
    const suspect = await h.night(regressed);
    const confirmation = await finishConfirmation(h, "regress");
    const [issue, ...others] = h.github.alertIssues();
    expect(others).toEqual([]);
    expect(issue.body).toContain(`[\`${confirmation.id}-1\`](https://chimney.test/runs/${confirmation.id}-1)`);
    expect(issue.body).toContain(
      `chimney benchmarked this commit a second time because run \`${suspect.id}-1\` was out of its band: it is out again`,
    );
    expect(issue.body).toContain(`at \`${suspect.head_sha.slice(0, 12)}\``);
    expect((await h.runRecord(`${suspect.id}-1`))!.confirmation.state).toBe("confirmed");

    // The regression is known now: the next bad night is reported at once, not confirmed again.
    await h.night(regressed);
    expect(dispatches(h)).toBe(4);
    expect(issue.comments).toHaveLength(1);
    expect(issue.comments[0]).toContain("Still regressed");
  });

  it("dispatches one confirming run when the suspect's completion is delivered twice at once", async () => {
    const h = confirming();
    await h.night(passing);
    h.clock.advance(24 * 3_600_000);
    await h.cron("0 3 * * *");
    const run = [...h.github.runs.values()].at(-1)!;
    h.github.complete(run.id, { conclusion: "success", files: { "smoke-metrics.json": JSON.stringify(regressed) } });
    const answers = await Promise.all([h.deliver(run, "completed"), h.deliver(run, "completed")]);
    expect(answers.map((r) => r.status)).toEqual([202, 202]);
    expect(dispatches(h)).toBe(3);
    expect([...h.github.runs.values()].filter((r) => r.display_title.includes("chimney-confirm-"))).toHaveLength(1);
  });

  it("leaves the suspect to the next night when the confirming run cannot be dispatched: a good night means no issue", async () => {
    const h = confirming();
    await h.night(passing);
    h.clock.advance(24 * 3_600_000);
    await h.cron("0 3 * * *");
    const suspect = [...h.github.runs.values()].at(-1)!;
    h.github.fail(
      "POST",
      /\/dispatches$/,
      100,
      () => new Response(JSON.stringify({ message: "Server Error" }), { status: 500 }),
    );
    h.github.complete(suspect.id, {
      conclusion: "success",
      files: { "smoke-metrics.json": JSON.stringify(regressed) },
    });
    expect((await h.deliver(suspect, "completed")).status).toBe(202);
    for (let tick = 0; tick < 6; tick++) {
      h.clock.advance(30 * 60_000);
      await h.cron(RECONCILE);
    }
    expect(h.github.alertIssues()).toEqual([]);
    expect((await h.runRecord(`${suspect.id}-1`))!.confirmation).toMatchObject({
      state: "next_night",
      reason: expect.stringMatching(/^the dispatch failed 5 times/),
    });
    h.github.heal();
    const next = await h.night(passing);
    expect(h.github.alertIssues()).toEqual([]);
    expect((await h.runRecord(`${suspect.id}-1`))!.confirmation).toMatchObject({
      state: "refuted",
      run_id: `${next.id}-1`,
    });
  });

  it("leaves the suspect to the next night when the confirming run crashes: a second bad night is one regression naming both, beside the crash", async () => {
    const h = confirming();
    await h.night(passing);
    const suspect = await h.night(regressed);
    const rerun = [...h.github.runs.values()].at(-1)!;
    h.clock.advance(3_600_000);
    h.github.complete(rerun.id, { conclusion: "failure", failAt: "Run smoke benchmark", files: null });
    expect((await h.deliver(rerun, "completed")).status).toBe(202);
    expect(h.github.alertIssues().map((i) => i.labels.at(-1))).toEqual(["perf-crash"]);
    expect((await h.runRecord(`${suspect.id}-1`))!.confirmation).toMatchObject({
      state: "next_night",
      reason: `the confirming run ${rerun.id}-1 crashed`,
    });
    const next = await h.night(regressed);
    const issues = h.github.alertIssues();
    expect(issues.map((i) => [i.labels.at(-1), i.state])).toEqual([
      ["perf-crash", "closed"],
      ["perf-regression", "open"],
    ]);
    expect(issues[1].body).toContain(`run [\`${next.id}-1\`]`);
    expect(issues[1].body).toContain(`The night before, run \`${suspect.id}-1\` was out of its band too`);
  });
});
