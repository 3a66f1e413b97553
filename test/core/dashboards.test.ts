import { describe, expect, it } from "vitest";
import {
  checkExport,
  checkLive,
  checkManifest,
  parseManifest,
  readExport,
  type DashboardSources,
  type LiveDashboard,
  type ManifestEntry,
} from "../../src/core/dashboards.ts";
import { sha256Hex } from "../../src/core/artifact.ts";
import { FILES, liveDashboards, MANIFEST_PATH, OFFLINE_FINDINGS } from "../support/hubid-dashboards.ts";

const manifest = () => {
  const parsed = parseManifest(JSON.parse(FILES[MANIFEST_PATH]));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
};

const sources = (live: DashboardSources["live"]): DashboardSources => ({
  exportBytes: async (path) => (FILES[path] === undefined ? null : new TextEncoder().encode(FILES[path])),
  live,
  sha256: sha256Hex,
});

describe("the dashboard checks", () => {
  it("finds exactly the drift in Firewood's committed manifest and exports, offline", async () => {
    const results = await checkManifest(manifest(), sources(null));
    expect(results.flatMap((r) => r.findings)).toEqual(OFFLINE_FINDINGS);
    expect(results.filter((r) => r.in_sync).map((r) => r.uid)).toEqual([
      "pipeline-overview",
      "pipeline-storage-commit",
    ]);
  });

  it("adds nothing when Grafana serves exactly the exports", async () => {
    const live = new Map(liveDashboards().map((d) => [d.uid as string, d]));
    const results = await checkManifest(
      manifest(),
      sources(async (uid) => ({ kind: "ok", dashboard: live.get(uid)! })),
    );
    expect(results.flatMap((r) => r.findings)).toEqual(OFFLINE_FINDINGS);
  });

  const entry: ManifestEntry = {
    uid: "pipeline-overview",
    title: "Pipeline Overview",
    output: "docs/dashboards/pipeline_overview.json",
    min_schema: 39,
    version: 1,
    version_tag: "v2024-09-25",
    sha256: "9c18f74ce47a18245e4f1105047fbab531a6898decfc5baee32d9494d91a0f1f",
  };
  const exported = () => readExport(new TextEncoder().encode(FILES[entry.output]), entry.sha256!);

  it("names each live drift with both values, one line each", () => {
    const drifted = {
      ...JSON.parse(FILES[entry.output]),
      version: 3,
      schemaVersion: 38,
      title: "Pipeline Overview (new)",
      uid: "pipeline-overview-2",
    };
    expect(checkLive(entry, exported(), { kind: "ok", dashboard: drifted }).map((f) => f.line)).toEqual([
      'pipeline-overview: uid: manifest "pipeline-overview", grafana "pipeline-overview-2"',
      "pipeline-overview: min_schema: grafana schemaVersion 38, minimum 39",
      'pipeline-overview: title: manifest "Pipeline Overview", grafana "Pipeline Overview (new)"',
      "pipeline-overview: schemaVersion: export 39, grafana 38",
      "pipeline-overview: version: export 1, grafana 3",
    ]);
  });

  it("requires integer schemaVersion and version from Grafana", () => {
    const odd = { ...JSON.parse(FILES[entry.output]), schemaVersion: "39", version: 1.5 };
    expect(checkLive(entry, exported(), { kind: "ok", dashboard: odd }).map((f) => f.line)).toEqual([
      'pipeline-overview: schemaVersion: grafana "39", expected a whole number',
      "pipeline-overview: version: grafana 1.5, expected a whole number",
      'pipeline-overview: schemaVersion: export 39, grafana "39"',
      "pipeline-overview: version: export 1, grafana 1.5",
    ]);
  });

  it.each([
    [
      { kind: "unreachable", detail: "https://grafana.test cannot be reached" },
      "pipeline-overview: grafana: Grafana is unreachable (https://grafana.test cannot be reached)",
    ],
    [
      { kind: "unauthorized", detail: "HTTP 401" },
      "pipeline-overview: grafana: Grafana refused the API key (check PERF_GRAFANA_API_KEY) (HTTP 401)",
    ],
    [
      { kind: "not_found", detail: "HTTP 404" },
      "pipeline-overview: grafana: Grafana has no dashboard with this uid (HTTP 404)",
    ],
    [
      { kind: "not_json", detail: "content-type text/html" },
      "pipeline-overview: grafana: Grafana's answer is not JSON (content-type text/html)",
    ],
    [
      { kind: "no_dashboard", detail: "no dashboard" },
      "pipeline-overview: grafana: Grafana's answer has no dashboard (no dashboard)",
    ],
    [{ kind: "error", detail: "HTTP 500" }, "pipeline-overview: grafana: Grafana failed (HTTP 500)"],
  ] as [LiveDashboard, string][])("reports a Grafana that answers %j as one distinct finding", (live, line) => {
    expect(checkLive(entry, exported(), live).map((f) => f.line)).toEqual([line]);
  });

  it("names missing manifest fields and a missing or broken export", () => {
    const bare: ManifestEntry = { ...entry, version: null, version_tag: null, sha256: null };
    expect(checkExport(bare, exported()).map((f) => f.line)).toEqual([
      "pipeline-overview: version_tag: the manifest has none; expected a tag such as v2024-09-25",
      "pipeline-overview: version: the manifest has none",
      "pipeline-overview: sha256: the manifest has none",
    ]);
    expect(checkExport(entry, null).map((f) => f.line)).toEqual([
      "pipeline-overview: export: docs/dashboards/pipeline_overview.json is missing",
    ]);
    const broken = readExport(new TextEncoder().encode("{not json"), "00");
    expect(checkExport({ ...entry, sha256: "00" }, broken).map((f) => f.line)[0]).toMatch(
      /^pipeline-overview: export: docs\/dashboards\/pipeline_overview\.json is not valid JSON/,
    );
  });

  it("refuses a manifest without dashboards, naming the field", () => {
    expect(parseManifest({ dashboards: [] })).toEqual({
      ok: false,
      issues: [{ field: "dashboards", message: "must list at least one dashboard" }],
    });
    expect(parseManifest({ dashboards: [{ uid: "x" }] })).toEqual({
      ok: false,
      issues: [{ field: "dashboards[0].output", message: "is required" }],
    });
  });
});
