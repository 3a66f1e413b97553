import { describe, expect, it } from "vitest";
import { inlineCode, markdownText } from "../../src/core/issue/markdown.ts";
import { alertBody, alertTitle, recoveredComment, stillBadComment } from "../../src/core/issue/run.ts";
import golden from "../fixtures/golden/issue-regression.md?raw";
import { regressionContext } from "../support/issue-context.ts";

describe("alert issues", () => {
  it("renders the regression issue exactly as the golden file", () => {
    expect(alertBody(regressionContext())).toBe(golden);
  });

  it("titles each kind of problem", () => {
    const ctx = regressionContext();
    expect(alertTitle("regression", ctx.run)).toBe(
      "Smoke benchmark regressed: Throughput, Batch P95 latency, Total duration (since 2026-11-29)",
    );
    const crashed = {
      ...ctx.run,
      state: "crashed" as const,
      report: null,
      measurements: null,
      failure: { reason: "x", job: "j", step: "Run smoke benchmark", log_url: null, rerun_requested: false },
    };
    expect(alertTitle("crash", crashed)).toBe('Smoke benchmark crashed in "Run smoke benchmark" (since 2026-11-29)');
    expect(alertTitle("missed", crashed)).toBe("Smoke benchmark missed a night (2026-11-29)");
  });

  it("names the failing job and step and links the log of a crash, with the crash runbook", () => {
    const ctx = regressionContext();
    const body = alertBody({
      ...ctx,
      kind: "crash",
      run: {
        ...ctx.run,
        state: "crashed",
        report: null,
        measurements: null,
        artifacts: [],
        github: { ...ctx.run.github!, run_attempt: 2 },
        failure: {
          reason: 'step "Run smoke benchmark" of job "Firewood smoke benchmark" ended in failure',
          job: "Firewood smoke benchmark",
          step: "Run smoke benchmark",
          log_url: "https://github.com/ava-labs/firewood/actions/runs/9000000042/job/77",
          rerun_requested: false,
        },
      },
      artifactUrls: [],
    });
    expect(body).toContain("## Smoke benchmark crash");
    expect(body).toContain(
      "- Failing job: `Firewood smoke benchmark`\n- Failing step: `Run smoke benchmark`\n- Log: https://github.com/ava-labs/firewood/actions/runs/9000000042/job/77",
    );
    expect(body).toContain("This was attempt 2: chimney reran the failed jobs once already.");
    expect(body).toContain("### Commits to bisect");
    expect(body).not.toContain("| metric |");
  });

  it("gives a missed night the runner checklist and no bisect", () => {
    const ctx = regressionContext();
    const failure = {
      reason: "no runner picked the run up within 36 hours",
      job: null,
      step: null,
      log_url: null,
      rerun_requested: false,
    };
    const body = alertBody({
      ...ctx,
      kind: "missed",
      bisect: null,
      run: { ...ctx.run, state: "missed", report: null, measurements: null, failure },
    });
    expect(body).toContain("self-hosted, linux, x64, firewood-perf");
    expect(body).not.toContain("Commits to bisect");
  });

  it("says when there is nothing to bisect against", () => {
    const body = alertBody({ ...regressionContext(), bisect: { good: null, bad_sha: "abc", commits: null, total: 0 } });
    expect(body).toContain("chimney has no earlier passing run with a known commit to compare with");
  });

  it("comments the numbers while the problem lasts, and on recovery", () => {
    const ctx = regressionContext();
    expect(stillBadComment(ctx)).toMatch(
      /^<!-- chimney:alert=regression:smoke@9000000042-1 -->\n\nStill regressed: run \[`9000000042-1`\]\(https:\/\/perf\.firewood\.example\/runs\/9000000042-1\) on 2026-11-29 on `main` at `c0ffee00d15e`\.\n\n\| metric \|/,
    );
    expect(recoveredComment(ctx)).toContain("is within the baseline again.");
    expect(recoveredComment(ctx).trimEnd().endsWith("Closing this issue.")).toBe(true);
  });

  it("keeps outside text from becoming markup or a mention", () => {
    expect(markdownText("fix *all* the [things](http://x) <img> @alice and #12\nnext")).toBe(
      "fix \\*all\\* the \\[things\\]\\(http://x\\) \\<img\\> @\u200balice and #12 next",
    );
    expect(inlineCode("main")).toBe("`main`");
    expect(inlineCode("a`b")).toBe("``a`b``");
    expect(inlineCode("`edge`")).toBe("`` `edge` ``");
  });

  it("shows zero-width and bidi characters escaped: a branch cannot pass for another", () => {
    const ctx = regressionContext();
    ctx.run = { ...ctx.run, ref: "main\u202e\u2066txet\u200b\ufeff" };
    const body = alertBody(ctx);
    expect(body).toContain("on `main\\u202e\\u2066txet\\u200b\\ufeff`");
    // U+200B stays where chimney itself breaks a mention (`@\u200balice`).
    expect(body).not.toMatch(/[\u200c-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/);
    // Outside code spans the backslash is escaped too, so that the escape itself is what GitHub shows.
    expect(markdownText("a\u200fb\u202ac")).toBe("a\\\\u200fb\\\\u202ac");
  });
});
