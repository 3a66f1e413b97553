import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const FIXTURES = join(ROOT, "test/fixtures");

function chimney(args: string[], env: Record<string, string> = {}) {
  const cwd = mkdtempSync(join(tmpdir(), "chimney-cli-"));
  const result = spawnSync(process.execPath, [join(ROOT, "bin/chimney.js"), ...args], { cwd, encoding: "utf8", env: { ...process.env, ...env } });
  return { cwd, code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const golden = (name: string) => readFileSync(join(FIXTURES, "golden", name), "utf8");

describe("chimney summarize", () => {
  it.each([
    ["smoke-metrics.json", "", 0],
    ["smoke-metrics-regressed.json", "-regressed", 1],
    ["smoke-metrics-no-report.json", "-no-report", 0],
    ["smoke-metrics-disagree.json", "-disagree", 0],
  ])("writes what Firewood's summarizer writes for %s, with its annotations and exit code", (fixture, suffix, exit) => {
    const run = chimney(["summarize", "--metrics", join(FIXTURES, fixture)]);
    expect(run.code).toBe(exit);
    for (const ext of ["md", "json", "html"]) {
      expect(readFileSync(join(run.cwd, `smoke-summary.${ext}`), "utf8")).toBe(golden(`smoke-summary${suffix}.${ext}`));
    }
    expect(run.stderr).toBe(golden(`annotations${suffix}.txt`));
  });

  it("names the file and field of a bad input, without a stack trace", () => {
    const cwd = mkdtempSync(join(tmpdir(), "chimney-bad-"));
    const bad = join(cwd, "smoke-metrics.json");
    writeFileSync(bad, JSON.stringify({ ...JSON.parse(readFileSync(join(FIXTURES, "smoke-metrics.json"), "utf8")), batch_size: "100" }));
    const run = chimney(["summarize", "--metrics", bad]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`chimney: ${bad}: batch_size: must be a number (operations per batch)\n`);
    expect(run.stderr).not.toContain("    at ");
  });

  it("says when the metrics file is missing", () => {
    const run = chimney(["summarize"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("chimney: smoke-metrics.json: no such file\n");
  });
});

describe("chimney check", () => {
  it("prints a table and exits 0 within range", () => {
    const run = chimney(["check", "--metrics", join(FIXTURES, "smoke-metrics.json")]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Throughput (ops/sec)    10233.32  8500.00  12000.00  ok");
  });

  it("exits 1 and prints the seed-shaped report with --json when out of range", () => {
    const run = chimney(["check", "--metrics", join(FIXTURES, "smoke-metrics-regressed.json"), "--json"]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.source).toEqual({ type: "Embedded" });
    expect(report.throughput_ops_per_sec).toEqual({ actual: 6898.265062882583, lower: 8500, upper: 12000, within_range: false });
  });

  it("takes the baseline from $FIREWOOD_SMOKE_BASELINE, and --baseline over it", () => {
    const cwd = mkdtempSync(join(tmpdir(), "chimney-baseline-"));
    const loose = join(cwd, "loose.json");
    writeFileSync(loose, JSON.stringify({ throughput_ops_per_sec: { lower: 5000 }, total_duration_ms: { upper: 100 }, per_batch_p95_ms: { upper: null } }));
    const metrics = join(FIXTURES, "smoke-metrics-regressed.json");
    const viaEnv = chimney(["check", "--metrics", metrics, "--json"], { FIREWOOD_SMOKE_BASELINE: loose });
    expect(viaEnv.code).toBe(0);
    expect(JSON.parse(viaEnv.stdout).source).toEqual({ type: "File", path: loose });
    const viaFlag = chimney(["check", "--metrics", metrics, "--baseline", join(ROOT, "baselines/smoke.json")], { FIREWOOD_SMOKE_BASELINE: loose });
    expect(viaFlag.code).toBe(1);
  });

  it("names the field of a bad baseline", () => {
    const cwd = mkdtempSync(join(tmpdir(), "chimney-baseline-"));
    const bad = join(cwd, "bad.json");
    writeFileSync(bad, JSON.stringify({ throughput_ops_per_sec: { lower: 9000, upper: 8000 }, total_duration_ms: {}, per_batch_p95_ms: {} }));
    const run = chimney(["check", "--metrics", join(FIXTURES, "smoke-metrics.json"), "--baseline", bad]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`chimney: ${bad}: throughput_ops_per_sec.lower: must not exceed \`upper\`\n`);
  });
});

describe("chimney", () => {
  it("explains itself and refuses unknown commands and options", () => {
    expect(chimney(["--help"]).stdout).toContain("summarize");
    expect(chimney(["check", "--help"]).stdout).toContain("FIREWOOD_SMOKE_BASELINE");
    const unknown = chimney(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('chimney: unknown command "frobnicate"; run chimney --help\n');
    const badOption = chimney(["check", "--metric", "x"]);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/^chimney: Unknown option '--metric'/);
  });
});
