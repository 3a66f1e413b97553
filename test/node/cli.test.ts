import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWranglerDev, type DevServer } from "../../scripts/wrangler-dev.ts";
import { GitHubEmulator, REPO, TOKEN as GITHUB_TOKEN } from "../../sandbox/github.ts";
import { serve } from "../../sandbox/serve.ts";
import { RUST_SUITE, SMOKE_SUITE } from "../support/suites.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const FIXTURES = join(ROOT, "test/fixtures");
const DENO = join(ROOT, "node_modules/.bin/deno");

/** The same command line, run by Node through bin/chimney.js and by Deno straight from the source. */
const RUNTIMES = {
  node: (args: string[]) => [process.execPath, join(ROOT, "bin/chimney.js"), ...args],
  deno: (args: string[]) => [
    DENO,
    "run",
    "--quiet",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-net",
    join(ROOT, "src/cli/entry.ts"),
    ...args,
  ],
} as const;

type Runtime = keyof typeof RUNTIMES;

function chimney(
  runtime: Runtime,
  args: string[],
  env: Record<string, string> = {},
  cwd = mkdtempSync(join(tmpdir(), "chimney-cli-")),
) {
  const [command, ...rest] = RUNTIMES[runtime](args);
  return new Promise<{ cwd: string; code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(command, rest, {
      cwd,
      env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => done({ cwd, code, stdout, stderr }));
  });
}

const golden = (name: string) => readFileSync(join(FIXTURES, "golden", name), "utf8");
const fixture = (name: string) => join(FIXTURES, name);
const temp = () => mkdtempSync(join(tmpdir(), "chimney-cli-"));
const metricsJson = (name = "smoke-metrics.json") => JSON.parse(readFileSync(fixture(name), "utf8"));

