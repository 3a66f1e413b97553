/**
 * The nightly dashboard check: the manifest and exports as committed on GITHUB_REF, against
 * the live Grafana; the result is stored, served, and raises or resolves the dashboards alert.
 */
import { dashboardSubject } from "../core/alert.ts";
import { checkManifest, parseManifest, type DashboardCheck } from "../core/dashboards.ts";
import { readRepositoryFile } from "../github/contents.ts";
import { fetchDashboard } from "../grafana/client.ts";
import type { LoopDeps } from "./deps.ts";
import { sha256Hex } from "../core/artifact.ts";

/**
 * The check runs when Grafana is configured: comparing the files alone is a job for Firewood's
 * CI. Its verdict goes to the dashboards alert through the outbox, which the tick drains.
 */
export async function checkDashboardsNightly(deps: LoopDeps): Promise<DashboardCheck | null> {
  const { github, grafana } = deps;
  if (!github || !grafana) return null;
  const client = github.client();
  const repository = github.repository;
  const now = deps.now();
  const ref = deps.trackedRef;
  const path = deps.config.DASHBOARDS_MANIFEST;
  const check: DashboardCheck = {
    id: `dashboards-${now.toISOString()}`,
    checked_at: now.toISOString(),
    source: `${repository}@${ref}:${path}`,
    grafana: true,
    in_sync: false,
    dashboards: [],
    problem: null,
  };

  const bytes = await readRepositoryFile(client, path, ref);
  let manifestJson: unknown = null;
  try {
    manifestJson = bytes ? JSON.parse(new TextDecoder().decode(bytes)) : null;
  } catch (error) {
    check.problem = `${path} is not valid JSON (${(error as Error).message})`;
  }
  const manifest = manifestJson === null ? null : parseManifest(manifestJson);
  if (!bytes) check.problem = `${path} does not exist at ${ref}`;
  else if (manifest && !manifest.ok)
    check.problem = `${path}: ${manifest.issues[0].field}: ${manifest.issues[0].message}`;

  if (manifest?.ok) {
    check.dashboards = await checkManifest(manifest.value, {
      exportBytes: (output) => readRepositoryFile(client, output, ref),
      live: (uid) => fetchDashboard(grafana, uid),
      sha256: sha256Hex,
    });
    check.in_sync = check.dashboards.every((d) => d.in_sync);
  }

  await deps.dashboards.save(check);
  deps.log({
    event: "dashboards_checked",
    in_sync: check.in_sync,
    findings: check.dashboards.flatMap((d) => d.findings),
    problem: check.problem,
  });
  await deps.alerts.plan(dashboardSubject(check), now.toISOString());
  return check;
}
