import { describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS } from "../../src/core/changepoints/analysis.ts";
import {
  benchmarkDataJson,
  biggerIsBetter,
  intoSuite,
  isBenchmarkData,
  mergeSeries,
  parseBenchmarkData,
  seriesKey,
  seriesOf,
  type Series,
} from "../../src/core/series.ts";
import history from "../fixtures/firewood-bench-history.json";
import historyText from "../fixtures/firewood-bench-history.json?raw";

const SUITE = "C-Chain Reexecution with Firewood";
const MGAS_40M =
  "BenchmarkReexecuteRange/[40000001,41000000]-Config-firewood-Runner-avago-runner-i4i-2xlarge-local-ssd - mgas/s";

function firewoodSeries(): Series[] {
  const parsed = parseBenchmarkData(history);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return seriesOf(parsed.value);
}

describe("github-action-benchmark data", () => {
  it("reads Firewood's history as ten series, oldest point first", () => {
    const series = firewoodSeries();
    expect(series).toHaveLength(10);
    expect(series.map((s) => s.points.length).sort()).toEqual([142, 142, 142, 142, 142, 59, 59, 59, 59, 59].sort());
    const mgas = series.find((s) => s.name === MGAS_40M)!;
    expect(mgas).toMatchObject({
      suite: SUITE,
      unit: "mgas/s",
      bigger_is_better: true,
      repo_url: "https://github.com/ava-labs/firewood",
      key: seriesKey(SUITE, MGAS_40M),
    });
    expect(mgas.key).toMatch(/^[a-z0-9-]+$/);
    expect(mgas.points[0]).toMatchObject({
      sha: "ef50158655c20bfb81c1fc31279973e36c639846",
      commit_url: "https://github.com/ava-labs/firewood/commit/ef50158655c20bfb81c1fc31279973e36c639846",
      message: "chore(deps): bump bytes from 1.11.0 to 1.11.1 (#1654)",
    });
    expect(mgas.points.every((p, i) => i === 0 || mgas.points[i - 1].at <= p.at)).toBe(true);
    expect(series.find((s) => s.unit === "ms/ggas")!.bigger_is_better).toBe(false);
  });

  it("accepts data.js as the action writes it, and its JSON", () => {
    const dataJs = `window.BENCHMARK_DATA = ${historyText};\n`;
    expect(isBenchmarkData(dataJs)).toBe(true);
    expect(isBenchmarkData(historyText)).toBe(true);
    expect(isBenchmarkData("[1, 2, 3]")).toBe(false);
    expect(JSON.parse(benchmarkDataJson(dataJs))).toEqual(history);
  });

  it.each([
    [{}, "entries", "is required"],
    [{ entries: {} }, "entries", "must hold at least one suite"],
    [
      {
        entries: {
          s: [{ commit: { id: "a" }, date: 1, tool: "go", benches: [{ name: "x", value: "fast", unit: "ns/op" }] }],
        },
      },
      "entries.s[0].benches[0].value",
      "must be a number",
    ],
    [{ entries: { s: [{ commit: {}, date: 1, tool: "go", benches: [] }] } }, "entries.s[0].commit.id", "is required"],
    [
      { entries: { s: [{ commit: { id: "a" }, date: -5, tool: "go", benches: [] }] } },
      "entries.s[0].date",
      "must not be negative",
    ],
    [[], "(body)", "must be github-action-benchmark data: an object with entries"],
  ])("names the field that is wrong: %j", (input, field, message) => {
    const parsed = parseBenchmarkData(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issues[0]).toEqual({ field, message });
  });

  it.each([
    ["customBiggerIsBetter", "mgas/s", true],
    ["customBiggerIsBetter", "ms/ggas", false],
    ["customBiggerIsBetter", "block_parse_ms/ggas", false],
    ["customSmallerIsBetter", "bytes", false],
    ["customBiggerIsBetter", "bytes", true],
    ["cargo", "ns/iter", false],
    ["benchmarkjs", "ops/sec", true],
    ["go", "allocs", false],
  ])("decides which way is better from %s and the unit %s", (tool, unit, bigger) => {
    expect(biggerIsBetter(tool, unit)).toBe(bigger);
  });
});

