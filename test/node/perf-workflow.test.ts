import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseConfig } from "../../src/core/config.ts";
import { BENCHMARK_STEP, correlationIdIn, nightlyCorrelationId } from "../../src/core/workflow.ts";
import { PERF_STEPS } from "../../sandbox/github.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const workflow = parse(readFileSync(resolve(ROOT, ".github/workflows/perf.yml"), "utf8"));
const wrangler = readFileSync(resolve(ROOT, "wrangler.toml"), "utf8");
const smoke = workflow.jobs.smoke;

describe("the perf.yml chimney ships for Firewood", () => {
  it("takes the inputs chimney dispatches with", () => {
    expect(Object.keys(workflow.on.workflow_dispatch.inputs)).toEqual(["correlation_id", "pr-number", "ref"]);
    expect(workflow.on.schedule).toBeUndefined();
  });

  it("echoes the correlation id in its run-name, where chimney looks for it", () => {
    const runName = String(workflow["run-name"]).replace(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template
      "${{ inputs.correlation_id }}",
      nightlyCorrelationId("2026-11-29"),
    );
    expect(correlationIdIn(runName)).toBe("chimney-nightly-2026-11-29");
  });

  it("runs on the self-hosted benchmark machine", () => {
    expect(smoke["runs-on"]).toEqual(["self-hosted", "linux", "x64", "firewood-perf"]);
  });

  it("has the steps chimney (and its GitHub emulator) know, the benchmark step named as chimney expects", () => {
    const names = smoke.steps.map((s: { name: string }) => s.name);
    expect(names.filter((n: string) => BENCHMARK_STEP.test(n))).toEqual(["Run smoke benchmark"]);
    expect(names.indexOf("Run smoke benchmark")).toBeGreaterThan(names.indexOf("Install nightly toolchain"));
    for (const step of PERF_STEPS.filter((s) => s !== "Set up job")) expect(names).toContain(step);
    expect(smoke.steps.find((s: { name: string }) => s.name === "Run smoke benchmark").run).toContain(
      "cargo +nightly run -p firewood-benchmark -- smoke",
    );
  });

  it("uploads the artifact chimney downloads, even when the summarizer fails the job", () => {
    const upload = smoke.steps.find((s: { uses?: string }) => s.uses?.startsWith("actions/upload-artifact"));
    expect(upload.with.name).toBe(parseConfig({}).config.ARTIFACT_NAME);
    expect(upload.if).toMatch(/^always\(\)/);
    expect(
      upload.with.path
        .trim()
        .split("\n")
        .map((p: string) => p.trim()),
    ).toEqual([
      "smoke-benchmark.log",
      "smoke-metrics.json",
      "smoke-summary.md",
      "smoke-summary.json",
      "smoke-summary.html",
    ]);
  });

  it("uploads through chimney submit when CHIMNEY_URL is set", () => {
    const step = smoke.steps.find((s: { name: string }) => s.name === "Send the result to chimney");
    expect(step.if).toContain("vars.CHIMNEY_URL != ''");
    expect(step.run).toContain("node .chimney/bin/chimney.js submit");
    for (const flag of [
      "--url",
      "--metrics smoke-metrics.json",
      "--log smoke-benchmark.log",
      "--run-id",
      "--run-attempt",
      "--sha",
      "--ref",
    ])
      expect(step.run).toContain(flag);
  });

  it("is the workflow chimney is configured to dispatch, at the time its nightly trigger fires", () => {
    expect(wrangler).toContain('GITHUB_WORKFLOW = "perf.yml"');
    const cron = /NIGHTLY_CRON = "([^"]+)"/.exec(wrangler)![1];
    expect(wrangler).toContain(`crons = ["${cron}", "*/30 * * * *"]`);
  });
});
