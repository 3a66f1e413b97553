/**
 * Firewood's performance dashboards: the manifest (`docs/performance_dashboards.json`), the
 * committed exports and the live Grafana dashboards must agree. These are the checks of
 * Firewood's `tools/perf_dashboard_check.sh` and `scripts/verify_dashboard_manifest.py`, as
 * findings that each name the dashboard, the check and both values, on one line.
 */
import * as v from "valibot";
import { parseWith, type Parsed } from "./validation.ts";

const Entry = v.looseObject({
  uid: v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty")),
  output: v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty")),
  title: v.optional(v.nullable(v.string("must be a string")), null),
  min_schema: v.optional(v.nullable(v.pipe(v.number("must be a number"), v.integer("must be a whole number"))), null),
  version: v.optional(v.nullable(v.number("must be a number")), null),
  version_tag: v.optional(v.nullable(v.string("must be a string")), null),
  sha256: v.optional(v.nullable(v.string("must be a string")), null),
});

export type ManifestEntry = v.InferOutput<typeof Entry>;

const ManifestSchema = v.looseObject({
  dashboards: v.pipe(
    v.array(Entry, "must be a list of dashboards"),
    v.minLength(1, "must list at least one dashboard"),
  ),
});

export type Manifest = v.InferOutput<typeof ManifestSchema>;

export function parseManifest(input: unknown): Parsed<Manifest> {
  return parseWith(ManifestSchema, input);
}

/** What Grafana answered for one dashboard. */
export type LiveDashboard =
  | { kind: "ok"; dashboard: Record<string, unknown> }
  | { kind: "unreachable" | "unauthorized" | "not_found" | "not_json" | "no_dashboard" | "error"; detail: string };

/** The committed export: its bytes' SHA-256, and its JSON (null when it is missing or not JSON). */
export interface Export {
  sha256: string;
  dashboard: Record<string, unknown> | null;
  problem: string | null;
}

export interface Finding {
  uid: string;
  check: string;
  line: string;
}

const show = (x: unknown) =>
  x === undefined || x === null ? "(none)" : typeof x === "string" ? JSON.stringify(x) : String(x);

function finding(uid: string, check: string, detail: string): Finding {
  return { uid, check, line: `${uid}: ${check}: ${detail}` };
}

/** The checks that need no Grafana: the manifest entry against the committed export. */
export function checkExport(entry: ManifestEntry, exported: Export | null): Finding[] {
  const uid = entry.uid;
  const found: Finding[] = [];
  if (!entry.version_tag)
    found.push(finding(uid, "version_tag", "the manifest has none; expected a tag such as v2024-09-25"));
  if (entry.version === null) found.push(finding(uid, "version", "the manifest has none"));
  if (!entry.sha256) found.push(finding(uid, "sha256", "the manifest has none"));
  if (!exported) return [...found, finding(uid, "export", `${entry.output} is missing`)];
  if (entry.sha256 && entry.sha256.toLowerCase() !== exported.sha256) {
    found.push(finding(uid, "sha256", `manifest ${entry.sha256}, export ${exported.sha256}`));
  }
  if (!exported.dashboard)
    return [...found, finding(uid, "export", `${entry.output} ${exported.problem ?? "is not a dashboard"}`)];
  const d = exported.dashboard;
  if (entry.version !== null && d.version !== entry.version)
    found.push(finding(uid, "version", `manifest ${show(entry.version)}, export ${show(d.version)}`));
  if (d.uid !== undefined && d.uid !== uid)
    found.push(finding(uid, "uid", `manifest ${show(uid)}, export ${show(d.uid)}`));
  if (entry.title && d.title !== entry.title)
    found.push(finding(uid, "title", `manifest ${show(entry.title)}, export ${show(d.title)}`));
  return found;
}

const GRAFANA_PROBLEMS: Record<Exclude<LiveDashboard["kind"], "ok">, string> = {
  unreachable: "Grafana is unreachable",
  unauthorized: "Grafana refused the API key (check PERF_GRAFANA_API_KEY)",
  not_found: "Grafana has no dashboard with this uid",
  not_json: "Grafana's answer is not JSON",
  no_dashboard: "Grafana's answer has no dashboard",
  error: "Grafana failed",
};

