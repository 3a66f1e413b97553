import { describe, expect, it } from "vitest";
import smokeBaseline from "../../baselines/smoke.json";
import {
  disagreements,
  evaluate,
  outOfRange,
  p95,
  parseBaseline,
  withinRange,
  type Baseline,
} from "../../src/core/baseline.ts";

const SEED: Baseline = {
  throughput_ops_per_sec: { lower: 8500, upper: 12000 },
  total_duration_ms: { lower: 0, upper: 65 },
  per_batch_p95_ms: { lower: 0, upper: 15 },
};

describe("nearest-rank p95", () => {
  it("is 0 for no values", () => expect(p95([])).toBe(0));
  it("is the value itself for one value", () => expect(p95([12])).toBe(12));
  it("is the larger of two values (ceil(1.9) - 1 = 1)", () => expect(p95([7, 3])).toBe(7));
  it("is the 19th of 20 sorted values (ceil(19) - 1 = 18)", () => {
    const values = Array.from({ length: 20 }, (_, i) => 20 - i); // 20..1, unsorted
    expect(p95(values)).toBe(19);
  });
  it("is the 20th of 21 sorted values (ceil(19.95) - 1 = 19)", () => {
    const values = Array.from({ length: 21 }, (_, i) => (i * 5) % 21); // a permutation of 0..20
    expect(p95(values)).toBe(19);
  });
  it("matches Firewood's own unit test (1, 2, 3, 4, 50 → 50)", () => expect(p95([1, 2, 3, 4, 50])).toBe(50));
  it("sorts numerically, not as strings", () => expect(p95([9, 10, 100, 2, 1])).toBe(100));
});

describe("ranges", () => {
  it("include values equal to a bound", () => {
    expect(withinRange(8500, SEED.throughput_ops_per_sec)).toBe(true);
    expect(withinRange(12000, SEED.throughput_ops_per_sec)).toBe(true);
    expect(withinRange(8499.999, SEED.throughput_ops_per_sec)).toBe(false);
    expect(withinRange(12000.001, SEED.throughput_ops_per_sec)).toBe(false);
  });
  it("treat a null bound as no bound", () => {
    expect(withinRange(-1e9, { lower: null, upper: 5 })).toBe(true);
    expect(withinRange(6, { lower: null, upper: 5 })).toBe(false);
    expect(withinRange(1e9, { lower: 1, upper: null })).toBe(true);
    expect(withinRange(0.5, { lower: 1, upper: null })).toBe(false);
    expect(withinRange(42, { lower: null, upper: null })).toBe(true);
  });
});

describe("the baseline file", () => {
  it("parses Firewood's current baseline", () => {
    expect(parseBaseline(smokeBaseline)).toEqual({ ok: true, value: SEED });
  });
  it("accepts missing and null bounds", () => {
    const parsed = parseBaseline({
      throughput_ops_per_sec: {},
      total_duration_ms: { lower: null },
      per_batch_p95_ms: { upper: 4000 },
    });
    expect(parsed).toEqual({
      ok: true,
      value: {
        throughput_ops_per_sec: { lower: null, upper: null },
        total_duration_ms: { lower: null, upper: null },
        per_batch_p95_ms: { lower: null, upper: 4000 },
      },
    });
  });
  it.each([
    [{ total_duration_ms: {}, per_batch_p95_ms: {} }, "throughput_ops_per_sec"],
    [{ ...smokeBaseline, total_duration_ms: { lower: "0" } }, "total_duration_ms.lower"],
    [{ ...smokeBaseline, per_batch_p95_ms: { lower: 20, upper: 15 } }, "per_batch_p95_ms.lower"],
    [[], "(body)"],
  ])("names the bad field (%j → %s)", (input, field) => {
    const parsed = parseBaseline(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issues[0].field).toBe(field);
  });
});

describe("evaluation", () => {
  it("produces the seed-shaped report", () => {
    const report = evaluate({ throughput_ops_per_sec: 7000, total_duration_ms: 65, per_batch_p95_ms: 15.5 }, SEED, {
      type: "Embedded",
    });
    expect(report).toEqual({
      source: { type: "Embedded" },
      throughput_ops_per_sec: { actual: 7000, lower: 8500, upper: 12000, within_range: false },
      total_duration_ms: { actual: 65, lower: 0, upper: 65, within_range: true },
      per_batch_p95_ms: { actual: 15.5, lower: 0, upper: 15, within_range: false },
    });
    expect(Object.keys(report)).toEqual(["source", "throughput_ops_per_sec", "total_duration_ms", "per_batch_p95_ms"]);
    expect(outOfRange(report)).toEqual(["throughput_ops_per_sec", "per_batch_p95_ms"]);
  });

  it("finds where a runner's report disagrees", () => {
    const actuals = { throughput_ops_per_sec: 7000, total_duration_ms: 60, per_batch_p95_ms: 12 };
    const ours = evaluate(actuals, SEED, { type: "File", path: "baselines/smoke.json" });
    const loose = { ...SEED, throughput_ops_per_sec: { lower: 6000, upper: null } };
    const theirs = evaluate(actuals, loose, { type: "Embedded" });
    expect(disagreements(ours, theirs)).toEqual([
      {
        metric: "throughput_ops_per_sec",
        fields: ["lower", "upper", "within_range"],
        chimney: ours.throughput_ops_per_sec,
        runner: theirs.throughput_ops_per_sec,
      },
    ]);
    expect(disagreements(ours, ours)).toEqual([]);
  });
});
