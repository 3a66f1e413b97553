import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseConfig } from "../../src/core/config.ts";
import { BENCHMARK_STEP, correlationIdIn, nightlyCorrelationId } from "../../src/core/workflow.ts";
import { PERF_STEPS } from "../../sandbox/github.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const workflow = parse(readFileSync(resolve(ROOT, ".github/workflows/perf.yml"), "utf8"));
const wrangler = readFileSync(resolve(ROOT, "wrangler.toml"), "utf8");
const smoke = workflow.jobs.smoke;

/** A step's script run as the runner runs it (bash), without blocking this process's test server. */
function bash(
  script: string,
  options: { cwd: string; env: Record<string, string | undefined> },
): Promise<{ status: number | null; stdout: string }> {
  return new Promise((done) => {
    const child = spawn("bash", ["-c", script], { ...options, stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.on("close", (status) => done({ status, stdout }));
  });
}

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

  it("uploads straight to chimney with one curl when CHIMNEY_URL is set, cloning nothing", () => {
    const step = smoke.steps.find((s: { name: string }) => s.name === "Send the result to chimney");
    expect(step.if).toContain("vars.CHIMNEY_URL != ''");
    expect(step.uses).toBeUndefined();
    expect(step.run).toMatch(/^\s*curl /m);
    for (const flag of ["--fail-with-body", "--retry 5"]) expect(step.run).toContain(flag);
    expect(step.run).not.toContain("chimney.js");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template
    expect(step.env.PERF_DASHBOARD_TOKEN).toBe("${{ secrets.PERF_DASHBOARD_TOKEN }}");
    expect(step.run).not.toContain("secrets.");
    const others = smoke.steps.filter((s: { uses?: string; with?: { repository?: string } }) => s.with?.repository);
    expect(others).toEqual([]);
  });

  it("its curl sends the files and provenance with the token, waiting out a 429 as Retry-After asks", async () => {
    const step = smoke.steps.find((s: { name: string }) => s.name === "Send the result to chimney");
    expect(step.run).not.toContain("${{");
    const dir = mkdtempSync(join(tmpdir(), "chimney-curl-"));
    const git = (...a: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...a], { cwd: dir });
    git("init", "-q");
    git("commit", "-q", "--allow-empty", "-m", "night");
    const head = git("rev-parse", "HEAD").toString().trim();
    copyFileSync(resolve(ROOT, "test/fixtures/smoke-metrics.json"), join(dir, "smoke-metrics.json"));
    writeFileSync(join(dir, "smoke-benchmark.log"), "batch 1\n");
    writeFileSync(join(dir, "smoke-summary.md"), "# summary\n");
    const seen: { at: number; url: string; authorization?: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        seen.push({ at: Date.now(), url: req.url!, authorization: req.headers.authorization, body });
        if (seen.length === 1) res.writeHead(429, { "retry-after": "2" }).end();
        else res.writeHead(201, { "content-type": "application/json" }).end('{"outcome":"created"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { port } = server.address() as AddressInfo;
      const { status, stdout: out } = await bash(step.run, {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          CHIMNEY_URL: `http://127.0.0.1:${port}/`,
          PERF_DASHBOARD_TOKEN: "upload-token-0123456789",
          BENCHMARKED_REF: "main",
          GITHUB_RUN_ID: "4242",
          GITHUB_RUN_ATTEMPT: "2",
        },
      });
      expect(status).toBe(0);
      expect(out).toContain('"outcome":"created"');
      expect(seen).toHaveLength(2);
      expect(seen[1].at - seen[0].at).toBeGreaterThanOrEqual(1900);
      const sent = seen[1];
      expect(sent.authorization).toBe("Bearer upload-token-0123456789");
      const url = new URL(sent.url, "http://x");
      expect(url.pathname).toBe("/api/results");
      expect(Object.fromEntries(url.searchParams)).toEqual({
        run_id: "4242",
        run_attempt: "2",
        sha: head,
        ref: "main",
      });
      for (const part of [
        'name="metrics"; filename="smoke-metrics.json"',
        'name="log"',
        'name="summary"; filename="smoke-summary.md"',
      ])
        expect(sent.body).toContain(part);
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("its curl fails the step with chimney's reason when chimney refuses the result", async () => {
    const step = smoke.steps.find((s: { name: string }) => s.name === "Send the result to chimney");
    const dir = mkdtempSync(join(tmpdir(), "chimney-curl-"));
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "init", "-q"], { cwd: dir });
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "n"], {
      cwd: dir,
    });
    writeFileSync(join(dir, "smoke-metrics.json"), "{}");
    const server = createServer((_req, res) =>
      res
        .writeHead(422, { "content-type": "application/problem+json" })
        .end('{"detail":"total_operations is missing"}'),
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { port } = server.address() as AddressInfo;
      const run = await bash(step.run, {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          CHIMNEY_URL: `http://127.0.0.1:${port}`,
          PERF_DASHBOARD_TOKEN: "t0123456789",
          BENCHMARKED_REF: "main",
          GITHUB_RUN_ID: "1",
          GITHUB_RUN_ATTEMPT: "1",
        },
      });
      expect(run.status).not.toBe(0);
      expect(run.stdout).toContain("total_operations is missing");
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is the workflow chimney is configured to dispatch, at the time its nightly trigger fires", () => {
    expect(wrangler).toContain('GITHUB_WORKFLOW = "perf.yml"');
    const cron = /NIGHTLY_CRON = "([^"]+)"/.exec(wrangler)![1];
    expect(wrangler).toContain(`crons = ["${cron}", "*/30 * * * *"]`);
  });
});

const WORKFLOWS = readdirSync(resolve(ROOT, ".github/workflows")).filter((f) => /\.ya?ml$/.test(f));

describe.each(WORKFLOWS)("the workflow %s", (file) => {
  const text = readFileSync(resolve(ROOT, ".github/workflows", file), "utf8");
  const parsed = parse(text);
  const jobs = Object.entries(parsed.jobs) as [string, { permissions?: unknown; steps: { uses?: string }[] }][];

  it("pins every action that is not in the repository by its full commit id, its version in a comment", () => {
    const uses = jobs.flatMap(([, job]) => job.steps.flatMap((s) => (s.uses ? [s.uses] : [])));
    const remote = uses.filter((u) => !u.startsWith("./") && !u.startsWith("docker://"));
    expect(remote.length).toBeGreaterThan(0);
    for (const use of remote) expect(use).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
    for (const line of text.split("\n").filter((l) => /^\s*(- )?uses: (?!\.\/)/.test(l)))
      expect(line).toMatch(/@[0-9a-f]{40} # v\d+(\.\d+){0,2}$/);
  });

  it("declares least privilege: contents read for the workflow, more only where a job needs it", () => {
    expect(parsed.permissions).toEqual({ contents: "read" });
    for (const [, job] of jobs)
      if (job.permissions) expect(Object.keys(job.permissions as object)).toContain("contents");
  });
});
