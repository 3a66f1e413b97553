/**
 * A Grafana emulator: the classic `GET /api/dashboards/uid/{uid}` and Grafana 12+'s
 * `GET /apis/dashboard.grafana.app/v1beta1/namespaces/{ns}/dashboards/{uid}`, with Grafana's
 * status codes, serving the dashboards it is given; plus the failures chimney must survive.
 */
import { Hono } from "hono";

export const GRAFANA = "https://grafana.emulator.test";
export const GRAFANA_KEY = "glsa_emulated_0123456789abcdef";

export type Failure = "500" | "not-json" | "no-dashboard" | "slow";

export class GrafanaEmulator {
  readonly app = new Hono();
  readonly dashboards = new Map<string, Record<string, unknown>>();
  /** Per uid, how the next answers fail. */
  readonly failures = new Map<string, Failure>();
  requests = 0;

  constructor(dashboards: Record<string, unknown>[] = []) {
    for (const d of dashboards) this.dashboards.set(String(d.uid), structuredClone(d));
    this.app.use("*", async (c, next) => {
      this.requests++;
      if (c.req.header("authorization") !== `Bearer ${GRAFANA_KEY}`) {
        return c.json({ message: "invalid API key", traceID: "" }, 401);
      }
      return next();
    });
    this.app.get("/api/dashboards/uid/:uid", (c) =>
      this.answer(c.req.param("uid"), (d) => ({
        dashboard: d,
        meta: { type: "db", slug: String(d.title).toLowerCase(), version: d.version },
      })),
    );
    this.app.get("/apis/dashboard.grafana.app/v1beta1/namespaces/:ns/dashboards/:uid", (c) =>
      this.answer(c.req.param("uid"), (d) => {
        // A resource: the uid is its name, the version its generation.
        const { uid, version, ...spec } = d;
        return {
          kind: "Dashboard",
          apiVersion: "dashboard.grafana.app/v1beta1",
          metadata: { name: uid, namespace: c.req.param("ns"), generation: version, resourceVersion: "1" },
          spec,
        };
      }),
    );
  }

  /** As a real server would, the answer is abandoned when the caller's signal aborts. */
  fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const aborted = new Promise<never>((_, reject) =>
      request.signal.addEventListener("abort", () => reject(request.signal.reason)),
    );
    return Promise.race([this.app.fetch(request) as Promise<Response>, aborted]);
  };

  private async answer(uid: string, shape: (d: Record<string, unknown>) => unknown): Promise<Response> {
    const failure = this.failures.get(uid);
    if (failure === "500") return Response.json({ message: "internal server error" }, { status: 500 });
    if (failure === "not-json")
      return new Response("<html><body>Grafana is starting</body></html>", {
        status: 200,
        headers: { "content-type": "text/html" },
      });
    if (failure === "no-dashboard") return Response.json({ meta: {} });
    if (failure === "slow") await new Promise((r) => setTimeout(r, 2_000));
    const dashboard = this.dashboards.get(uid);
    if (!dashboard) return Response.json({ message: "Dashboard not found", status: "not-found" }, { status: 404 });
    return Response.json(shape(dashboard));
  }
}
