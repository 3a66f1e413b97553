import { harness, RECONCILE, resetStorage } from "./harness.ts";
import { beforeEach, describe, expect, it } from "vitest";
import { TEST_BINDINGS } from "../bindings.ts";
import regressed from "../fixtures/smoke-metrics-regressed.json";
import passing from "../fixtures/smoke-metrics.json";

beforeEach(() => resetStorage());

type Harness = ReturnType<typeof harness>;

const MARKER = "<!-- chimney:pr-bench -->";

/** A run of the pull request through POST /api/dispatch, finished with `result` and reported by its webhook. */
async function prRun(h: Harness, pr: number, result: unknown): Promise<string> {
  const res = await h.request("/api/dispatch", {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ ref: "feature/faster-commit", pr_number: pr }),
  });
  expect(res.status).toBe(202);
  const run = [...h.github.runs.values()].at(-1)!;
  h.github.complete(run.id, { conclusion: "success", files: { "smoke-metrics.json": JSON.stringify(result) } });
  await h.deliver(run, "completed");
  return `${run.id}-1`;
}

async function nights(h: Harness, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await h.night(passing, `night ${i}`);
}

describe("the pull request's benchmark comment", () => {
  it("is one comment, edited in place over three runs, comparing with the recent nights; no issue opens", async () => {
    const h = harness("2026-11-20T03:00:00.000Z");
    await nights(h, 3);
    const pr = h.github.addPullRequest();
    const ids = [];
    for (const result of [passing, regressed, passing]) {
      h.clock.advance(3_600_000);
      ids.push(await prRun(h, pr, result));
    }
    expect(h.github.alertIssues()).toEqual([]);
    const comments = h.github.issues.get(pr)!.comments;
    expect(comments).toHaveLength(1);
    expect(comments[0].startsWith(MARKER)).toBe(true);
    expect(comments[0]).toContain(`Latest run: \`${ids[2]}\``);
    expect(comments[0]).not.toContain(ids[1]);
    expect(comments[0]).toContain("| metric | this run | median of `main`'s last 3 nights | change | noise | |");
    // The same numbers as every night: no change, within the noise.
    expect(comments[0]).toContain("| Throughput (ops/sec) | 10233.32 | 10233.32 | 0.0% | ±0.00 | within noise |");
    expect(comments[0]).toContain("(only 3 so far)");
  });

  it("says when a run is worse beyond the nights' noise", async () => {
    const h = harness("2026-11-20T03:00:00.000Z");
    await nights(h, 2);
    const pr = h.github.addPullRequest();
    await prRun(h, pr, regressed);
    const [body] = h.github.issues.get(pr)!.comments;
    expect(body).toContain("| Throughput (ops/sec) | 6898.27 | 10233.32 | -32.6% | ±0.00 | worse, beyond noise |");
    expect(body).toContain("* Throughput (ops/sec): 6898.27 (>= 8500.00, <= 12000.00) ❌");
  });

  it("retries an edit GitHub answered 5xx on the next tick, and still keeps one comment", async () => {
    const h = harness("2026-11-20T03:00:00.000Z");
    await nights(h, 1);
    const pr = h.github.addPullRequest();
    await prRun(h, pr, passing);
    h.github.fail("PATCH", /\/issues\/comments\/\d+$/, 8, () => new Response("unicorn", { status: 502 }));
    const second = await prRun(h, pr, regressed);
    expect(h.github.issues.get(pr)!.comments[0]).not.toContain(second);
    h.clock.advance(30 * 60_000);
    await h.cron(RECONCILE);
    h.clock.advance(30 * 60_000);
    await h.cron(RECONCILE);
    expect(h.github.unfired()).toEqual([]);
    const comments = h.github.issues.get(pr)!.comments;
    expect(comments).toHaveLength(1);
    expect(comments[0]).toContain(`Latest run: \`${second}\``);
  });
});
