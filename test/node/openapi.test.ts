import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import { memoryDeps } from "../support/memory.ts";

const app = createApp(memoryDeps().deps);

async function document() {
  const res = await app.request("/openapi.json");
  expect(res.status).toBe(200);
  return (await res.json()) as {
    openapi: string;
    paths: Record<string, Record<string, { security: unknown[]; responses: Record<string, unknown> }>>;
  };
}

/** The app's routes as OpenAPI writes them (`/runs/{id}`), its middleware (`ALL`) left out. */
function routes(): string[] {
  const found = app.routes
    .filter((r) => r.method !== "ALL")
    .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
  return [...new Set(found)].sort();
}

describe("GET /openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const doc = await document();
    expect(doc.openapi).toBe("3.1.0");
    const result = await new Validator().validate(doc);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it("describes every route of the app, and no route the app lacks", async () => {
    const documented = Object.entries((await document()).paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`))
      .sort();
    expect(documented).toEqual(routes());
  });

  it("names the bearer token of each guarded route and answers problems as problem+json", async () => {
    const { paths } = await document();
    expect(paths["/api/results"].post.security).toEqual([{ PERF_DASHBOARD_TOKEN: [] }]);
    expect(paths["/api/dispatch"].post.security).toEqual([{ ADMIN_TOKEN: [] }]);
    expect(paths["/metrics"].get.security).toEqual([{}, { METRICS_TOKEN: [] }]);
    expect(paths["/api/results"].post.responses["401"]).toEqual({
      description: "a problem",
      content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
    });
  });

  it("gives the upload's body the schema of smoke-metrics.json", async () => {
    const { paths } = await document();
    const upload = paths["/api/results"].post as unknown as {
      requestBody: { content: Record<string, { schema: { required: string[] } }> };
    };
    expect(upload.requestBody.content["application/json"].schema.required).toEqual(
      expect.arrayContaining(["batches", "batch_size", "total_operations", "total_duration_ms"]),
    );
  });
});
