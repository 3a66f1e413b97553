/**
 * `chimney dashboards verify|write`: the successor of Firewood's tools/perf_dashboard_check.sh,
 * built on the same checks the nightly Worker makes.
 */
import { createHash } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { checkManifest, exportText, parseManifest, versionTag, type Manifest } from "../../core/dashboards.ts";
import { fetchDashboard, type GrafanaOptions } from "../../grafana/client.ts";
import { parseJson } from "../../core/validation.ts";
import { options, orFail, readBytes, readText, UsageError, writeText } from "../io.ts";

export const help = `Usage: chimney dashboards verify [--manifest docs/performance_dashboards.json] [--root DIR] [--offline]
       chimney dashboards write  [--manifest docs/performance_dashboards.json] [--root DIR]

verify  checks every dashboard of the manifest: the manifest entry against the committed export
        (version, version_tag, sha256 of the exact bytes, uid, title) and, unless --offline,
        against Grafana (uid, title, integer schemaVersion at least min_schema, schemaVersion and
        version equal to the export's). Prints "All dashboards are in sync." and exits 0, or one
        line per finding and exits 1.
write   downloads each dashboard from Grafana, writes its export (two-space JSON with a final
        newline) and updates the manifest's version, sha256 and version_tag (vYYYY-MM-DD) where
        the export changed.
Output paths resolve against --root (default: the current directory). Grafana is
$PERF_GRAFANA_URL with the token $PERF_GRAFANA_API_KEY (dashboard:read), through the Grafana 12+
API when $PERF_GRAFANA_NAMESPACE is set. Exit 2 for usage or configuration errors.`;

export async function dashboards(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== "verify" && action !== "write") {
    throw new UsageError(
      `dashboards needs verify or write${action ? `, not ${JSON.stringify(action)}` : ""}; run chimney dashboards --help`,
    );
  }
  const { values } = options(rest, {
    manifest: { type: "string", default: "docs/performance_dashboards.json" },
    root: { type: "string", default: "." },
    offline: { type: "boolean", default: false },
  });
  if (action === "write" && values.offline) throw new UsageError("write needs Grafana: --offline goes with verify");
  const manifestPath = values.manifest!;
  // The file as written is kept for `write`, so that only the fields it updates change.
  const raw = orFail(manifestPath, parseJson(await readText(manifestPath))) as {
    dashboards: Record<string, unknown>[];
  };
  const manifest = orFail(manifestPath, parseManifest(raw));
  const at = (output: string) => (isAbsolute(output) ? output : resolve(values.root!, output));
  const grafana = values.offline ? null : grafanaFromEnvironment();
  return action === "verify" ? verify(manifest, at, grafana) : write(manifest, raw, manifestPath, at, grafana!);
}

function grafanaFromEnvironment(): GrafanaOptions {
  const url = process.env.PERF_GRAFANA_URL?.trim();
  const apiKey = process.env.PERF_GRAFANA_API_KEY?.trim();
  const missing = [!url && "PERF_GRAFANA_URL", !apiKey && "PERF_GRAFANA_API_KEY"].filter(Boolean);
  if (missing.length > 0) throw new UsageError(`${missing.join(" and ")} must be set (or verify with --offline)`);
  if (!/^https?:\/\//.test(url!)) throw new UsageError("PERF_GRAFANA_URL must be an http(s) URL");
  return {
    url: url!,
    apiKey: apiKey!,
    namespace: process.env.PERF_GRAFANA_NAMESPACE?.trim() || null,
    fetch: (input, init) => fetch(input, init),
  };
}

const sha256 = async (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function exportBytes(path: string): Promise<Uint8Array | null> {
  try {
    return await readBytes(path);
  } catch (error) {
    if (error instanceof UsageError && error.message.endsWith("no such file")) return null;
    throw error;
  }
}

async function verify(
  manifest: Manifest,
  at: (output: string) => string,
  grafana: GrafanaOptions | null,
): Promise<number> {
  const results = await checkManifest(manifest, {
    exportBytes: (output) => exportBytes(at(output)),
    live: grafana ? (uid) => fetchDashboard(grafana, uid) : null,
    sha256,
  });
  const findings = results.flatMap((r) => r.findings);
  if (findings.length === 0) {
    console.log("All dashboards are in sync.");
    return 0;
  }
  for (const line of findings) console.log(line);
  return 1;
}

async function write(
  manifest: Manifest,
  raw: { dashboards: Record<string, unknown>[] },
  manifestPath: string,
  at: (output: string) => string,
  grafana: GrafanaOptions,
): Promise<number> {
  const failures: string[] = [];
  const tag = versionTag(new Date());
  for (const [i, entry] of manifest.dashboards.entries()) {
    const written = raw.dashboards[i];
    const live = await fetchDashboard(grafana, entry.uid);
    if (live.kind !== "ok") {
      failures.push(
        `${entry.uid}: grafana: ${live.kind.replaceAll("_", " ")} (${live.detail}); its export is unchanged`,
      );
      continue;
    }
    const text = exportText(live.dashboard);
    const digest = await sha256(new TextEncoder().encode(text));
    const path = at(entry.output);
    await mkdir(dirname(path), { recursive: true });
    await writeText(path, text);
    if (entry.sha256 !== digest) {
      written.version_tag = tag;
      written.sha256 = digest;
    }
    if (typeof live.dashboard.version === "number") written.version = live.dashboard.version;
    console.log(`Updated ${entry.output}`);
  }
  await writeText(manifestPath, `${JSON.stringify(raw, null, 2)}\n`);
  for (const line of failures) console.log(line);
  return failures.length > 0 ? 1 : 0;
}