describe.each(["node", "deno"] as const)("chimney on %s", (runtime) => {
  const run = (args: string[], env?: Record<string, string>, cwd?: string) => chimney(runtime, args, env, cwd);

  describe("summarize", () => {
    it.each([
      ["smoke-metrics.json", "", 0],
      ["smoke-metrics-regressed.json", "-regressed", 1],
      ["smoke-metrics-no-report.json", "-no-report", 0],
      ["smoke-metrics-disagree.json", "-disagree", 0],
    ])(
      "writes what Firewood's summarizer writes for %s, with its annotations and exit code",
      async (name, suffix, exit) => {
        const result = await run(["summarize", "--metrics", fixture(name)]);
        expect(result.code).toBe(exit);
        for (const ext of ["md", "json", "html"]) {
          expect(readFileSync(join(result.cwd, `smoke-summary.${ext}`), "utf8")).toBe(
            golden(`smoke-summary${suffix}.${ext}`),
          );
        }
        expect(result.stderr).toBe(golden(`annotations${suffix}.txt`));
      },
    );

    it("matches FORMATS.md §4 byte for byte", async () => {
      const result = await run(["summarize", "--metrics", fixture("smoke-metrics.json"), "--summary-md", "out.md"]);
      expect(readFileSync(join(result.cwd, "out.md"), "utf8")).toBe(
        "# Firewood smoke benchmark summary\n\n* Total batches: 5\n* Batch size: 100\n* Throughput: 10233.32 ops/sec\n* Total duration: 48.86 ms\n\n" +
          "## Baseline comparison\n* Throughput (ops/sec): 10233.32 (>= 8500.00, <= 12000.00) ✅\n" +
          "* Batch P95 latency (ms): 11.20 (>= 0.00, <= 15.00) ✅\n* Total duration (ms): 48.86 (>= 0.00, <= 65.00) ✅\n",
      );
    });

    it.each([
      ["malformed JSON", '{"batches": 5,', /^chimney: .*smoke-metrics\.json: \(body\): is not valid JSON \(/],
      [
        "a wrong type",
        JSON.stringify({ ...metricsJson(), batch_size: "100" }),
        /^chimney: .*smoke-metrics\.json: batch_size: must be a number \(operations per batch\)\n$/,
      ],
      [
        "a missing field",
        JSON.stringify({ ...metricsJson(), batches: undefined }),
        /^chimney: .*smoke-metrics\.json: batches: is required\n$/,
      ],
    ])("names the file and field of %s, without a stack trace", async (_what, content, message) => {
      const cwd = temp();
      writeFileSync(join(cwd, "smoke-metrics.json"), content);
      const result = await run(["summarize"], {}, cwd);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toContain("    at ");
    });

    it("says when the metrics file is missing", async () => {
      const result = await run(["summarize"]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe("chimney: smoke-metrics.json: no such file\n");
    });

    it("summarizes a pruning run with its block counts", async () => {
      const result = await run([
        "summarize",
        "--suite",
        "pruning",
        "--metrics",
        fixture("pruning-metrics-standard-bf16.json"),
      ]);
      expect(result.code).toBe(0);
      const md = readFileSync(join(result.cwd, "pruning-summary.md"), "utf8");
      expect(md).toContain("# Firewood pruning benchmark summary\n\n* Total blocks: 4\n* Ops per block: 25\n");
      expect(md).toContain("* Block P95 latency (ms): 1398.75 (<= 4000.00) ✅");
      expect(JSON.parse(readFileSync(join(result.cwd, "pruning-summary.json"), "utf8")).run).toMatchObject({
        backend: "standard",
        branch_factor: 16,
        per_block_count: 4,
      });
    });
  });

  describe("check", () => {
    it("prints a table and exits 0 within range", async () => {
      const result = await run(["check", "--metrics", fixture("smoke-metrics.json")]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("Throughput (ops/sec)    10233.32  8500.00  12000.00  ok");
      expect(result.stdout).toContain("baseline: bundled baselines/smoke.json");
    });

    it("exits 1 and prints the seed-shaped report with --json when out of range", async () => {
      const result = await run(["check", "--metrics", fixture("smoke-metrics-regressed.json"), "--json"]);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout);
      expect(Object.keys(report)).toEqual([
        "source",
        "throughput_ops_per_sec",
        "total_duration_ms",
        "per_batch_p95_ms",
      ]);
      expect(report.source).toEqual({ type: "Embedded" });
      expect(report.throughput_ops_per_sec).toEqual({
        actual: 6898.265062882583,
        lower: 8500,
        upper: 12000,
        within_range: false,
      });
    });

    it("takes the baseline from $FIREWOOD_SMOKE_BASELINE, and --baseline over it", async () => {
      const loose = join(temp(), "loose.json");
      writeFileSync(
        loose,
        JSON.stringify({
          throughput_ops_per_sec: { lower: 5000 },
          total_duration_ms: { upper: 100 },
          per_batch_p95_ms: { upper: null },
        }),
      );
      const metrics = fixture("smoke-metrics-regressed.json");
      const viaEnv = await run(["check", "--metrics", metrics, "--json"], { FIREWOOD_SMOKE_BASELINE: loose });
      expect(viaEnv.code).toBe(0);
      expect(JSON.parse(viaEnv.stdout).source).toEqual({ type: "File", path: loose });
      const viaFlag = await run(["check", "--metrics", metrics, "--baseline", join(ROOT, "baselines/smoke.json")], {
        FIREWOOD_SMOKE_BASELINE: loose,
      });
      expect(viaFlag.code).toBe(1);
    });

    it("checks pruning runs against their variant's profile", async () => {
      const within = await run([
        "check",
        "--suite",
        "pruning",
        "--metrics",
        fixture("pruning-metrics-standard-bf16.json"),
      ]);
      expect(within.code).toBe(0);
      expect(within.stdout).toContain("Block P95 latency (ms)  1398.75      -  4000.00  ok");
      const over = await run([
        "check",
        "--suite",
        "pruning",
        "--variant",
        "io-uring-bf256",
        "--metrics",
        fixture("pruning-metrics-io-uring-bf256.json"),
        "--json",
      ]);
      expect(over.code).toBe(1);
      expect(JSON.parse(over.stdout)).toMatchObject({
        profile: "io-uring-bf256",
        total_duration_ms: { actual: 9012.5, lower: null, upper: 8500, within_range: false },
      });
    });

    it("refuses a --variant that is not the file's, and a profile the baseline lacks", async () => {
      const wrong = await run([
        "check",
        "--suite",
        "pruning",
        "--variant",
        "standard-bf16",
        "--metrics",
        fixture("pruning-metrics-io-uring-bf256.json"),
      ]);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toMatch(/backend and branch_factor make it io-uring-bf256, not --variant standard-bf16\n$/);
      const only = join(temp(), "only.json");
      writeFileSync(
        only,
        JSON.stringify({
          "standard-bf16": { throughput_ops_per_sec: {}, total_duration_ms: {}, per_block_p95_ms: {} },
        }),
      );
      const missing = await run([
        "check",
        "--suite",
        "pruning",
        "--baseline",
        only,
        "--metrics",
        fixture("pruning-metrics-io-uring-bf256.json"),
      ]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toBe(
        `chimney: ${only}: no pruning baseline named io-uring-bf256 (it has standard-bf16)\n`,
      );
    });

    it("names the field of a bad baseline", async () => {
      const bad = join(temp(), "bad.json");
      writeFileSync(
        bad,
        JSON.stringify({
          throughput_ops_per_sec: { lower: 9000, upper: 8000 },
          total_duration_ms: {},
          per_batch_p95_ms: {},
        }),
      );
      const result = await run(["check", "--metrics", fixture("smoke-metrics.json"), "--baseline", bad]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`chimney: ${bad}: throughput_ops_per_sec.lower: must not exceed \`upper\`\n`);
    });
  });

  describe("baseline", () => {
    it("validates the bundled baselines, and names the field of a bad one", async () => {
      const ok = await run(["baseline", "validate", join(ROOT, "baselines/smoke.json")]);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain("a valid smoke baseline");
      expect(
        (await run(["baseline", "validate", "--suite", "pruning", join(ROOT, "baselines/pruning.json")])).code,
      ).toBe(0);
      const bad = join(temp(), "bad.json");
      writeFileSync(bad, JSON.stringify({ throughput_ops_per_sec: { lower: "8500" }, total_duration_ms: {} }));
      const result = await run(["baseline", "validate", bad]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `${bad}: throughput_ops_per_sec.lower: must be a number or null\n${bad}: per_batch_p95_ms: is required\n`,
      );
    });

    it("suggests ±margin around the median of the last runs of a history file, and writes it as Firewood's file", async () => {
      const cwd = temp();
      const history = [0.9, 1.0, 1.1, 1.0, 0.95, 1.05, 3.0].map((scale) => {
        const m = metricsJson();
        const per_batch_ms = m.per_batch_ms.map((t: number) => t * scale);
        const total = per_batch_ms.reduce((a: number, b: number) => a + b, 0);
        return {
          ...m,
          per_batch_ms,
          total_duration_ms: total,
          throughput_ops_per_sec: 500 / (total / 1000),
          baseline: undefined,
        };
      });
      writeFileSync(join(cwd, "history.json"), JSON.stringify(history));
      mkdirSync(join(cwd, "baselines"));
      writeFileSync(join(cwd, "baselines/smoke.json"), readFileSync(join(ROOT, "baselines/smoke.json")));
      const result = await run(["baseline", "suggest", "--history", "history.json", "--runs", "6", "--write"], {}, cwd);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("±15% around the median of 6 runs");
      // The last six runs; the median of an even count is the mean of the middle two.
      expect(result.stdout).toMatch(/Throughput \(ops\/sec\)\s+9989\.67\s+8491\.22\s+11488\.12\s+8500\.00\s+12000\.00/);
      expect(result.stdout).toContain("  #1\n  #2\n  #3\n  #4\n  #5\n  #6");
      expect(readFileSync(join(cwd, "baselines/smoke.json"), "utf8")).toBe(
        '{\n  "throughput_ops_per_sec": {\n    "lower": 8491.22,\n    "upper": 11488.12\n  },\n  "total_duration_ms": {\n    "lower": 42.57,\n    "upper": 57.59\n  },\n' +
          '  "per_batch_p95_ms": {\n    "lower": 9.76,\n    "upper": 13.2\n  }\n}\n',
      );
    });

    it("refuses to suggest from nothing, or from both sources", async () => {
      expect((await run(["baseline", "suggest"])).stderr).toBe(
        "chimney: give exactly one of --from URL and --history FILE\n",
      );
      const cwd = temp();
      writeFileSync(join(cwd, "h.json"), JSON.stringify([{ ...metricsJson(), batches: 0 }]));
      const bad = await run(["baseline", "suggest", "--history", "h.json"], {}, cwd);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toBe("chimney: h.json: [0].batches: must be at least 1 (batches committed)\n");
    });
  });

  describe("detect", () => {
    const otava = JSON.parse(golden("otava-change-points.json")) as {
      cases: {
        name: string;
        series: (number | null)[];
        window: number;
        pvalue: number;
        magnitude: number;
        expected: { index: number; pvalue: number }[];
      }[];
    };

    it.each(
      otava.cases
        .filter((c) => c.expected.length > 0)
        .slice(0, 3)
        .map((c) => [c.name, c] as const),
    )("prints Otava's change points for %s", async (_name, c) => {
      const cwd = temp();
      writeFileSync(join(cwd, "series.json"), JSON.stringify(c.series));
      const result = await run(
        [
          "detect",
          "--input",
          "series.json",
          "--window",
          String(c.window),
          "--pvalue",
          String(c.pvalue),
          "--magnitude",
          String(c.magnitude),
        ],
        {},
        cwd,
      );
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const found = JSON.parse(result.stdout) as {
        index: number;
        pvalue: number;
        magnitude: number;
        mean_before: number;
        mean_after: number;
      }[];
      expect(found.map((p) => p.index)).toEqual(c.expected.map((p) => p.index));
      for (const [i, p] of found.entries()) expect(p.pvalue).toBeCloseTo(c.expected[i].pvalue, 12);
      expect(Object.keys(found[0])).toEqual(["index", "pvalue", "magnitude", "mean_before", "mean_after"]);
    });

    it("picks a series of Firewood's github-action-benchmark history by its bench name", async () => {
      const bench =
        "BenchmarkReexecuteRange/[40000001,41000000]-Config-firewood-Runner-avago-runner-i4i-2xlarge-local-ssd - mgas/s";
      const result = await run(["detect", "--input", fixture("firewood-bench-history.json"), "--bench", bench]);
      expect(result.code).toBe(0);
      const [change, ...more] = JSON.parse(result.stdout) as {
        index: number;
        pvalue: number;
        mean_before: number;
        mean_after: number;
      }[];
      expect(more).toEqual([]);
      expect(change.index).toBe(32);
      expect(change.pvalue).toBeLessThan(1e-20);
      expect(change.mean_after).toBeGreaterThan(change.mean_before);
    });

    it("says what is missing or wrong, and exits 2", async () => {
      const noBench = await run(["detect", "--input", fixture("firewood-bench-history.json")]);
      expect(noBench.code).toBe(2);
      expect(noBench.stderr).toMatch(
        /holds github-action-benchmark data: name a series with --bench \("BenchmarkReexecuteRange.* and 5 more\)\n$/,
      );
      const unknown = await run(["detect", "--input", fixture("firewood-bench-history.json"), "--bench", "nope"]);
      expect(unknown.stderr).toMatch(/: no bench named "nope" \(/);
      const cwd = temp();
      writeFileSync(join(cwd, "s.json"), JSON.stringify([1, 2, "three"]));
      const notNumbers = await run(["detect", "--input", "s.json"], {}, cwd);
      expect(notNumbers.stderr).toBe("chimney: s.json: [2]: must be a finite number or null\n");
      const window = await run(["detect", "--input", "s.json", "--window", "1"], {}, cwd);
      expect(window.stderr).toBe("chimney: --window must be a whole number of points, at least 2\n");
      expect((await run(["detect"])).stderr).toBe("chimney: --input FILE is required\n");
    });
  });

  it("tells its version, package.json's", async () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, "../../package.json"), "utf8"));
    const answer = await run(["--version"]);
    expect(answer.code).toBe(0);
    expect(answer.stdout).toBe(`chimney ${version}\n`);
  });

  it("explains itself and refuses unknown commands and options", async () => {
    expect((await run(["--help"])).stdout).toContain("baseline suggest");
    for (const command of ["summarize", "check", "submit", "dispatch", "baseline", "import", "detect"]) {
      const help = await run([command, "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: chimney ${command}`));
    }
    const unknown = await run(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('chimney: unknown command "frobnicate"; run chimney --help\n');
    const badOption = await run(["check", "--metric", "x"]);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/^chimney: Unknown option '--metric'/);
  });
});

describe("chimney submit and baseline suggest against a live chimney", () => {
  const TOKEN = "cli-test-token-0123456789abcdef";
  let server: DevServer;
  let state: string;

  beforeAll(async () => {
    state = mkdtempSync(join(tmpdir(), "chimney-cli-state-"));
    server = await startWranglerDev({ persistTo: state, vars: { PERF_DASHBOARD_TOKEN: TOKEN } });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(state, { recursive: true, force: true });
  });

  it.each(["node", "deno"] as const)(
    "uploads the metrics, log and summary, and prints the run's URL (%s)",
    async (runtime) => {
      const runId = runtime === "node" ? "101" : "102";
      const log = join(temp(), "smoke-benchmark.log");
      writeFileSync(log, "SMOKE_BENCHMARK throughput_ops_per_sec=10233.32 total_batches=5 batch_size=100\n");
      const result = await chimney(
        runtime,
        [
          "submit",
          "--url",
          server.url,
          "--metrics",
          fixture("smoke-metrics.json"),
          "--log",
          log,
          "--summary",
          join(FIXTURES, "golden/smoke-summary.md"),
          "--run-id",
          runId,
          "--sha",
          "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",
          "--ref",
          "main",
        ],
        { PERF_DASHBOARD_TOKEN: TOKEN },
      );
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`created run ${runId}-1 (passed): ${server.url}/runs/${runId}-1\n`);
      const stored = (await (await fetch(`${server.url}/runs/${runId}-1`)).json()) as {
        artifacts: { name: string }[];
        sha: string;
      };
      expect(stored.sha).toBe("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b");
      expect(stored.artifacts.map((a) => a.name)).toContain("smoke-benchmark.log");
      expect(stored.artifacts.map((a) => a.name)).toContain("smoke-summary.md");

      const again = await chimney(
        runtime,
        ["submit", "--url", server.url, "--metrics", fixture("smoke-metrics.json"), "--run-id", runId],
        { PERF_DASHBOARD_TOKEN: TOKEN },
      );
      expect(again.stdout).toBe(`already stored: run ${runId}-1 (passed): ${server.url}/runs/${runId}-1\n`);
    },
  );

  it("prints chimney's reason and exits 1 when the result is refused", async () => {
    const wrongToken = await chimney("node", [
      "submit",
      "--url",
      server.url,
      "--metrics",
      fixture("smoke-metrics.json"),
      "--token",
      "not-the-token",
    ]);
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toBe(
      `chimney: ${server.url}/api/results refused the result (401): Authorization: a valid bearer token is required\n`,
    );
    const conflict = await chimney(
      "node",
      ["submit", "--url", server.url, "--metrics", fixture("smoke-metrics-regressed.json"), "--run-id", "101"],
      { PERF_DASHBOARD_TOKEN: TOKEN },
    );
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain(
      "refused the result (409): run 101-1 already has a different result; nothing was changed",
    );
  });

  it("refuses to send without a token or with a bad metrics file, before sending anything", async () => {
    const noToken = await chimney("node", ["submit", "--url", server.url, "--metrics", fixture("smoke-metrics.json")], {
      PERF_DASHBOARD_TOKEN: "",
    });
    expect(noToken.stderr).toBe("chimney: no token: pass --token or set PERF_DASHBOARD_TOKEN\n");
    const cwd = temp();
    writeFileSync(join(cwd, "smoke-metrics.json"), JSON.stringify({ ...metricsJson(), total_operations: 1 }));
    const bad = await chimney("node", ["submit", "--url", server.url], { PERF_DASHBOARD_TOKEN: TOKEN }, cwd);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("chimney: smoke-metrics.json: total_operations: is 1 but batches × batch_size is 500\n");
  });

  it("suggests a baseline from chimney's own runs", async () => {
    const result = await chimney("node", [
      "baseline",
      "suggest",
      "--from",
      server.url,
      "--runs",
      "14",
      "--baseline",
      join(ROOT, "baselines/smoke.json"),
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("around the median of 2 runs (fewer than the 14 asked for)");
    expect(result.stdout).toMatch(/ {2}10[12]-1 \d{4}-\d{2}-\d{2} passed 9f86d081884c/);
  });
});

describe("chimney import against a live chimney", () => {
  const TOKEN = "cli-import-token-0123456789abcdef";
  let server: DevServer;
  let state: string;

  beforeAll(async () => {
    state = mkdtempSync(join(tmpdir(), "chimney-cli-state-"));
    server = await startWranglerDev({ persistTo: state, vars: { ADMIN_TOKEN: TOKEN } });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(state, { recursive: true, force: true });
  });

  it("imports Firewood's bench history once, however often it is sent", async () => {
    const first = await chimney("node", ["import", "--url", server.url, fixture("firewood-bench-history.json")], {
      ADMIN_TOKEN: TOKEN,
    });
    expect(first.stderr).toBe("chimney: import: 201 of 201 rows done\n");
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split("\n");
    expect(lines).toHaveLength(10);
    expect(lines).toContain(
      "BenchmarkReexecuteRange/[40000001,41000000]-Config-firewood-Runner-avago-runner-i4i-2xlarge-local-ssd - mgas/s (mgas/s): 142 new of 142 points; 1 change points",
    );
    const again = await chimney("deno", [
      "import",
      "--url",
      server.url,
      "--token",
      TOKEN,
      fixture("firewood-bench-history.json"),
    ]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^(.*: 0 new of (142|59) points; \d+ change points\n){10}$/);
  });

  it("imports smoke results as runs, and prints chimney's reason for a bad file", async () => {
    const cwd = temp();
    writeFileSync(
      join(cwd, "results.json"),
      JSON.stringify([{ at: "2026-10-01T03:00:00Z", sha: "ab".repeat(20), result: metricsJson() }]),
    );
    const result = await chimney("node", ["import", "--url", server.url, "results.json"], { ADMIN_TOKEN: TOKEN }, cwd);
    expect(result.stdout).toBe("1 runs added, 0 already there; 0 change points in 1 runs\n");
    writeFileSync(join(cwd, "bad.json"), JSON.stringify([{ result: metricsJson() }]));
    const bad = await chimney("node", ["import", "--url", server.url, "bad.json"], { ADMIN_TOKEN: TOKEN }, cwd);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(`chimney: ${server.url}/api/import refused bad.json (422): [0].at: is required\n`);
    const noToken = await chimney("node", ["import", "--url", server.url, "bad.json"], { ADMIN_TOKEN: "" }, cwd);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toBe("chimney: no token: pass --token or set ADMIN_TOKEN\n");
  });
});

describe("chimney import in batches against a live chimney", () => {
  const TOKEN = "cli-import-token-0123456789abcdef";
  let server: DevServer;
  let state: string;
  let proxy: Server;
  let proxyUrl: string;
  /** Requests the proxy passes on before it answers 503 to every one. */
  let healthy = 0;

  beforeAll(async () => {
    state = mkdtempSync(join(tmpdir(), "chimney-cli-state-"));
    server = await startWranglerDev({ persistTo: state, vars: { ADMIN_TOKEN: TOKEN } });
    proxy = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      if (healthy-- <= 0) {
        res.writeHead(503, { "content-type": "application/json", "retry-after": "1" });
        res.end("{}");
        return;
      }
      const answer = await fetch(`${server.url}${req.url}`, {
        method: req.method,
        headers: { authorization: req.headers.authorization ?? "", "content-type": "application/json" },
        body: Buffer.concat(chunks),
      });
      res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" });
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  }, 120_000);

  afterAll(async () => {
    await new Promise<void>((r) => proxy?.close(() => r()));
    await server?.stop();
    rmSync(state, { recursive: true, force: true });
  });

  /** `chimney import` of cwd's results.json, two rows a batch, to chimney at `url`. */
  const importResults = (url: string, cwd: string) =>
    chimney("node", ["import", "--url", url, "--batch", "2", "results.json"], { ADMIN_TOKEN: TOKEN }, cwd);

  const results = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => ({
      at: `2026-09-${String(from + i + 1).padStart(2, "0")}T03:00:00Z`,
      sha: (from + i + 1).toString(16).padStart(40, "a"),
      result: metricsJson(),
    }));

  it("sends Firewood's history in batches, printing the rows done after each, and the same summary", async () => {
    const first = await chimney(
      "node",
      ["import", "--url", server.url, "--batch", "90", fixture("firewood-bench-history.json")],
      { ADMIN_TOKEN: TOKEN },
    );
    expect(first.code).toBe(0);
    expect(first.stderr).toBe([90, 180, 201].map((n) => `chimney: import: ${n} of 201 rows done\n`).join(""));
    const lines = first.stdout.trim().split("\n");
    expect(lines).toHaveLength(10);
    expect(lines).toContain(
      "BenchmarkReexecuteRange/[40000001,41000000]-Config-firewood-Runner-avago-runner-i4i-2xlarge-local-ssd - mgas/s (mgas/s): 142 new of 142 points; 1 change points",
    );
    const again = await chimney(
      "node",
      ["import", "--url", server.url, "--batch", "50", fixture("firewood-bench-history.json")],
      { ADMIN_TOKEN: TOKEN },
    );
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^(.*: 0 new of (142|59) points; \d+ change points\n){10}$/);
  });

  it("stops at a refused batch saying how many rows were kept; run again, it finishes without doubling a row", async () => {
    const cwd = temp();
    const rows = results(5);
    writeFileSync(join(cwd, "results.json"), JSON.stringify([...rows.slice(0, 3), { result: metricsJson() }, rows[4]]));
    const refused = await importResults(server.url, cwd);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toBe(
      [
        "chimney: import: 2 of 5 rows done",
        `chimney: ${server.url}/api/import refused results.json (422): [3].at: is required`,
        "chimney: import stopped: 2 of 5 rows done; run it again to finish (rows already kept are not added twice)",
        "",
      ].join("\n"),
    );
    writeFileSync(join(cwd, "results.json"), JSON.stringify(rows));
    const finished = await importResults(server.url, cwd);
    expect(finished.code).toBe(0);
    expect(finished.stdout).toMatch(/^3 runs added, 2 already there; \d+ change points in 5 runs\n$/);
    const runs = (await (await fetch(`${server.url}/runs?limit=50`)).json()) as { runs: unknown[] };
    expect(runs.runs).toHaveLength(5);
  });

  it("stops when chimney fails a batch past its retries, saying how many rows were kept", async () => {
    const cwd = temp();
    writeFileSync(join(cwd, "results.json"), JSON.stringify(results(4, 10)));
    healthy = 1;
    const failed = await importResults(proxyUrl, cwd);
    expect(failed.code).toBe(1);
    const lines = failed.stderr.trim().split("\n");
    expect(lines[0]).toBe("chimney: import: 2 of 4 rows done");
    expect(lines.at(-2)).toBe(`chimney: ${proxyUrl}/api/import: gave up after 5 attempts (last: HTTP 503)`);
    expect(lines.at(-1)).toBe(
      "chimney: import stopped: 2 of 4 rows done; run it again to finish (rows already kept are not added twice)",
    );
    healthy = 100;
    const again = await importResults(proxyUrl, cwd);
    expect(again.stdout).toMatch(/^2 runs added, 2 already there; /);
  }, 30_000);

  it("refuses a --batch that is not a number of rows", async () => {
    const bad = await chimney("node", ["import", "--url", server.url, "--batch", "0", "x.json"], {
      ADMIN_TOKEN: TOKEN,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("chimney: --batch must be a number of rows from 1 to 500\n");
  });
});

describe("chimney submit against a flaky chimney", () => {
  let flaky: Server;
  let url: string;
  const answers: { status: number; body: string; headers?: Record<string, string> }[] = [];
  let seen = 0;

  beforeAll(async () => {
    flaky = createServer((req, res) => {
      seen++;
      req.resume();
      req.on("end", () => {
        const answer = answers.shift() ?? { status: 500, body: "{}" };
        res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
        res.end(answer.body);
      });
    });
    await new Promise<void>((r) => flaky.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(flaky.address() as { port: number }).port}`;
  });

  afterAll(() => new Promise<void>((r) => flaky.close(() => r())));

  const submitToFlaky = () =>
    chimney("node", ["submit", "--url", url, "--metrics", fixture("smoke-metrics.json"), "--token", "t"]);

  it("retries a 503 and a 429 with retry-after, then reports the run", async () => {
    seen = 0;
    answers.push({ status: 503, body: "{}" }, { status: 429, body: "{}", headers: { "retry-after": "1" } });
    answers.push({
      status: 201,
      body: JSON.stringify({
        outcome: "created",
        run: { id: "7-1", state: "passed", links: { self: `${url}/runs/7-1` } },
        evaluation: null,
      }),
    });
    const result = await submitToFlaky();
    expect(result.code).toBe(0);
    expect(seen).toBe(3);
    expect(result.stderr).toBe("chimney: HTTP 503; trying again in 1 s\nchimney: HTTP 429; trying again in 1 s\n");
    expect(result.stdout).toBe(`created run 7-1 (passed): ${url}/runs/7-1\n`);
  });

  it("reads the answer by the schema chimney's API describes, and names what is not as described", async () => {
    answers.push({ status: 201, body: JSON.stringify({ outcome: "created", run: { id: "7-1", links: {} } }) });
    const result = await submitToFlaky();
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^chimney: http:\/\/127\.0\.0\.1:\d+\/api\/results answered something else than chimney's API describes \(run\.state: /,
    );
  });
});

describe("chimney dispatch against a live chimney and the GitHub emulator", () => {
  const TOKEN = "cli-dispatch-token-0123456789abcdef";
  let server: DevServer;
  let github: GitHubEmulator;
  let api: { url: string; close(): Promise<void> };
  let state: string;

  beforeAll(async () => {
    api = await serve((request) => github.fetch(request));
    github = new GitHubEmulator(Date.now, { api: api.url, storage: api.url, web: api.url });
    state = mkdtempSync(join(tmpdir(), "chimney-cli-state-"));
    server = await startWranglerDev({
      persistTo: state,
      vars: {
        ADMIN_TOKEN: TOKEN,
        GITHUB_REPOSITORY: REPO,
        GITHUB_API_URL: api.url,
        GITHUB_TOKEN,
        CHIMNEY_SUITES: JSON.stringify({ suites: [SMOKE_SUITE, RUST_SUITE] }),
      },
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await api?.close();
    rmSync(state, { recursive: true, force: true });
  });

  it("--pr N runs the pull request's head commit, recorded as the pull request's", async () => {
    const pr = github.addPullRequest("Faster commits", { ref: "feature/bloom" });
    const head = github.issues.get(pr)!.head!.sha;
    const result = await chimney("node", ["dispatch", "--url", server.url, "--pr", String(pr)], { ADMIN_TOKEN: TOKEN });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const [run] = github.runs.values();
    expect(result.stdout).toMatch(
      new RegExp(
        `^dispatched chimney-manual-[0-9a-z]{26} on feature/bloom for pull request #${pr}: ${server.url}/runs/${run.id}-1\n$`,
      ),
    );
    expect(run.inputs.ref).toBe(head);
    const stored = (await (await fetch(`${server.url}/runs/${run.id}-1`)).json()) as Record<string, any>;
    expect(stored).toMatchObject({ sha: head, mainline: false, dispatch: { pr_number: pr } });
  });

  it("--suite S runs that suite's workflow on its branch, and names the suites when S is unknown", async () => {
    const result = await chimney("node", ["dispatch", "--url", server.url, "--suite", "rust-benches"], {
      ADMIN_TOKEN: TOKEN,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const run = [...github.runs.values()].at(-1)!;
    expect([run.workflow, run.head_branch]).toEqual(["benchmarks.yaml", "main"]);
    expect(result.stdout).toBe(
      `dispatched ${run.inputs.correlation_id} (suite rust-benches) on main: ${api.url}/${REPO}/actions/runs/${run.id}/attempts/1\n`,
    );
    const unknown = await chimney("node", ["dispatch", "--url", server.url, "--suite", "nope"], { ADMIN_TOKEN: TOKEN });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      'refused the dispatch (400): suite: no suite is named "nope"; the suites are smoke, rust-benches',
    );
  });

  it("prints chimney's refusal and exits 1; a bad --pr is a usage error", async () => {
    const unknown = await chimney("node", ["dispatch", "--url", server.url, "--pr", "4711"], { ADMIN_TOKEN: TOKEN });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("refused the dispatch (422): pr_number: ");
    const bad = await chimney("node", ["dispatch", "--url", server.url, "--pr", "-3"], { ADMIN_TOKEN: TOKEN });
    expect(bad.code).toBe(2);
    const noToken = await chimney("node", ["dispatch", "--url", server.url], { ADMIN_TOKEN: "" });
    expect(noToken.stderr).toBe("chimney: no token: pass --token or set ADMIN_TOKEN\n");
  });
});
