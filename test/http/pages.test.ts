import { describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS } from "../../src/core/changepoints/analysis.ts";
import { newRun, type Run } from "../../src/core/run.ts";
import type { Series } from "../../src/core/series.ts";
import { createApp } from "../../src/http/app.ts";
import { evaluate, type Baseline } from "../../src/core/baseline.ts";
import smokeBaseline from "../../baselines/smoke.json";
import { memoryDeps, testClock } from "../support/memory.ts";

const HOSTILE = `"><script>alert(1)</script><img src=x onerror=alert(2)>`;

/** chimney with its clock just after night `latest`, so that the latest run is not stale. */
function setup(latest = 2) {
  const clock = testClock(new Date(Date.UTC(2026, 0, 1) + latest * 86_400_000 + 3_600_000).toISOString());
  const { deps } = memoryDeps({ GITHUB_REPOSITORY: "ava-labs/firewood" }, { clock });
  return { deps, app: createApp(deps) };
}

/** A settled run of night `i`, as recorded; `slowdown` scales the durations. */
function night(i: number, slowdown = 1, extra: Partial<Run> = {}): Run {
  const measurements = {
    batches: 5,
    batch_size: 100,
    total_operations: 500,
    total_duration_ms: 48.86 * slowdown,
    throughput_ops_per_sec: 10233.32 / slowdown,
    per_batch_count: 5,
    per_batch_p95_ms: 11.2 * slowdown,
  };
  const report = evaluate(
    {
      throughput_ops_per_sec: measurements.throughput_ops_per_sec,
      total_duration_ms: measurements.total_duration_ms,
      per_batch_p95_ms: measurements.per_batch_p95_ms,
    },
    smokeBaseline as Baseline,
    { type: "File", path: "baselines/smoke.json" },
  );
  const state =
    report.throughput_ops_per_sec.within_range &&
    report.total_duration_ms.within_range &&
    report.per_batch_p95_ms.within_range
      ? "passed"
      : "regressed";
  return newRun({
    id: `${9_000_000_000 + i}-1`,
    state,
    at: new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString(),
    completed_at: new Date(Date.UTC(2026, 0, 1) + i * 86_400_000 + 600_000).toISOString(),
    mainline: true,
    sha: i.toString(16).padStart(40, "a"),
    ref: "main",
    input: "smoke-metrics.json",
    measurements,
    report,
    ...extra,
  });
}

const get = async (app: ReturnType<typeof setup>["app"], path: string, headers: Record<string, string> = {}) => {
  const res = await app.request(path, { headers });
  return { res, text: await res.text() };
};
const count = (text: string, needle: RegExp) => (text.match(needle) ?? []).length;
const svgs = (text: string) => text.match(/<svg[\s\S]*?<\/svg>/g) ?? [];

