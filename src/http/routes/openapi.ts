/** `GET /openapi.json`: the API described (`http/openapi.ts`). */
import { Hono } from "hono";
import packageJson from "../../../package.json" with { type: "json" };
import { openApiDocument } from "../openapi.ts";

export function openApiRoutes(): Hono {
  const app = new Hono();
  // Built on the first request, once per isolate: converting the schemas is not free.
  let document: Record<string, unknown> | null = null;
  app.get("/openapi.json", (c) => {
    document ??= openApiDocument(packageJson.version);
    c.header("cache-control", "public, max-age=300");
    return c.json(document);
  });
  return app;
}
