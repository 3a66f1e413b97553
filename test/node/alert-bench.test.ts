import { describe, expect, it } from "vitest";
import { alertBench, FULL } from "../../bench/alerts.ts";
import { tQuantile } from "../../bench/alerts/peers.ts";
import { firewoodResiduals, history } from "../../bench/alerts/world.ts";

describe("the alert-quality simulator", () => {
  it("replays a seed exactly, and reruns a night at its true level without its outlier", () => {
    const residuals = firewoodResiduals();
    const options = { ...FULL, outlierRate: 0.2 };
    const a = history(7, residuals, { size: 0.3, at: 40 }, options);
    const b = history(7, residuals, { size: 0.3, at: 40 }, options);
    expect(a.nights).toEqual(b.nights);
    const outlier = a.nights.find((n) => n.outlier > 0 && n.index < 40);
    expect(outlier).toBeDefined();
    expect(a.nights[60].level).toBe(1.3);
    expect(a.nights[10].level).toBe(1);
  });

  it("takes Student's t quantile as Bencher's limit does", () => {
    expect(tQuantile(0.99, 63)).toBeCloseTo(2.387, 2);
    expect(tQuantile(0.95, 10)).toBeCloseTo(1.812, 2);
  });

  it("counts every policy on the same nights, and chimney through its own settle stage", async () => {
    const r = await alertBench({ ...FULL, histories: 10, nights: 60 });
    expect(r.nights).toBe(600);
    expect(Object.keys(r.policies)).toEqual([
      "seed",
      "github_action_benchmark",
      "bencher",
      "conbench",
      "otava",
      "chimney",
    ]);
    for (const p of Object.values(r.policies)) {
      expect(p.steps["0.3"].injected).toBe(2);
      expect(p.false_alerts_per_1000_nights).toBeCloseTo(
        p.false_split_per_1000_nights.noise + p.false_split_per_1000_nights.late + p.false_split_per_1000_nights.repeat,
        1,
      );
    }
    expect(r.chimney_reruns_per_1000_nights).toBeGreaterThan(0);
    expect(r.policies.chimney.steps["0.3"].share_caught).toBe(1);
  }, 60_000);
});
