import { harness, NIGHTLY, RECONCILE, resetStorage } from "./harness.ts";
import { beforeEach, describe, expect, it } from "vitest";
import { TEST_BINDINGS } from "../bindings.ts";
import regressed from "../fixtures/smoke-metrics-regressed.json";
import passing from "../fixtures/smoke-metrics.json";

beforeEach(() => resetStorage());

type Harness = ReturnType<typeof harness>;
type Night = "pass" | "regress" | "crash";

function night(h: Harness, outcome: Night, commit = `commit for a ${outcome} night`) {
  return h.night(outcome === "crash" ? "crash" : outcome === "pass" ? passing : regressed, commit);
}

describe("alerts as GitHub issues", () => {
  it("pass → regress → regress → three good nights: one issue, one comment a bad night, closed as completed", async () => {
    const h = harness("2026-11-20T03:00:00.000Z");
    await night(h, "pass");
    expect(h.github.alertIssues()).toEqual([]);

    const first = await night(h, "regress", "Switch the trie to a new node layout (#1742)");
    expect(h.github.alertIssues()).toHaveLength(1);
    const [issue] = h.github.alertIssues();
    expect(issue.title).toBe(
      "Smoke benchmark regressed: Throughput, Batch P95 latency, Total duration (since 2026-11-22)",
    );
    expect(issue.labels).toEqual(["performance", "smoke-benchmark", "perf-regression"]);
    expect(issue.body).toContain("## Smoke benchmark regression");
    expect(issue.body).toContain("### Commits to bisect");
    const good = h.github.commits[0].sha;
    expect(issue.body).toContain(`https://github.test/HUBId/chain/compare/${good}...${first.head_sha}`);
    expect(issue.body).toContain("Switch the trie to a new node layout \\(#1742\\)");
    expect(issue.body).toContain("* Throughput (ops/sec): 6898.27 (>= 8500.00, <= 12000.00) ❌");
    expect(issue.body).toContain(
      "| Throughput (ops/sec) | 6898.27 | >= 8500.00, <= 12000.00 | ❌ | 10233.32 | -32.6% |",
    );

    const status = (await (await h.request("/status")).json()) as {
      open_alerts: { fingerprint: string; issue_number: number; issue_url: string }[];
    };
    expect(status.open_alerts).toMatchObject([
      {
        fingerprint: "regression:smoke",
        issue_number: issue.number,
        issue_url: `https://github.com/HUBId/chain/issues/${issue.number}`,
      },
    ]);

    await night(h, "regress");
    expect(h.github.alertIssues()).toHaveLength(1);
    expect(issue.comments).toHaveLength(1);
    expect(issue.comments[0]).toMatch(/^<!-- chimney:alert=regression:smoke@\d+-1 -->\n\nStill regressed: run /);

    // One good night is no more evidence than one bad one: it takes three in a row to recover.
    await night(h, "pass");
    await night(h, "pass");
    expect(issue.comments).toHaveLength(1);
    expect(issue.state).toBe("open");
    await night(h, "pass");
    expect(issue.comments).toHaveLength(2);
    expect(issue.comments[1]).toContain("Recovered: run ");
    expect(issue.state).toBe("closed");
    expect(issue.state_reason).toBe("completed");
    expect(((await (await h.request("/status")).json()) as { open_alerts: unknown[] }).open_alerts).toEqual([]);

    await night(h, "pass");
    expect(issue.comments).toHaveLength(2);
    expect(h.github.alertIssues()).toHaveLength(1);
  });

  it("crash then regress: two problems, two issues; the crash one closes when the benchmark runs again", async () => {
    const h = harness();
    await night(h, "crash");
    const [crash] = h.github.alertIssues();
    expect(crash.title).toBe('Smoke benchmark crashed in "Run smoke benchmark" (since 2026-11-30)');
    expect(crash.labels).toContain("perf-crash");
    expect(crash.body).toContain("- Failing step: `Run smoke benchmark`");
    expect(crash.body).toMatch(/- Log: https:\/\/github\.com\/HUBId\/chain\/actions\/runs\/\d+\/job\/\d+/);

    await night(h, "regress");
    const issues = h.github.alertIssues();
    expect(issues.map((i) => i.labels.at(-1))).toEqual(["perf-crash", "perf-regression"]);
    expect(crash.state).toBe("closed");
    expect(crash.comments.at(-1)).toContain("ran to the end");
    expect(issues[1].state).toBe("open");
  });

  it("opens a new issue linking the old when someone closed it while the problem lasts", async () => {
    const h = harness();
    await night(h, "regress");
    const [old] = h.github.alertIssues();
    h.github.closeByHand(old.number);
    await night(h, "regress");
    const issues = h.github.alertIssues();
    expect(issues).toHaveLength(2);
    expect(issues[1].body).toContain(`This problem was reported before in #${old.number}.`);
    expect(old.comments).toEqual([]);
  });

  it("reuses an issue someone reopened", async () => {
    const h = harness();
    await night(h, "regress");
    for (let i = 0; i < 3; i++) await night(h, "pass");
    const [issue] = h.github.alertIssues();
    expect(issue.state).toBe("closed");
    h.github.reopenByHand(issue.number);
    await night(h, "regress");
    expect(h.github.alertIssues()).toHaveLength(1);
    expect(issue.comments.at(-1)).toMatch(/Still regressed/);
  });

  it("retries an issue creation that failed with 502 on the next tick: one issue", async () => {
    const h = harness();
    h.github.fail(
      "POST",
      /\/issues$/,
      1,
      () => new Response(JSON.stringify({ message: "Server Error" }), { status: 502 }),
    );
    await night(h, "regress");
    expect(h.github.alertIssues()).toHaveLength(0);
    expect(h.logs.some((l) => l.includes('"event":"alert_write_failed"'))).toBe(true);
    h.clock.advance(30 * 60_000);
    await h.cron(RECONCILE);
    expect(h.github.alertIssues()).toHaveLength(1);
    h.clock.advance(30 * 60_000);
    await h.cron(RECONCILE);
    expect(h.github.alertIssues()).toHaveLength(1);
  });

  it("does not open a second issue when the first creation's answer was lost", async () => {
    const h = harness();
    // GitHub creates the issue, but its answer never arrives: the next tick finds it and adopts it.
    h.github.fail("POST", /\/issues$/, 1, "lose-answer");
    await night(h, "regress");
    expect(h.github.alertIssues()).toHaveLength(1);
    expect(
      ((await (await h.request("/status")).json()) as { open_alerts: { issue_number: number | null }[] }).open_alerts[0]
        .issue_number,
    ).toBe(null);
    h.clock.advance(30 * 60_000);
    await h.cron(RECONCILE);
    expect(h.github.alertIssues()).toHaveLength(1);
    const [issue] = h.github.alertIssues();
    expect(
      ((await (await h.request("/status")).json()) as { open_alerts: { issue_number: number | null }[] }).open_alerts[0]
        .issue_number,
    ).toBe(issue.number);
    await night(h, "regress");
    expect(h.github.alertIssues()).toHaveLength(1);
    expect(issue.comments).toHaveLength(1);
  });

  it("does not comment twice when a comment's answer was lost", async () => {
    const h = harness();
    await night(h, "regress");
    h.github.fail("POST", /\/comments$/, 1, "lose-answer");
    await night(h, "regress");
    const [issue] = h.github.alertIssues();
    expect(issue.comments).toHaveLength(1);
    h.clock.advance(30 * 60_000);
    await h.cron(RECONCILE);
    expect(issue.comments).toHaveLength(1);
  });

  it("opens one issue for three racing reports of the same regressed run", async () => {
    const h = harness();
    h.clock.advance(24 * 3_600_000);
    await h.cron(NIGHTLY);
    const [run] = h.github.runs.values();
    h.github.complete(run.id, { conclusion: "success", files: { "smoke-metrics.json": JSON.stringify(regressed) } });
    const upload = h.request(`/api/results?run_id=${run.id}&run_attempt=1`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_BINDINGS.PERF_DASHBOARD_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(regressed),
    });
    await Promise.all([h.deliver(run, "completed"), h.deliver(run, "completed"), upload]);
    expect(h.github.alertIssues()).toHaveLength(1);
    expect(h.github.alertIssues()[0].comments).toEqual([]);
  });
});
