import { beforeEach, describe, expect, it } from "vitest";
import { metricsAt, noise } from "../support/nights.ts";
import { harness, RECONCILE, resetStorage } from "./harness.ts";

beforeEach(() => resetStorage());

type Harness = ReturnType<typeof harness>;

/** Forty-odd nights through workerd take seconds, more on a loaded machine. */
const LONG_HISTORY_MS = 60_000;

/** Nights at `speed` (0.9: every batch takes 90% as long) with a few percent of ordinary noise. */
async function nights(h: Harness, count: number, speed: number, first = "") {
  const runs = [];
  for (let i = 0; i < count; i++) {
    const n = h.github.runs.size;
    runs.push(await h.night(metricsAt(speed * noise(n)), i === 0 && first ? first : `a commit at ${speed}x, ${n}`));
  }
  return runs;
}

const improvementIssues = (h: Harness) => h.github.alertIssues().filter((i) => i.labels.includes("perf-improvement"));

describe("good news: a change for the better that holds", () => {
  it(
    "tells a 10% speed-up over noisy nights once, as an issue chimney closes at once",
    async () => {
      const h = harness("2026-10-01T03:00:00.000Z", { PUBLIC_URL: "https://chimney.test" });
      const steady = await nights(h, 20, 1);
      const faster = await nights(h, 8, 0.9, "Batch the node writes (#1900)");
      expect(h.github.alertIssues().filter((i) => !i.labels.includes("perf-improvement"))).toEqual([]);
      const told = improvementIssues(h);
      expect(told).toHaveLength(1);
      const [issue] = told;
      expect(issue.state).toBe("closed");
      expect(issue.state_reason).toBe("completed");
      expect(issue.labels).toEqual(["performance", "smoke-benchmark", "perf-improvement"]);
      expect(issue.title).toMatch(/^Smoke benchmark improved: Throughput \+1\d\.\d%, .* \(since 2026-10-22\)$/);
      const first = `${faster[0].id}-1`;
      expect(issue.body).toContain(`[\`${first}\`](https://chimney.test/runs/${first})`);
      expect(issue.body).toContain(`https://github.test/HUBId/chain/commit/${faster[0].head_sha}`);
      expect(issue.body).toContain(`\`${steady.at(-1)!.id}-1\``);
      expect(issue.body).toMatch(/\*\*Throughput \(ops\/sec\)\*\*: [\d.]+ → [\d.]+ \(\+1\d\.\d%\)/);

      // Night after night the analysis finds it again; duplicate settlements and ticks say nothing new.
      await nights(h, 12, 0.9);
      await h.cron(RECONCILE);
      await h.deliver(faster.at(-1)!, "completed");
      await h.cron(RECONCILE);
      expect(improvementIssues(h)).toHaveLength(1);
      expect(issue.comments).toEqual([]);
      expect(((await (await h.request("/status")).json()) as { open_alerts: unknown[] }).open_alerts).toEqual([]);
    },
    LONG_HISTORY_MS,
  );

  it(
    "tells it on the open regression issue instead, once",
    async () => {
      const h = harness("2026-10-01T03:00:00.000Z");
      await nights(h, 20, 1);
      await nights(h, 4, 1.4);
      const [regression] = h.github.alertIssues();
      expect(regression.labels).toContain("perf-regression");
      const before = regression.comments.length;
      await nights(h, 10, 1);
      expect(improvementIssues(h)).toEqual([]);
      expect(h.github.alertIssues()).toHaveLength(1);
      const good = regression.comments.filter((c) => c.includes("Good news"));
      expect(good).toHaveLength(1);
      expect(good[0]).toMatch(/\*\*Throughput \(ops\/sec\)\*\*: [\d.]+ → [\d.]+ \(\+\d+\.\d%\) since run/);
      expect(regression.comments.length).toBeGreaterThan(before);
    },
    LONG_HISTORY_MS,
  );

  it(
    "does not take a lone fast night for an improvement",
    async () => {
      const h = harness("2026-10-01T03:00:00.000Z");
      await nights(h, 20, 1);
      await nights(h, 1, 0.9);
      await nights(h, 4, 1);
      expect(h.github.alertIssues()).toEqual([]);
    },
    LONG_HISTORY_MS,
  );

  it(
    "is off with ALERT_IMPROVEMENTS=false",
    async () => {
      const h = harness("2026-10-01T03:00:00.000Z", { ALERT_IMPROVEMENTS: "false" });
      await nights(h, 20, 1);
      await nights(h, 8, 0.9);
      expect(h.github.alertIssues()).toEqual([]);
    },
    LONG_HISTORY_MS,
  );
});