describe("merging imported series", () => {
  it("adds every point once: importing the same file twice changes nothing", () => {
    const first = mergeSeries([], firewoodSeries(), DEFAULT_OPTIONS);
    expect(first.issues).toEqual([]);
    expect(first.imports.map((i) => i.added).reduce((a, b) => a + b)).toBe(142 * 5 + 59 * 5);
    const again = mergeSeries(first.series, firewoodSeries(), DEFAULT_OPTIONS);
    expect(again.imports.every((i) => i.added === 0 && i.conflicts === 0)).toBe(true);
    expect(again.series).toEqual(first.series);
  });

  it("finds Otava's change point in Firewood's re-execution throughput", () => {
    const { series } = mergeSeries([], firewoodSeries(), DEFAULT_OPTIONS);
    const mgas = series.find((s) => s.name === MGAS_40M)!;
    expect(mgas.changes).toHaveLength(1);
    expect(mgas.changes[0]).toMatchObject({
      index: 32,
      at: mgas.points[32].at,
      sha: mgas.points[32].sha,
      before_sha: mgas.points[31].sha,
      direction: "better",
    });
    expect(mgas.changes[0].pvalue).toBeCloseTo(2.025319e-24, 28);
    expect(mgas.changes[0].mean_after / mgas.changes[0].mean_before).toBeCloseTo(1.1957, 3);
  });

  it("keeps a point it has when the file says another value, and counts it", () => {
    const { series } = mergeSeries([], firewoodSeries(), DEFAULT_OPTIONS);
    const altered = firewoodSeries().map((s) =>
      s.name === MGAS_40M ? { ...s, points: s.points.map((p, i) => (i === 3 ? { ...p, value: 1 } : p)) } : s,
    );
    const merged = mergeSeries(series, altered, DEFAULT_OPTIONS);
    expect(merged.imports.find((i) => i.name === MGAS_40M)).toMatchObject({ added: 0, conflicts: 1 });
    expect(merged.series.find((s) => s.name === MGAS_40M)!.points[3].value).toBe(
      series.find((s) => s.name === MGAS_40M)!.points[3].value,
    );
  });

  it("adds the new nights of a longer file to what it has, and finds the change points again", () => {
    const full = firewoodSeries();
    const early = full.map((s) => ({ ...s, points: s.points.slice(0, 20) }));
    const start = mergeSeries([], early, DEFAULT_OPTIONS);
    expect(start.series.find((s) => s.name === MGAS_40M)!.changes).toEqual([]);
    const later = mergeSeries(start.series, full, DEFAULT_OPTIONS);
    expect(later.imports.find((i) => i.name === MGAS_40M)).toMatchObject({ added: 122, points: 142, change_points: 1 });
  });
});

describe("a file's history as a watched suite's", () => {
  const data = (names: string[]) =>
    ({ entries: Object.fromEntries(names.map((n) => [n, []])) }) as unknown as Parameters<typeof intoSuite>[0];

  it("takes the file's only suite, or the one `entry` names, under the watched suite's name", () => {
    expect(intoSuite(data(["C-Chain Reexecution with Firewood"]), "cchain", null)).toEqual({
      ok: true,
      value: { entries: { cchain: [] } },
    });
    expect(intoSuite(data(["a", "b"]), "cchain", "b")).toEqual({ ok: true, value: { entries: { cchain: [] } } });
  });

  it("names entry when the file has several suites and none is chosen, or the one chosen is not there", () => {
    for (const entry of [null, "c", "__proto__"]) {
      expect(intoSuite(data(["a", "b"]), "cchain", entry)).toEqual({
        ok: false,
        issues: [{ field: "entry", message: 'must name one of the file\'s suites ("a", "b")' }],
      });
    }
  });
});