describe("the status page", () => {
  it("renders with no runs at all: the state, three empty charts, and what to do", async () => {
    const { app } = setup();
    const { res, text } = await get(app, "/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    expect(text).toMatch(/^<!doctype html>/);
    expect(text).toContain('<strong id="state">unknown</strong>');
    expect(text).toContain("No runs yet");
    expect(svgs(text)).toHaveLength(3);
    expect(count(text, /<svg[^>]* role="img" aria-labelledby="chart-\w+-title chart-\w+-desc"/g)).toBe(3);
    expect(text).toContain("No runs of Throughput (ops/sec) yet.");
    expect(text).not.toContain("<table");
  });

  it("renders a single run: one point in each chart linking to it, one row", async () => {
    const { app, deps } = setup();
    await deps.runs.record(night(1));
    const { text } = await get(app, "/");
    expect(text).toContain('<strong id="state">passing</strong>');
    for (const svg of svgs(text)) expect(count(svg, /<a href="\/runs\/9000000001-1">/g)).toBe(1);
    expect(count(text, /<tr><td>2026-01-02<\/td>/g)).toBe(1);
    expect(text).toContain('<a href="/runs/9000000001-1/artifacts/chimney-summary.html">summary</a>');
    expect(text).toContain(
      '<a href="https://github.com/ava-labs/firewood/actions/runs/9000000001/attempts/1">workflow</a>',
    );
  });

  it("renders a thousand runs as the last 90 charted and the last 20 listed, bad nights and change points marked, in a small page", async () => {
    const { app, deps } = setup(1_000);
    for (let i = 0; i < 1_000; i++) await deps.runs.record(night(i, i >= 960 ? 1.136 : i === 950 ? 1.5 : 1));
    await deps.runs.record(newRun({ id: "9000001000-1", state: "crashed", at: night(1_000).at, mainline: true }));
    const { analysisOfAll } = await import("../../src/jobs/changes.ts");
    const { planAnalysis } = await import("../../src/core/settle.ts");
    await deps.settlements.commit(planAnalysis(await analysisOfAll(deps)), deps.now().toISOString());
    const { text } = await get(app, "/");
    const charts = svgs(text);
    expect(charts).toHaveLength(3);
    for (const svg of charts) {
      expect(count(svg, /<a href="\/runs\//g)).toBe(90);
      expect(count(svg, /class="bad"/g)).toBe(1);
      expect(count(svg, /class="missing"/g)).toBe(1);
      expect(count(svg, /<g class="change worse">/g)).toBeGreaterThanOrEqual(1);
    }
    expect(text).toContain("1 run out of the band, 1 without a result");
    expect(text).toContain(
      `change point at ${night(960).at.slice(0, 10)} (aaaaaaaaaaaa): 10229.77 → 9008.20 ops/sec, p &lt; 1e-300`,
    );
    expect(text).toContain(
      `change point at ${night(960).at.slice(0, 10)} (aaaaaaaaaaaa): 11.21 → 12.72 ms, p = 5.3e-293`,
    );
    expect(count(text, /<tr><td>\d{4}-/g)).toBe(20);
    expect(text).toContain("The latest 20 of 1001 runs");
    expect(new TextEncoder().encode(text).byteLength).toBeLessThan(150_000);
  });

  it("escapes everything that came from outside: branch names, commit messages, series names, issue links", async () => {
    const { app, deps } = setup();
    await deps.runs.record(night(1, 1, { ref: HOSTILE, mainline: false }));
    await deps.runs.record(night(2, 1, { sha: HOSTILE }));
    const series: Series = {
      key: "s--x",
      suite: HOSTILE,
      name: HOSTILE,
      unit: HOSTILE,
      bigger_is_better: true,
      repo_url: null,
      changes: [],
      points: [1, 2, 3].map((v, i) => ({
        at: `2026-01-0${i + 1}T00:00:00.000Z`,
        sha: HOSTILE,
        value: v,
        commit_url: `javascript:${HOSTILE}`,
        message: HOSTILE,
      })),
    };
    await deps.series.merge([series], DEFAULT_OPTIONS);
    const { text } = await get(app, "/");
    expect(text).not.toContain("<script>alert");
    expect(text).not.toContain("<img src=x");
    expect(text).not.toContain("javascript:");
    expect(text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("shows a suite of many series readably: the one that moved charted first, the rest folded", async () => {
    const { app, deps } = setup();
    const bench = (name: string, levels: number[]): Series => ({
      key: `rust-benches--${name}`,
      suite: "rust-benches",
      name,
      unit: "ns/iter",
      bigger_is_better: false,
      repo_url: null,
      changes: [],
      points: levels.map((level, i) => ({
        at: new Date(Date.UTC(2025, 9, 1) + i * 86_400_000).toISOString(),
        sha: null,
        value: level * (1 + (((i * 7919) % 11) - 5) / 500),
        commit_url: null,
        message: null,
      })),
    });
    const flat = Array(30).fill(1000);
    const moved = bench("insert-1000", [...Array(25).fill(1000), ...Array(5).fill(1200)]);
    const others = Array.from({ length: 40 }, (_, i) => bench(`bench-${i}`, flat));
    await deps.series.merge([...others, moved], DEFAULT_OPTIONS);
    const { text } = await get(app, "/");
    const section = text.slice(text.indexOf("Suite <code>rust-benches</code>"));
    expect(section).toContain("41 series");
    expect(section).toContain("1 stand worse since a change point, charted first");
    const folded = section.indexOf("<details><summary>40 series with no standing change for the worse</summary>");
    expect(folded).toBeGreaterThan(0);
    expect(section.indexOf("insert-1000")).toBeLessThan(folded);
    expect(section.indexOf("bench-0")).toBeGreaterThan(folded);
  });

  it("answers a matching If-None-Match with 304, and says how long to cache", async () => {
    const { app, deps } = setup();
    await deps.runs.record(night(1));
    for (const path of ["/", "/status", "/badge"]) {
      const first = await app.request(path);
      const tag = first.headers.get("etag");
      expect(tag, path).toMatch(/^(W\/)?"/);
      expect(first.headers.get("cache-control"), path).toMatch(/^public, max-age=\d+$/);
      const again = await app.request(path, { headers: { "if-none-match": tag! } });
      expect(again.status, path).toBe(304);
      expect(await again.text()).toBe("");
    }
    await deps.runs.record(night(2));
    const first = await app.request("/");
    const changed = await app.request("/", { headers: { "if-none-match": '"stale"' } });
    expect(changed.status).toBe(200);
    expect(first.headers.get("etag")).toBe(changed.headers.get("etag"));
  });
});

describe("a run's page", () => {
  it("answers HTML to a browser and JSON to everyone else", async () => {
    const { app, deps } = setup();
    await deps.runs.record(night(1, 1.5));
    const browser = await get(app, "/runs/9000000001-1", {
      accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    });
    expect(browser.res.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    expect(browser.res.headers.get("vary")).toBe("accept");
    expect(browser.text).toContain('Run <code>9000000001-1</code>: <span class="regressed">regressed</span>');
    expect(browser.text).toContain(
      '<tr><th scope="row">Throughput (ops/sec)</th><td class="num">6822.21</td><td class="num">8500.00</td><td class="num">12000.00</td><td class="regressed">no</td></tr>',
    );
    for (const [headers, path] of [
      [{}, "/runs/9000000001-1"],
      [{ accept: "application/json" }, "/runs/9000000001-1"],
      [{ accept: "text/html" }, "/runs/9000000001-1?format=json"],
    ] as const) {
      const res = await app.request(path, { headers });
      expect(res.headers.get("content-type")).toBe("application/json");
      expect(((await res.json()) as { id: string }).id).toBe("9000000001-1");
    }
  });

  it("shows zero-width and bidi characters in a branch name escaped, on the run page and the status page", async () => {
    const { app, deps } = setup();
    const ref = "main\u202e\u2069niam\u200d\ufeff";
    await deps.runs.record(night(1, 1, { ref, mainline: false }));
    for (const path of ["/", "/runs/9000000001-1"]) {
      const { text } = await get(app, path, { accept: "text/html" });
      expect(text, path).toContain("main\\u202e\\u2069niam\\u200d\\ufeff");
      expect(text, path).not.toMatch(/[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/);
    }
  });

  it("links to nothing but http(s), whatever a record holds", async () => {
    const { app, deps } = setup();
    await deps.runs.record(
      night(1, 1, {
        github: { run_id: 9_000_000_001, run_attempt: 1, html_url: "javascript:alert(1)//" },
        failure: {
          reason: "a hostile run",
          job: null,
          step: null,
          log_url: "data:text/html,<script>",
          rerun_requested: false,
        },
      }),
    );
    const { text } = await get(app, "/runs/9000000001-1", { accept: "text/html" });
    expect(text).toContain("a hostile run");
    expect(text).not.toMatch(/href="(javascript|data):/);
    expect(text).not.toContain("The workflow run on GitHub");
    expect(text).not.toContain(">log</a>");
  });

  it("escapes a hostile branch name", async () => {
    const { app, deps } = setup();
    await deps.runs.record(night(1, 1, { ref: HOSTILE }));
    const { text } = await get(app, "/runs/9000000001-1", { accept: "text/html" });
    expect(text).not.toContain("<script>alert");
    expect(text).toContain("&lt;script&gt;");
  });
});
