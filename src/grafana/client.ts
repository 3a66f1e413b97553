/**
 * Reading dashboards from Grafana over an injected `fetch`: the classic
 * `GET /api/dashboards/uid/{uid}` (`{"dashboard", "meta"}`), or Grafana 12+'s
 * `GET /apis/dashboard.grafana.app/v1beta1/namespaces/{ns}/dashboards/{uid}` (`{"metadata", "spec"}`)
 * when a namespace is configured. Every failure is a distinct answer, never an exception.
 */
import { readBounded } from "../core/bounded-read.ts";
import type { LiveDashboard } from "../core/dashboards.ts";

export interface GrafanaOptions {
  url: string;
  apiKey: string;
  /** Use the Grafana 12+ API in this namespace (`default` on a self-hosted Grafana). */
  namespace: string | null;
  fetch: typeof fetch;
  timeoutMs?: number;
}

export async function fetchDashboard(options: GrafanaOptions, uid: string): Promise<LiveDashboard> {
  const base = options.url.replace(/\/+$/, "");
  const path = options.namespace
    ? `/apis/dashboard.grafana.app/v1beta1/namespaces/${encodeURIComponent(options.namespace)}/dashboards/${encodeURIComponent(uid)}`
    : `/api/dashboards/uid/${encodeURIComponent(uid)}`;
  let res: Response;
  try {
    res = await options.fetch(`${base}${path}`, {
      headers: { authorization: `Bearer ${options.apiKey}`, accept: "application/json" },
      // A redirect would carry the API key to wherever Grafana (or whoever answers for it) points.
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (error) {
    const timeout = (error as Error).name === "TimeoutError" || (error as Error).name === "AbortError";
    return { kind: "unreachable", detail: timeout ? `no answer from ${base} in time` : `${base} cannot be reached` };
  }
  if (res.status === 401 || res.status === 403)
    return drop(res, { kind: "unauthorized", detail: `HTTP ${res.status}` });
  if (res.status === 404) return drop(res, { kind: "not_found", detail: "HTTP 404" });
  if (res.status >= 300 && res.status < 400) {
    const to = JSON.stringify(res.headers.get("location") ?? "");
    return drop(res, {
      kind: "error",
      detail: `HTTP ${res.status} to ${to}: chimney follows no redirect from Grafana`,
    });
  }
  if (!res.ok) return drop(res, { kind: "error", detail: `HTTP ${res.status}` });
  const bytes = await readBounded(res.body, MAX_ANSWER_BYTES);
  if (bytes === null)
    return { kind: "error", detail: `the answer is larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB` };
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return { kind: "not_json", detail: `content-type ${res.headers.get("content-type") ?? "none"}` };
  }
  const dashboard = options.namespace ? fromResource(body, uid) : fromClassic(body);
  return dashboard
    ? { kind: "ok", dashboard }
    : { kind: "no_dashboard", detail: options.namespace ? "no spec" : "no dashboard" };
}

/** Far above any real dashboard (Firewood's largest export is ~100 KiB), far below an isolate's memory. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function fromClassic(body: unknown): Record<string, unknown> | null {
  return isObject(body) && isObject(body.dashboard) ? body.dashboard : null;
}

/** A dashboard resource: its uid is the resource's name and its version the generation, unless the spec says. */
function fromResource(body: unknown, uid: string): Record<string, unknown> | null {
  if (!isObject(body) || !isObject(body.spec)) return null;
  const metadata = isObject(body.metadata) ? body.metadata : {};
  return {
    ...body.spec,
    uid: body.spec.uid ?? metadata.name ?? uid,
    version: body.spec.version ?? metadata.generation,
  };
}

async function drop(res: Response, answer: LiveDashboard): Promise<LiveDashboard> {
  await res.body?.cancel();
  return answer;
}
