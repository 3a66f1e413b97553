import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { describe, expect, it } from "vitest";
import { exposition } from "../../src/core/health.ts";

const ROOT = resolve(import.meta.dirname, "../..");

function chimney(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [join(ROOT, "bin/chimney.js"), ...args], {
      cwd: ROOT,
      env: { ...process.env, PERF_GRAFANA_URL: "", PERF_GRAFANA_API_KEY: "", NO_COLOR: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

describe("chimney's own Grafana dashboard", () => {
  it("is in sync with its manifest, as `chimney dashboards verify` checks Firewood's", async () => {
    const result = await chimney(["dashboards", "verify", "--offline", "--manifest", "dashboards/manifest.json"]);
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe("All dashboards are in sync.");
    expect(result.code).toBe(0);
  });

  it("charts only metrics /metrics serves, and every one of them", () => {
    const dashboard = JSON.parse(readFileSync(join(ROOT, "dashboards/chimney-health.json"), "utf8")) as {
      panels: { targets: { expr: string }[] }[];
    };
    const charted = new Set(
      dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/\bchimney_\w+/g) ?? [])),
    );
    const served = parsePrometheusTextFormat(
      exposition({
        counts: { runs: [], outbox: 0, counters: [] },
        suite: "smoke",
        openAlerts: [],
        lastSettledNightAt: null,
        now: new Date(),
      }),
    ).map((f) => f.name);
    expect([...charted].sort()).toEqual([...served].sort());
  });
});
