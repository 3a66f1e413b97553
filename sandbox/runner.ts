/**
 * The sandbox's self-hosted runner: runs the smoke benchmark as perf.yml does and returns the
 * files of the `smoke-benchmark` artifact. The real benchmark when FIREWOOD_DIR is a Firewood
 * checkout and cargo is there; otherwise sandbox/standin.ts.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { measure, parseSmokeMetrics } from "../src/core/metrics.ts";
import { smokeSummary, summaryHtml, summaryJson, summaryMarkdown } from "../src/core/summary.ts";

const ROOT = resolve(import.meta.dirname, "..");
const DENO = join(ROOT, "node_modules/.bin/deno");

export interface Benchmark {
  /** What runs: shown to the person starting the sandbox. */
  description: string;
  /** Runs the benchmark once and returns the artifact's files, or why the step failed. */
  run(options?: RunOptions): Promise<{ files: Record<string, string>; failedStep: string | null }>;
}

export interface RunOptions {
  /** A forced regression: this much longer per batch (the stand-in only). */
  slowdownMs?: number;
  /** The baseline the benchmark embeds its report against ($FIREWOOD_SMOKE_BASELINE). */
  baselinePath?: string;
}

export function chooseBenchmark(firewoodDir: string | undefined): Benchmark {
  if (firewoodDir) {
    const cargo = spawnSync("cargo", ["--version"], { encoding: "utf8" });
    if (cargo.status !== 0)
      throw new Error(
        `FIREWOOD_DIR is set but cargo is not available (${cargo.error?.message ?? cargo.stderr.trim()})`,
      );
    return {
      description: `cargo +nightly run -p firewood-benchmark -- smoke in ${firewoodDir}`,
      run: (options) => {
        if (options?.slowdownMs)
          throw new Error("a forced regression needs the stand-in: the real benchmark cannot be slowed down");
        return execute(
          "cargo",
          ["+nightly", "run", "-p", "firewood-benchmark", "--", "smoke"],
          firewoodDir,
          baselineEnv(options),
        );
      },
    };
  }
  return {
    description: "the stand-in benchmark (sandbox/standin.ts): 5 batches of 100 inserts committed to Deno KV",
    run: (options) =>
      execute(
        DENO,
        [
          "run",
          "--quiet",
          "--unstable-kv",
          "--allow-read",
          "--allow-write",
          "--allow-env",
          join(ROOT, "sandbox/standin.ts"),
        ],
        ROOT,
        {
          ...baselineEnv(options),
          CHIMNEY_STANDIN_SLOWDOWN_MS: String(options?.slowdownMs ?? 0),
        },
      ),
  };
}

function baselineEnv(options: RunOptions | undefined): Record<string, string> {
  return options?.baselinePath ? { FIREWOOD_SMOKE_BASELINE: options.baselinePath } : {};
}

/** The benchmark step (stdout teed to the log), then the summarize step, as in perf.yml. */
async function execute(command: string, args: string[], cwd: string, env: Record<string, string>) {
  const work = mkdtempSync(join(tmpdir(), "chimney-runner-"));
  try {
    const metricsPath = join(work, "smoke-metrics.json");
    const { code, output } = await capture(command, args, cwd, { ...env, FIREWOOD_SMOKE_OUTPUT: metricsPath });
    const files: Record<string, string> = { "smoke-benchmark.log": output };
    if (code !== 0) return { files, failedStep: "Run smoke benchmark" };
    files["smoke-metrics.json"] = readFileSync(metricsPath, "utf8");
    const parsed = parseSmokeMetrics(JSON.parse(files["smoke-metrics.json"]));
    if (!parsed.ok) return { files, failedStep: "Summarize metrics" };
    const summary = smokeSummary(measure(parsed.value), parsed.value.baseline);
    files["smoke-summary.md"] = summaryMarkdown(summary);
    files["smoke-summary.json"] = summaryJson(summary);
    files["smoke-summary.html"] = summaryHtml(summary);
    // Like Firewood's summarizer, the step fails when a metric is out of the runner's own range.
    const failed = summary.entries.some((e) => !e.within_range);
    return { files, failedStep: failed ? "Summarize metrics" : null };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function capture(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env } });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", (error) => done({ code: -1, output: `${output}${error.message}\n` }));
    child.on("close", (code) => done({ code, output }));
  });
}

/** Runs the benchmark `times` times and returns its metrics: how the sandbox learns its machine. */
export async function calibrate(benchmark: Benchmark, times: number): Promise<string[]> {
  const runs: string[] = [];
  for (let i = 0; i < times; i++) {
    const { files, failedStep } = await benchmark.run();
    if (!files["smoke-metrics.json"])
      throw new Error(`the benchmark failed (${failedStep}):\n${files["smoke-benchmark.log"]}`);
    runs.push(files["smoke-metrics.json"]);
  }
  return runs;
}