/** The live checks: Grafana's dashboard against the manifest entry and the committed export. */
export function checkLive(entry: ManifestEntry, exported: Export | null, live: LiveDashboard): Finding[] {
  const uid = entry.uid;
  if (live.kind !== "ok") return [finding(uid, "grafana", `${GRAFANA_PROBLEMS[live.kind]} (${live.detail})`)];
  const g = live.dashboard;
  const found: Finding[] = [];
  if (!Number.isInteger(g.schemaVersion))
    found.push(finding(uid, "schemaVersion", `grafana ${show(g.schemaVersion)}, expected a whole number`));
  if (!Number.isInteger(g.version))
    found.push(finding(uid, "version", `grafana ${show(g.version)}, expected a whole number`));
  if (g.uid !== uid) found.push(finding(uid, "uid", `manifest ${show(uid)}, grafana ${show(g.uid)}`));
  if (
    entry.min_schema !== null &&
    Number.isInteger(g.schemaVersion) &&
    (g.schemaVersion as number) < entry.min_schema
  ) {
    found.push(finding(uid, "min_schema", `grafana schemaVersion ${g.schemaVersion}, minimum ${entry.min_schema}`));
  }
  if (entry.title && g.title !== entry.title)
    found.push(finding(uid, "title", `manifest ${show(entry.title)}, grafana ${show(g.title)}`));
  const d = exported?.dashboard;
  if (d) {
    if (d.schemaVersion !== g.schemaVersion)
      found.push(finding(uid, "schemaVersion", `export ${show(d.schemaVersion)}, grafana ${show(g.schemaVersion)}`));
    if (d.version !== g.version)
      found.push(finding(uid, "version", `export ${show(d.version)}, grafana ${show(g.version)}`));
  }
  return found;
}

export interface DashboardResult {
  uid: string;
  title: string | null;
  in_sync: boolean;
  findings: string[];
}

/** The result of one check of every dashboard: what the Worker stores and serves. */
export interface DashboardCheck {
  id: string;
  checked_at: string;
  /** Where the manifest and exports were read. */
  source: string;
  /** Whether Grafana was asked; false when it is not configured (offline checks only). */
  grafana: boolean;
  in_sync: boolean;
  dashboards: DashboardResult[];
  /** A problem with the manifest itself, which stops the check before any dashboard. */
  problem: string | null;
}

export function dashboardResult(entry: ManifestEntry, findings: Finding[]): DashboardResult {
  return { uid: entry.uid, title: entry.title, in_sync: findings.length === 0, findings: findings.map((f) => f.line) };
}

/** What the committed export's bytes make: parsed, or why they do not parse. */
export function readExport(bytes: Uint8Array, sha256: string): Export {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof value === "object" && value !== null && !Array.isArray(value))
      return { sha256, dashboard: value as Record<string, unknown>, problem: null };
    return { sha256, dashboard: null, problem: "is not a JSON object" };
  } catch (error) {
    return { sha256, dashboard: null, problem: `is not valid JSON (${(error as Error).message})` };
  }
}

/** A dashboard export as the refresh writes it: two-space JSON with a final newline. */
export function exportText(dashboard: Record<string, unknown>): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}

/** The version tag of a refresh on `date`: `vYYYY-MM-DD`. */
export function versionTag(date: Date): string {
  return `v${date.toISOString().slice(0, 10)}`;
}

/** Where a check reads from: the committed exports, Grafana (null: offline), and a digest. */
export interface DashboardSources {
  exportBytes(output: string): Promise<Uint8Array | null>;
  live: ((uid: string) => Promise<LiveDashboard>) | null;
  sha256(bytes: Uint8Array): Promise<string>;
}

/** Every dashboard of the manifest, checked side by side; one failing never stops the others. */
export async function checkManifest(manifest: Manifest, sources: DashboardSources): Promise<DashboardResult[]> {
  return Promise.all(
    manifest.dashboards.map(async (entry) => {
      const bytes = await sources.exportBytes(entry.output);
      const exported = bytes ? readExport(bytes, await sources.sha256(bytes)) : null;
      const findings = checkExport(entry, exported);
      if (sources.live) findings.push(...checkLive(entry, exported, await sources.live(entry.uid)));
      return dashboardResult(entry, findings);
    }),
  );
}
