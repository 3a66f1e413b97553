/**
 * `npm start -- --once`, run headless as a maintainer would run it: the whole loop on this
 * machine, under wrangler dev and on the Deno entry, with and without a forced regression.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

/** One `npm start -- --once`; in a state directory of its own unless one is given (and kept). */
function npmStart(extra: string[], kept?: string): Promise<{ code: number | null; output: string }> {
  const state = kept ?? mkdtempSync(join(tmpdir(), "chimney-start-"));
  return new Promise((done) => {
    const child = spawn("npm", ["start", "--", "--once", "--port", "0", "--state", state, ...extra], {
      cwd: ROOT,
      env: { ...process.env, FIREWOOD_DIR: "" },
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => {
      if (!kept) rmSync(state, { recursive: true, force: true });
      done({ code, output });
    });
  });
}

describe.each([
  ["wrangler dev", []],
  ["the Deno entry", ["--deno"]],
])("npm start -- --once on %s", (_where, flags) => {
  it("runs the loop to a passing run, with its artifacts and summary", async () => {
    const { code, output } = await npmStart(flags);
    expect(code, output).toBe(0);
    expect(output).toMatch(/\noutcome: passed\n/);
    expect(output).toMatch(/Run \d+-1: passed/);
    for (const name of ["smoke-metrics.json", "smoke-benchmark.log", "smoke-summary.md", "chimney-summary.md"])
      expect(output).toMatch(new RegExp(`/artifacts/${name.replace(".", "\\.")}\\n`));
    expect(output).toContain("# Firewood smoke benchmark summary\n\n* Total batches: 5\n* Batch size: 100\n");
    expect(output).not.toContain("has issue #");
    // chimney.suites.json, in the repository the sandbox plays.
    expect(output).toContain(
      "The suites chimney watches:\n" +
        "  smoke: HUBId/chain perf.yml, dispatched at 0 3 * * *, format smoke\n" +
        "  pruning: HUBId/chain perf.yml, followed, format pruning\n",
    );
  }, 240_000);

  it("opens an issue in the sandbox for a forced regression", async () => {
    const { code, output } = await npmStart([...flags, "--regress"]);
    expect(code, output).toBe(0);
    expect(output).toMatch(/\noutcome: regressed\n/);
    expect(output).toMatch(/The sandbox's GitHub has issue #1 \(open\): Smoke benchmark regressed: /);
  }, 240_000);
});

describe("npm start -- --once, again in the same state directory the same day", () => {
  it("runs the loop to a result both times: the second dispatches by hand, as tonight's run was", async () => {
    const state = mkdtempSync(join(tmpdir(), "chimney-start-again-"));
    try {
      const first = await npmStart([], state);
      expect(first.code, first.output).toBe(0);
      expect(first.output).toMatch(/\noutcome: passed\n/);
      const began = Date.now();
      const second = await npmStart([], state);
      expect(second.code, second.output).toBe(0);
      expect(second.output).toMatch(/is already dispatched in this state directory\): dispatching a run by hand/);
      expect(second.output).toMatch(/\noutcome: passed\n/);
      expect(Date.now() - began).toBeLessThan(150_000);
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  }, 480_000);
});
