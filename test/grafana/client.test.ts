import { describe, expect, it } from "vitest";
import { fetchDashboard, type GrafanaOptions } from "../../src/grafana/client.ts";
import { GRAFANA, GRAFANA_KEY, GrafanaEmulator } from "../../sandbox/grafana.ts";
import { liveDashboards } from "../support/hubid-dashboards.ts";

function setup(options: Partial<GrafanaOptions> = {}) {
  const grafana = new GrafanaEmulator(liveDashboards());
  return { grafana, options: { url: GRAFANA, apiKey: GRAFANA_KEY, namespace: null, fetch: grafana.fetch, ...options } };
}

describe("the Grafana client", () => {
  it("reads a dashboard through the classic API", async () => {
    const { options } = setup();
    const live = await fetchDashboard(options, "pipeline-overview");
    expect(live).toMatchObject({
      kind: "ok",
      dashboard: { uid: "pipeline-overview", title: "Pipeline Overview", schemaVersion: 39, version: 1 },
    });
  });

  it("reads the same dashboard through Grafana 12's API, uid from the name and version from the generation", async () => {
    const { options } = setup({ namespace: "default" });
    const live = await fetchDashboard(options, "pipeline-storage-commit");
    expect(live).toMatchObject({
      kind: "ok",
      dashboard: { uid: "pipeline-storage-commit", schemaVersion: 39, version: 2 },
    });
  });

  it.each([
    [
      "a wrong token",
      (s: ReturnType<typeof setup>) => ({ ...s.options, apiKey: "glsa_wrong" }),
      "pipeline-overview",
      "unauthorized",
    ],
    ["an unknown uid", (s: ReturnType<typeof setup>) => s.options, "no-such-dashboard", "not_found"],
    [
      "a 500",
      (s: ReturnType<typeof setup>) => {
        s.grafana.failures.set("pipeline-overview", "500");
        return s.options;
      },
      "pipeline-overview",
      "error",
    ],
    [
      "an HTML page",
      (s: ReturnType<typeof setup>) => {
        s.grafana.failures.set("pipeline-overview", "not-json");
        return s.options;
      },
      "pipeline-overview",
      "not_json",
    ],
    [
      "no dashboard in the answer",
      (s: ReturnType<typeof setup>) => {
        s.grafana.failures.set("pipeline-overview", "no-dashboard");
        return s.options;
      },
      "pipeline-overview",
      "no_dashboard",
    ],
    [
      "a slow answer",
      (s: ReturnType<typeof setup>) => {
        s.grafana.failures.set("pipeline-overview", "slow");
        return { ...s.options, timeoutMs: 50 };
      },
      "pipeline-overview",
      "unreachable",
    ],
    [
      "no network",
      (s: ReturnType<typeof setup>) => ({ ...s.options, fetch: () => Promise.reject(new TypeError("fetch failed")) }),
      "pipeline-overview",
      "unreachable",
    ],
  ])("answers %s with a distinct kind, never an exception", async (_what, configure, uid, kind) => {
    const s = setup();
    expect((await fetchDashboard(configure(s), uid)).kind).toBe(kind);
  });

  it("follows no redirect: the API key is never sent anywhere but the configured Grafana", async () => {
    const asked: { url: string; redirect: RequestInit["redirect"] }[] = [];
    const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      asked.push({ url: String(input), redirect: init?.redirect });
      return new Response(null, { status: 302, headers: { location: "https://collector.evil.test/steal" } });
    };
    const live = await fetchDashboard({ ...setup().options, fetch }, "pipeline-overview");
    expect(live).toEqual({
      kind: "error",
      detail: 'HTTP 302 to "https://collector.evil.test/steal": chimney follows no redirect from Grafana',
    });
    expect(asked).toEqual([{ url: `${GRAFANA}/api/dashboards/uid/pipeline-overview`, redirect: "manual" }]);
  });

  it("refuses an answer larger than 8 MiB without reading it whole", async () => {
    let sent = 0;
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent++;
        controller.enqueue(chunk);
      },
    });
    const fetch = async () => new Response(endless, { headers: { "content-type": "application/json" } });
    const live = await fetchDashboard({ ...setup().options, fetch }, "pipeline-overview");
    expect(live).toEqual({ kind: "error", detail: "the answer is larger than 8 MiB" });
    expect(sent).toBeLessThan(12);
  });
});
