import { harness, NIGHTLY, resetStorage } from "./harness.ts";
import { beforeEach, describe, expect, it } from "vitest";
import { GRAFANA, GRAFANA_KEY } from "../../sandbox/grafana.ts";
import { FILES, liveDashboards, OFFLINE_FINDINGS } from "../support/hubid-dashboards.ts";

beforeEach(() => resetStorage());

const WITH_GRAFANA = {
  PERF_GRAFANA_URL: GRAFANA,
  PERF_GRAFANA_API_KEY: GRAFANA_KEY,
  PUBLIC_URL: "https://perf.firewood.example",
};

function withDashboards(start?: string) {
  const h = harness(start, WITH_GRAFANA);
  for (const [path, text] of Object.entries(FILES)) h.github.files.set(path, text);
  for (const d of liveDashboards()) h.grafana.dashboards.set(String(d.uid), d);
  return h;
}

const dashboardIssues = (h: ReturnType<typeof harness>) =>
  h.github.alertIssues().filter((i) => i.labels.includes("perf-dashboards"));

describe("the nightly dashboard check", () => {
  it("checks the committed manifest and exports against Grafana, serves the result and raises the alert", async () => {
    const h = withDashboards();
    h.grafana.dashboards.set("pipeline-overview", { ...liveDashboards()[1], version: 4 });
    await h.cron(NIGHTLY);

    const check = (await (await h.request("/dashboards")).json()) as {
      in_sync: boolean;
      grafana: boolean;
      source: string;
      dashboards: { uid: string; findings: string[] }[];
    };
    expect(check).toMatchObject({
      in_sync: false,
      grafana: true,
      source: "HUBId/chain@main:docs/performance_dashboards.json",
    });
    expect(check.dashboards.flatMap((d) => d.findings)).toEqual(
      [
        ...OFFLINE_FINDINGS.slice(0, 1),
        "pipeline-overview: version: export 1, grafana 4",
        ...OFFLINE_FINDINGS.slice(1),
      ].sort((a, b) => order(a) - order(b)),
    );

    const status = (await (await h.request("/status")).json()) as {
      dashboards: { in_sync: boolean; out_of_sync: string[] };
      open_alerts: { fingerprint: string }[];
    };
    expect(status.dashboards.in_sync).toBe(false);
    expect(status.dashboards.out_of_sync.sort()).toEqual([
      "pipeline-consensus-finality",
      "pipeline-overview",
      "pipeline-proof-validation",
      "pipeline-wallet-intake",
      "snapshot-resilience",
    ]);
    expect(status.open_alerts.map((a) => a.fingerprint)).toEqual(["dashboards:smoke"]);

    const [issue] = dashboardIssues(h);
    expect(issue.title).toBe("Performance dashboards out of sync with Grafana (since 2026-11-29)");
    expect(issue.body).toContain(
      "- `pipeline-overview` Pipeline Overview ([Grafana](https://grafana.emulator.test/d/pipeline-overview))\n  - `pipeline-overview: version: export 1, grafana 4`",
    );
    expect(issue.body).toContain("chimney dashboards write");
  });

  it("comments while the drift lasts and closes the issue when everything agrees", async () => {
    const h = withDashboards();
    h.grafana.failures.set("snapshot-resilience", "500");
    await h.cron(NIGHTLY);
    const [issue] = dashboardIssues(h);
    expect(issue.body).toContain("snapshot-resilience: grafana: Grafana failed (HTTP 500)");

    h.clock.advance(24 * 3_600_000);
    await h.cron(NIGHTLY);
    expect(issue.comments).toHaveLength(1);
    expect(issue.comments[0]).toContain("Still drifting on 2026-11-30");

    // Someone ran `chimney dashboards write` and committed: the files now agree with Grafana.
    h.grafana.failures.clear();
    const encoder = new TextEncoder();
    const manifest = JSON.parse(FILES["docs/performance_dashboards.json"]);
    for (const entry of manifest.dashboards) {
      const text = `${JSON.stringify(h.grafana.dashboards.get(entry.uid), null, 2)}\n`;
      h.github.files.set(entry.output, text);
      entry.version = h.grafana.dashboards.get(entry.uid)!.version;
      entry.sha256 = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text))), (b) =>
        b.toString(16).padStart(2, "0"),
      ).join("");
    }
    h.github.files.set("docs/performance_dashboards.json", JSON.stringify(manifest, null, 2));
    h.clock.advance(24 * 3_600_000);
    await h.cron(NIGHTLY);
    expect(issue.comments).toHaveLength(2);
    expect(issue.comments[1]).toContain("found every dashboard in sync");
    expect(issue.state).toBe("closed");
    expect(((await (await h.request("/dashboards")).json()) as { in_sync: boolean }).in_sync).toBe(true);
  });

  it("reports a Grafana that refuses the key on every dashboard, without stopping at the first", async () => {
    const h = harness(undefined, { ...WITH_GRAFANA, PERF_GRAFANA_API_KEY: "glsa_wrong_key_0123" });
    for (const [path, text] of Object.entries(FILES)) h.github.files.set(path, text);
    await h.cron(NIGHTLY);
    const check = (await (await h.request("/dashboards")).json()) as { dashboards: { findings: string[] }[] };
    expect(check.dashboards).toHaveLength(6);
    expect(
      check.dashboards.every((d) =>
        d.findings.at(-1)!.endsWith("grafana: Grafana refused the API key (check PERF_GRAFANA_API_KEY) (HTTP 401)"),
      ),
    ).toBe(true);
  });

  it("does not run without Grafana configured, and says so", async () => {
    const h = harness();
    await h.cron(NIGHTLY);
    expect((await h.request("/dashboards")).status).toBe(404);
    const status = (await (await h.request("/status")).json()) as {
      config_problems: { name: string }[];
      dashboards: unknown;
    };
    expect(status.dashboards).toBe(null);
    expect(status.config_problems.map((p) => p.name)).toContain("PERF_GRAFANA_URL");
  });
});

/** The check lists dashboards in the manifest's order. */
function order(line: string): number {
  const uids = [
    "pipeline-overview",
    "pipeline-wallet-intake",
    "pipeline-proof-validation",
    "pipeline-consensus-finality",
    "pipeline-storage-commit",
    "snapshot-resilience",
  ];
  return uids.indexOf(line.split(":")[0]);
}
