import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GRAFANA_KEY, GrafanaEmulator } from "../../sandbox/grafana.ts";
import { serve } from "../../sandbox/serve.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const RUNTIMES = {
  node: (args: string[]) => [process.execPath, join(ROOT, "bin/chimney.js"), ...args],
  deno: (args: string[]) => [
    join(ROOT, "node_modules/.bin/deno"),
    "run",
    "--quiet",
    "-A",
    join(ROOT, "src/cli/entry.ts"),
    ...args,
  ],
} as const;

/** The real HUBId/chain repository files, in a fresh checkout. */
function checkout(): string {
  const dir = mkdtempSync(join(tmpdir(), "chimney-dashboards-"));
  cpSync(join(ROOT, "test/fixtures/hubid-chain/docs"), join(dir, "docs"), { recursive: true });
  return dir;
}

function dashboardsOf(dir: string): Record<string, unknown>[] {
  const manifest = JSON.parse(readFileSync(join(dir, "docs/performance_dashboards.json"), "utf8"));
  return manifest.dashboards.map((e: { output: string }) => JSON.parse(readFileSync(join(dir, e.output), "utf8")));
}

function run(runtime: keyof typeof RUNTIMES, args: string[], cwd: string, env: Record<string, string> = {}) {
  const [command, ...rest] = RUNTIMES[runtime](args);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(command, rest, {
      cwd,
      env: { ...process.env, PERF_GRAFANA_URL: "", PERF_GRAFANA_API_KEY: "", NO_COLOR: "1", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

const OFFLINE = [
  "pipeline-wallet-intake: version: manifest 2, export 1",
  "pipeline-proof-validation: sha256: manifest afa3b7e9a67ec6fd29483f619e3407e424e349669518fddd5dfc798d71ad6788, export 1c516f7ad010e38644be93a21a58ae05b462149ec1e8cf0846d636e8f1fe32c9",
  "pipeline-consensus-finality: version: manifest 2, export 1",
  "snapshot-resilience: sha256: manifest 5e14aa7dfaaeb3b42fb3a1a18ea60662ab545cca85a7603b8e0a1f936d9c2529, export 258b90d2f22858e9bf7eb80d88b8a910b70144a251e93610487def686223b24e",
];

describe.each(["node", "deno"] as const)("chimney dashboards on %s", (runtime) => {
  let grafana: GrafanaEmulator;
  let server: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    grafana = new GrafanaEmulator(dashboardsOf(checkout()).map((d) => ({ ...d, version: Number(d.version) + 1 })));
    server = await serve((request) => grafana.fetch(request));
  });
  afterAll(() => server.close());

  it("verifies the committed manifest and exports offline, one line per finding", async () => {
    const result = await run(runtime, ["dashboards", "verify", "--offline"], checkout());
    expect(result.code).toBe(1);
    expect(result.stdout.trim().split("\n")).toEqual(OFFLINE);
  });

  it("names PERF_GRAFANA_URL and PERF_GRAFANA_API_KEY when they are missing", async () => {
    const result = await run(runtime, ["dashboards", "verify"], checkout());
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "chimney: PERF_GRAFANA_URL and PERF_GRAFANA_API_KEY must be set (or verify with --offline)\n",
    );
  });

  it("finds Grafana ahead of the exports", async () => {
    const result = await run(runtime, ["dashboards", "verify"], checkout(), {
      PERF_GRAFANA_URL: server.url,
      PERF_GRAFANA_API_KEY: GRAFANA_KEY,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("pipeline-overview: version: export 1, grafana 2\n");
  });

  it("writes the exports and the manifest from Grafana, after which verify is clean", async () => {
    const dir = checkout();
    const env = { PERF_GRAFANA_URL: server.url, PERF_GRAFANA_API_KEY: GRAFANA_KEY };
    const before = JSON.parse(readFileSync(join(dir, "docs/performance_dashboards.json"), "utf8"));
    const written = await run(
      runtime,
      ["dashboards", "write", "--root", dir, "--manifest", join(dir, "docs/performance_dashboards.json")],
      ROOT,
      env,
    );
    expect(written.stderr).toBe("");
    expect(written.code).toBe(0);
    expect(written.stdout).toContain("Updated docs/dashboards/pipeline_overview.json\n");

    const after = JSON.parse(readFileSync(join(dir, "docs/performance_dashboards.json"), "utf8"));
    expect(Object.keys(after.dashboards[0])).toEqual(Object.keys(before.dashboards[0]));
    expect(after.dashboards[0]).toMatchObject({
      uid: "pipeline-overview",
      version: 2,
      version_tag: `v${new Date().toISOString().slice(0, 10)}`,
    });
    const exported = readFileSync(join(dir, "docs/dashboards/pipeline_overview.json"), "utf8");
    expect(exported.endsWith("}\n")).toBe(true);
    expect(exported).toContain('\n  "version": 2,\n');

    const verified = await run(runtime, ["dashboards", "verify"], dir, env);
    expect(verified.stdout).toBe("All dashboards are in sync.\n");
    expect(verified.code).toBe(0);
    const namespaced = await run(runtime, ["dashboards", "verify"], dir, { ...env, PERF_GRAFANA_NAMESPACE: "default" });
    expect(namespaced.stdout).toBe("All dashboards are in sync.\n");
  });

  it("keeps going when one dashboard fails, and says which", async () => {
    grafana.failures.set("snapshot-resilience", "500");
    try {
      const dir = checkout();
      const result = await run(runtime, ["dashboards", "write"], dir, {
        PERF_GRAFANA_URL: server.url,
        PERF_GRAFANA_API_KEY: GRAFANA_KEY,
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toContain("Updated docs/dashboards/pipeline_storage_commit.json\n");
      expect(result.stdout).toContain("snapshot-resilience: grafana: error (HTTP 500); its export is unchanged\n");
    } finally {
      grafana.failures.clear();
    }
  });
});
