import { describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import { MemoryRunStore } from "../../src/store/memory.ts";
import passing from "../fixtures/smoke-metrics.json";
import { memoryDeps } from "../support/memory.ts";

const TOKEN = "app-test-token-abcdefghijklmnop";

let logs: Record<string, unknown>[] = [];

function appWith(env: Record<string, string>, runs = new MemoryRunStore()) {
  const wired = memoryDeps(env);
  logs = wired.logs;
  return createApp({ ...wired.deps, runs });
}

const post = (app: ReturnType<typeof appWith>, token = TOKEN) =>
  app.request("/api/results?run_id=5", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(passing),
  });

describe("the app", () => {
  it("describes itself at /openapi.json on Workers too", async () => {
    const res = await appWith({}).request("/openapi.json");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ openapi: "3.1.0", info: { title: "chimney" } });
  });

  it("switches uploads off, not open, when PERF_DASHBOARD_TOKEN is missing, and says so in /status", async () => {
    const app = appWith({ GITHUB_REPOSITORY: "ava-labs/firewood" });
    const res = await post(app);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ detail: "this route is off: PERF_DASHBOARD_TOKEN is not configured" });
    const status = (await (await app.request("/status")).json()) as { config_problems: unknown };
    expect(status.config_problems).toContainEqual({
      name: "PERF_DASHBOARD_TOKEN",
      problem: "not set: result uploads (POST /api/results) are refused",
    });
  });

  it("links with PUBLIC_URL when it is set", async () => {
    const app = appWith({ PERF_DASHBOARD_TOKEN: TOKEN, PUBLIC_URL: "https://perf.firewood.example/" });
    const res = await post(app);
    expect(res.headers.get("location")).toBe("https://perf.firewood.example/runs/5-1");
    expect((await (await app.request("/runs/5-1")).json()) as object).toMatchObject({
      links: { self: "https://perf.firewood.example/runs/5-1", workflow_run: null, commit: null },
    });
  });

  it("answers a storage failure with a 500 problem that leaks neither the error nor a stack", async () => {
    class BrokenStore extends MemoryRunStore {
      override async status(): Promise<never> {
        throw new Error(`KV exploded while holding ${TOKEN}`);
      }
    }
    const app = appWith({ PERF_DASHBOARD_TOKEN: TOKEN }, new BrokenStore());
    const res = await app.request("/status");
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const text = await res.text();
    expect(text).not.toContain("exploded");
    expect(text).not.toContain(TOKEN);
    expect(text).not.toMatch(/\.ts:\d+/);
    // The log keeps the error, with the secret it held redacted, as every entry wires it.
    expect(logs).toEqual([
      {
        at: "2026-11-29T03:00:00.000Z",
        event: "unhandled_error",
        name: "Error",
        message: "KV exploded while holding [PERF_DASHBOARD_TOKEN]",
      },
    ]);
  });
});

describe("GET /baseline", () => {
  it("reports the bundled baselines/smoke.json when no other is configured", async () => {
    const body = (await (await appWith({}).request("/baseline")).json()) as Record<string, unknown>;
    expect(body.source).toBe("baselines/smoke.json");
  });

  it("reports the baseline chimney judges by, and where it comes from, when SMOKE_BASELINE replaces the bundled one", async () => {
    const loose = {
      throughput_ops_per_sec: { lower: 1, upper: null },
      total_duration_ms: { lower: null, upper: 99_999 },
      per_batch_p95_ms: { lower: null, upper: 999 },
    };
    const res = await appWith({ SMOKE_BASELINE: JSON.stringify(loose) }).request("/baseline");
    expect(await res.json()).toEqual({
      source: "$SMOKE_BASELINE",
      judged_by: { type: "File", path: "$SMOKE_BASELINE" },
      run: null,
      reason: "no night has settled yet: this is the configured baseline",
      ...loose,
    });
  });
});
