import { describe, expect, it } from "vitest";
import bundled from "../../baselines/pruning.json";
import standardBf16 from "../fixtures/pruning-metrics-standard-bf16.json?raw";
import ioUringBf256 from "../fixtures/pruning-metrics-io-uring-bf256.json?raw";
import type { BaselineSource } from "../../src/core/baseline.ts";
import { DEFAULT_OPTIONS } from "../../src/core/changepoints/analysis.ts";
import { parsePruning } from "../../src/core/formats/pruning.ts";
import { parsePruningBaseline, type PruningBaseline } from "../../src/core/pruning.ts";
import { locateChanges, seriesKey, type Series } from "../../src/core/series.ts";
import { suiteSubject } from "../../src/core/suite-alert.ts";
import type { PointBand } from "../../src/core/series.ts";
import { bandBreaches, bandVerdict, pruningBands } from "../../src/core/suite-bands.ts";
import { noise } from "../support/nights.ts";

const BASELINE = parsePruningBaseline(bundled);
if (!BASELINE.ok) throw new Error("baselines/pruning.json is invalid");
const AT_COMMIT: BaselineSource = {
  type: "Repository",
  repository: "HUBId/chain",
  path: "benchmark/baselines/pruning.json",
  commit: "c".repeat(40),
  blob_sha: "b".repeat(40),
};
const benchesOf = (text: string) => {
  const parsed = parsePruning(text);
  if (!parsed.ok) throw new Error(parsed.issues[0].message);
  return parsed.value;
};

describe("a pruning result against its baseline file", () => {
  it("judges each metric by its variant's profile, a null bound being no bound", () => {
    const bands = pruningBands([...benchesOf(standardBf16), ...benchesOf(ioUringBf256)], BASELINE.value, AT_COMMIT);
    expect(Object.fromEntries([...bands].map(([name, b]) => [name, [b.lower, b.upper, b.within_range]]))).toEqual({
      "standard-bf16 - throughput_ops_per_sec": [12, 25, true],
      "standard-bf16 - per_block_p95_ms": [null, 4000, true],
      "standard-bf16 - total_duration_ms": [null, 8000, true],
      "io-uring-bf256 - throughput_ops_per_sec": [11, 24, true],
      "io-uring-bf256 - per_block_p95_ms": [null, 4100, true],
      // 9 012.5 ms against at most 8 500.
      "io-uring-bf256 - total_duration_ms": [null, 8500, false],
    });
    expect(bands.get("standard-bf16 - total_duration_ms")?.source).toEqual(AT_COMMIT);
  });

  it("leaves a variant the file has no profile for unjudged, not out of band", () => {
    const { "standard-bf16": _, ...withoutStandard } = BASELINE.value;
    const bands = pruningBands(benchesOf(standardBf16), withoutStandard as PruningBaseline, AT_COMMIT);
    expect([...bands.values()].map((b) => b.within_range)).toEqual([null, null, null]);
    expect(bandVerdict([...bands].map(([name, band]) => ({ name, band })))).toMatchObject({
      state: "unjudged",
      out_of_band: [],
      judged_by: [AT_COMMIT],
    });
  });
});

const DAY = 86_400_000;
const sha = (i: number) => i.toString(16).padStart(40, "0");
const BAND = { lower: 12, upper: 25 };

/** standard-bf16's throughput night by night (±3% around `levels[i]`), each point judged by 12–25. */
function throughput(levels: number[]): Series {
  const points = levels.map((level, i) => {
    const value = level * noise(i);
    const band: PointBand = { ...BAND, within_range: value >= 12 && value <= 25, source: AT_COMMIT };
    return {
      at: new Date(Date.parse("2026-11-01T03:00:00Z") + i * DAY).toISOString(),
      sha: sha(i),
      value,
      commit_url: null,
      message: null,
      band,
    };
  });
  return {
    key: seriesKey("pruning", "standard-bf16 - throughput_ops_per_sec"),
    suite: "pruning",
    name: "standard-bf16 - throughput_ops_per_sec",
    unit: "ops/sec",
    bigger_is_better: true,
    repo_url: null,
    points,
    changes: locateChanges(points, true, DEFAULT_OPTIONS),
  };
}
const nights = (n: number, level = 18.2) => Array(n).fill(level);
const subject = (s: Series, changePoints = true) =>
  suiteSubject("pruning", [s], DEFAULT_OPTIONS, 3, "2026-12-01T04:00:00.000Z", { change_points: changePoints });

describe("a pruning suite's alert from its bands", () => {
  it("is bad from the first night out of band, the same news while it stays out, and good once back in", () => {
    const out = throughput([...nights(20), 10.9]);
    expect(bandBreaches("pruning", [out]).map((b) => [b.series.name, b.since.sha, b.good?.sha])).toEqual([
      ["standard-bf16 - throughput_ops_per_sec", sha(20), sha(19)],
    ]);
    const first = subject(out);
    expect(first).toMatchObject({
      id: `band@pruning--standard-bf16-throughput-ops-per-sec:${sha(20)}`,
      verdicts: [{ fingerprint: "regression:pruning", suite: "pruning", bad: true }],
    });
    expect(subject(throughput([...nights(20), 10.9, 11.1]))?.id).toBe(first?.id);
    // The two slow nights are a change point too until the level after them is back.
    const back = subject(throughput([...nights(20), 10.9, 11.1, ...nights(3)]));
    expect(back).toMatchObject({ id: expect.stringMatching(/^steady@/), verdicts: [{ bad: false }] });
  });

  it("alerts on its bands alone when the suite looks for no change points", () => {
    const out = subject(throughput([...nights(20), 10.9]), false);
    expect(out).toMatchObject({
      id: `band@pruning--standard-bf16-throughput-ops-per-sec:${sha(20)}`,
      verdicts: [{ fingerprint: "regression:pruning", bad: true }],
    });
    // Back in band: good at once, though the slow night is a change point the suite does not look at.
    const back = subject(throughput([...nights(20), 10.9, 11.1, 16]), false);
    expect(back).toMatchObject({ id: expect.stringMatching(/^steady@/), verdicts: [{ bad: false }] });
    expect(subject(throughput([...nights(20), 10.9, 11.1, 16]))?.verdicts[0].bad).not.toBe(false);
  });

  it("says nothing of bands for series without them, and a steady in-band series is good", () => {
    const inBand = throughput(nights(21));
    expect(bandBreaches("pruning", [inBand])).toEqual([]);
    expect(subject(inBand)?.verdicts[0].bad).toBe(false);
    expect(bandVerdict(inBand.points.map((p) => ({ name: inBand.name, band: p.band })))).toMatchObject({
      state: "in_band",
    });
    expect(bandVerdict([{ name: "insert/1000" }])).toBeNull();
  });
});
