import { beforeEach, describe, expect, it } from "vitest";
import { TEST_BINDINGS } from "../bindings.ts";
import historyText from "../fixtures/firewood-bench-history.json?raw";
import regressed from "../fixtures/smoke-metrics-regressed.json";
import passing from "../fixtures/smoke-metrics.json";
import { metricsAt } from "../support/nights.ts";
import { harness, resetStorage } from "./harness.ts";
import { call, expectProblem } from "./helpers.ts";

beforeEach(() => resetStorage());

const ADMIN = { authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "content-type": "application/json" };
const importBody = (body: BodyInit, headers: Record<string, string> = ADMIN) =>
  call("/api/import", { method: "POST", headers, body });
const MGAS_40M =
  "BenchmarkReexecuteRange/[40000001,41000000]-Config-firewood-Runner-avago-runner-i4i-2xlarge-local-ssd - mgas/s";

interface SeriesList {
  series: {
    key: string;
    name: string;
    unit: string;
    points: number;
    change_points: number;
    url: string;
    first_at: string;
    last_at: string;
  }[];
}

describe("importing Firewood's github-action-benchmark history", () => {
  it("keeps every series with its change points, and a second import changes nothing", async () => {
    const res = await importBody(historyText);
    expect(res.status).toBe(200);
    const first = (await res.json()) as {
      format: string;
      series: { name: string; added: number; points: number; conflicts: number; change_points: number; url: string }[];
    };
    expect(first.format).toBe("github-action-benchmark");
    expect(first.series).toHaveLength(10);
    expect(first.series.reduce((n, s) => n + s.added, 0)).toBe(142 * 5 + 59 * 5);
    expect(first.series.find((s) => s.name === MGAS_40M)).toMatchObject({
      added: 142,
      points: 142,
      conflicts: 0,
      change_points: 1,
    });

    const list = (await (await call("/series")).json()) as SeriesList;
    expect(list.series).toHaveLength(10);
    const mgas = list.series.find((s) => s.name === MGAS_40M)!;
    expect(mgas).toMatchObject({ unit: "mgas/s", points: 142, change_points: 1, first_at: "2026-02-03T21:25:28.498Z" });
    expect(mgas.url).toBe(`/series/${mgas.key}`);
    const one = (await (await call(`/series/${mgas.key}`)).json()) as {
      points: { sha: string; value: number }[];
      changes: { index: number; direction: string }[];
    };
    expect(one.points).toHaveLength(142);
    expect(one.changes).toMatchObject([{ index: 32, direction: "better" }]);

    const again = (await (
      await importBody(`window.BENCHMARK_DATA = ${historyText}`, { ...ADMIN, "content-type": "application/javascript" })
    ).json()) as typeof first;
    expect(again.series.every((s) => s.added === 0 && s.conflicts === 0)).toBe(true);
    expect(await (await call(`/series/${mgas.key}`)).json()).toEqual(one);
  });

  it("merges two imports racing each other without losing or doubling a point", async () => {
    const history = JSON.parse(historyText) as { entries: Record<string, unknown[]> };
    const [suite] = Object.keys(history.entries);
    const half = (from: number, to: number) =>
      JSON.stringify({ ...history, entries: { [suite]: history.entries[suite].slice(from, to) } });
    const answers = await Promise.all([importBody(half(0, 120)), importBody(half(100, 201)), importBody(half(0, 201))]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    const list = (await (await call("/series")).json()) as SeriesList;
    expect(list.series.map((s) => s.points).sort()).toEqual([142, 142, 142, 142, 142, 59, 59, 59, 59, 59].sort());
  });

  it("refuses what it cannot read, naming the field, and stores nothing", async () => {
    await expectProblem(await importBody(historyText, { "content-type": "application/json" }), 401);
    await expectProblem(await importBody(historyText, { ...ADMIN, authorization: "Bearer wrong" }), 401);
    await expectProblem(await importBody("window.BENCHMARK_DATA = {not json"), 400, "(body)");
    await expectProblem(await importBody(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), 400, "(body)");
    const broken = JSON.parse(historyText) as { entries: Record<string, { benches: { value: unknown }[] }[]> };
    Object.values(broken.entries)[0][7].benches[2].value = "fast";
    await expectProblem(
      await importBody(JSON.stringify(broken)),
      422,
      "entries.C-Chain Reexecution with Firewood[7].benches[2].value",
    );
    expect(await (await call("/series")).json()).toEqual({ series: [] });
    await expectProblem(await call("/series/no-such-series"), 404, "key");
    await expectProblem(await call("/series/..%2Fetc"), 404, "key");
  });
});

describe("importing smoke results kept elsewhere", () => {
  const nightAt = (day: number) => `2026-10-${String(day).padStart(2, "0")}T03:00:00Z`;
  const results = [
    { at: nightAt(1), sha: "a1".repeat(20), ref: "main", result: passing },
    { at: nightAt(2), sha: "b2".repeat(20), result: metricsAt(1.02) },
    { at: nightAt(3), sha: "c3".repeat(20), result: regressed },
  ];

  it("records them as runs of the past without alerting, once however often it is imported", async () => {
    const h = harness("2026-11-29T03:00:00.000Z");
    const admin = (body: string) => h.request("/api/import", { method: "POST", headers: ADMIN, body });
    const res = await admin(JSON.stringify(results));
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      format: string;
      runs: { created: number; unchanged: number };
      analysis: { runs: number };
    };
    expect(body).toMatchObject({
      format: "results",
      runs: { created: 3, unchanged: 0, conflicts: [] },
      analysis: { runs: 3 },
    });
    const history = (await (await h.request("/runs")).json()) as {
      runs: { at: string; state: string; sha: string; mainline: boolean }[];
    };
    expect(history.runs.map((r) => [r.at, r.state, r.mainline])).toEqual([
      ["2026-10-03T03:00:00.000Z", "regressed", true],
      ["2026-10-02T03:00:00.000Z", "passed", true],
      ["2026-10-01T03:00:00.000Z", "passed", true],
    ]);
    expect(h.github.alertIssues()).toEqual([]);
    expect(h.github.calls("POST", /dispatches$/)).toBe(0);

    const again = (await (await admin(JSON.stringify(results))).json()) as typeof body;
    expect(again.runs).toEqual({ created: 0, unchanged: 3, conflicts: [] });
    expect(((await (await h.request("/runs")).json()) as { runs: unknown[] }).runs).toHaveLength(3);
    expect(((await (await h.request("/changes")).json()) as { runs: number }).runs).toBe(3);
  });

  it.each([
    ["a missing time", [{ sha: "a1".repeat(20), result: passing }], "[0].at", "is required"],
    [
      "a time that is not one",
      [{ at: "yesterday", result: passing }],
      "[0].at",
      "must be an ISO 8601 time such as 2026-11-29T03:00:00Z",
    ],
    [
      "a result that is not one",
      [results[0], { at: nightAt(2), result: { ...passing, throughput_ops_per_sec: -1 } }],
      "[1].result.throughput_ops_per_sec",
      undefined,
    ],
    ["an empty array", [], "(body)", "must hold at least one result"],
    ["a bad commit id", [{ at: nightAt(2), sha: "not a sha", result: passing }], "[0].sha", "must be a commit id"],
    [
      "a branch name git refuses",
      [{ at: nightAt(2), ref: "--orphan", result: passing }],
      "[0].ref",
      "must be a branch or ref name as git allows it",
    ],
  ])("refuses %s, naming it, and records none of the results", async (_what, input, field, message) => {
    const res = await call("/api/import", { method: "POST", headers: ADMIN, body: JSON.stringify(input) });
    const problem = await expectProblem(res, 422, field);
    if (message) expect(problem.detail).toBe(`${field}: ${message}`);
    expect(((await (await call("/runs")).json()) as { runs: unknown[] }).runs).toEqual([]);
  });
});
