import { beforeEach, describe, expect, it } from "vitest";
import { metricsAt, wobble } from "../support/nights.ts";
import { harness, resetStorage } from "./harness.ts";

beforeEach(() => resetStorage());

type Harness = ReturnType<typeof harness>;

/** Forty-odd nights through workerd take seconds, more on a loaded machine than vitest's default 5. */
const LONG_HISTORY_MS = 30_000;

async function nights(h: Harness, count: number, slowdown: number, first = "") {
  const runs = [];
  for (let i = 0; i < count; i++)
    runs.push(
      await h.night(
        metricsAt(slowdown * wobble(runs.length + slowdown * 100)),
        i === 0 && first ? first : `a commit at ${slowdown}x, ${i}`,
      ),
    );
  return runs;
}

describe("drift: change points inside the band", () => {
  it(
    "opens one issue naming the first run after a 12% step and the commits across it, and closes it when the step is undone",
    async () => {
      const h = harness("2026-10-01T03:00:00.000Z", { PUBLIC_URL: "https://chimney.test" });
      const steady = await nights(h, 20, 1);
      expect(h.github.alertIssues()).toEqual([]);

      const slower = await nights(h, 2, 1.136, "Rework the node cache (#1800)");
      expect(h.github.alertIssues()).toEqual([]);
      slower.push(...(await nights(h, 8, 1.136)));
      const issues = h.github.alertIssues();
      expect(issues).toHaveLength(1);
      const [drift] = issues;
      expect(drift.state).toBe("open");
      // The change stayed where it was found: no news, no comments.
      expect(drift.comments).toEqual([]);
      expect(drift.labels).toEqual(["performance", "smoke-benchmark", "perf-regression"]);
      expect(drift.title).toMatch(
        /^Smoke benchmark drifted: Throughput -1[12]\.\d%, Batch P95 latency \+1[34]\.\d%, Total duration \+1[34]\.\d% \(since 2026-10-22\)$/,
      );
      const first = `${slower[0].id}-1`;
      const before = `${steady.at(-1)!.id}-1`;
      expect(drift.body).toContain("## Smoke benchmark drift");
      expect(drift.body).toContain(`| Throughput (ops/sec) | `);
      expect(drift.body).toContain(
        `[\`${first}\`](https://chimney.test/runs/${first}) on 2026-10-22 | [\`${before}\`](https://chimney.test/runs/${before}) |`,
      );
      expect(drift.body).toContain(
        `https://github.test/HUBId/chain/compare/${steady.at(-1)!.head_sha}...${slower[0].head_sha}`,
      );
      expect(drift.body).toContain("Rework the node cache \\(#1800\\)");

      const run = (await h.runRecord(first))!;
      expect(run.state).toBe("passed");
      expect(
        run.change_points.map((c: { metric: string; direction: string; before_run_id: string }) => [
          c.metric,
          c.direction,
          c.before_run_id,
        ]),
      ).toEqual([
        ["throughput_ops_per_sec", "worse", before],
        ["per_batch_p95_ms", "worse", before],
        ["total_duration_ms", "worse", before],
      ]);
      expect((await h.runRecord(before))!.change_points).toEqual([]);
      const status = (await (await h.request("/status")).json()) as Record<string, any>;
      expect(status.state).toBe("passing");
      expect(status.change_points.drifts).toEqual(["throughput_ops_per_sec", "per_batch_p95_ms", "total_duration_ms"]);
      expect(status.open_alerts.map((a: { fingerprint: string }) => a.fingerprint)).toEqual(["regression:smoke-drift"]);
      const changes = (await (await h.request("/changes")).json()) as Record<string, any>;
      expect(changes.runs).toBe(30);
      expect(changes.options).toEqual({ window: 50, pvalue: 0.001, magnitude: 0 });
      expect(changes.resume).toBeUndefined();

      await nights(h, 12, 1, "Revert the node cache rework (#1805)");
      expect(h.github.alertIssues()).toHaveLength(1);
      expect(drift.state).toBe("closed");
      expect(drift.comments.at(-1)).toMatch(/Recovered: .*changed back to/);
      expect(((await (await h.request("/status")).json()) as Record<string, any>).open_alerts).toEqual([]);
    },
    LONG_HISTORY_MS,
  );

  it(
    "leaves a step out of the band to the static regression alert",
    async () => {
      const h = harness("2026-10-01T03:00:00.000Z");
      await nights(h, 20, 1);
      await nights(h, 8, 1.4);
      const issues = h.github.alertIssues();
      expect(issues.map((i) => i.title)).toEqual([
        "Smoke benchmark regressed: Throughput, Batch P95 latency, Total duration (since 2026-10-22)",
      ]);
      const status = (await (await h.request("/status")).json()) as Record<string, any>;
      expect(status.change_points.latest.map((c: { direction: string }) => c.direction)).toEqual([
        "worse",
        "worse",
        "worse",
      ]);
      expect(status.change_points.drifts).toEqual([]);
    },
    LONG_HISTORY_MS,
  );
});
