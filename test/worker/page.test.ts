/** The status page is published when its data changes and served as it was kept, with its ETag. */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import passing from "../fixtures/smoke-metrics.json";
import { metricsAt } from "../support/nights.ts";
import { TEST_BINDINGS } from "../bindings.ts";
import { resetStorage } from "./harness.ts";
import { call, json, upload } from "./helpers.ts";

const html = (accept = "text/html") => call("/", { headers: { accept } });
/** The reconcile tick, asked for as the admin: it publishes the page again. */
const reconcile = () =>
  call("/api/ticks/reconcile", { method: "POST", headers: { authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}` } });

describe("the status page", () => {
  beforeEach(() => resetStorage());

  it("is the page kept when the data last changed: one read, not assembled per request", async () => {
    expect((await upload(json(passing), { contentType: "application/json", query: "run_id=7001" })).status).toBe(201);
    const kept = (await env.RUNS.get("status-page", "json")) as { html: string; etag: string } | null;
    expect(kept?.html).toContain("7001-1");
    // What is served is what was kept, whatever the stores say now.
    await env.RUNS.put("status-page", JSON.stringify({ ...kept, html: "<p>kept ◆ → ✕</p>", etag: '"k1"' }));
    const res = await html();
    expect(res.headers.get("etag")).toBe('"k1"');
    expect(res.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    expect(await res.text()).toBe("<p>kept ◆ → ✕</p>");
  });

  it("answers 304 to its own ETag, and a new result publishes a new page", async () => {
    await upload(json(metricsAt(1.0)), { contentType: "application/json", query: "run_id=7002" });
    const first = await html();
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect((await call("/", { headers: { "if-none-match": `W/${etag}` } })).status).toBe(304);

    await upload(json(metricsAt(1.03)), { contentType: "application/json", query: "run_id=7003" });
    const second = await html();
    expect(second.headers.get("etag")).not.toBe(etag);
    expect(await second.text()).toContain("7003-1");
    expect((await call("/", { headers: { "if-none-match": etag ?? "" } })).status).toBe(200);
  });

  it("keeps its ETag when a tick renders it again and nothing it shows changed", async () => {
    await upload(json(metricsAt(1.0)), { contentType: "application/json", query: "run_id=7006" });
    const first = await html();
    const etag = first.headers.get("etag");
    expect((await reconcile()).status).toBe(200);
    const again = await html();
    expect(await again.text()).toBe(await first.text());
    expect(again.headers.get("etag")).toBe(etag);
    expect((await call("/", { headers: { "if-none-match": etag ?? "" } })).status).toBe(304);
  });

  it("is rendered on the first request when none is kept yet", async () => {
    const res = await html();
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("no run has been recorded yet");
    expect(await env.RUNS.get("status-page")).not.toBe(null);
  });

  it("is published again by a tick, so a signal gone stale shows without a write", async () => {
    await upload(json(passing), { contentType: "application/json", query: "run_id=7004" });
    await env.RUNS.put("status-page", JSON.stringify({ html: "<p>old</p>", etag: '"old"', rendered_at: "x" }));
    expect((await reconcile()).status).toBe(200);
    expect(((await env.RUNS.get("status-page", "json")) as { html: string }).html).toContain("7004-1");
    const res = await html();
    expect(res.headers.get("etag")).not.toBe('"old"');
    expect(await res.text()).toContain("7004-1");
  });

  it("serves a run's page and its JSON with validators, and a 304 to either's ETag", async () => {
    await upload(json(passing), { contentType: "application/json", query: "run_id=7005" });
    for (const accept of ["text/html", "application/json"]) {
      const first = await call("/runs/7005-1", { headers: { accept } });
      const etag = first.headers.get("etag");
      expect(etag).toBeTruthy();
      expect(first.headers.get("vary")).toBe("accept");
      const again = await call("/runs/7005-1", { headers: { accept, "if-none-match": etag ?? "" } });
      expect(again.status).toBe(304);
    }
  });
});
