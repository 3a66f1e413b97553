/**
 * Random and mutated input against the Worker as deployed: always an answer under 500, a
 * refusal names the field, and nothing refused is stored.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { TEST_BINDINGS } from "../bindings.ts";
import summary from "../fixtures/golden/smoke-summary.json?raw";
import passing from "../fixtures/smoke-metrics.json";
import { deliveryHeaders, workflowRunPayload } from "../../sandbox/webhooks.ts";
import { harness, NIGHTLY, resetStorage } from "./harness.ts";
import { call, upload } from "./helpers.ts";

const METRICS = JSON.stringify(passing, null, 2);

/** One change to a JSON document: a byte, a key dropped, a value replaced by anything. */
function mutation(base: string) {
  const doc = JSON.parse(base) as Record<string, unknown>;
  const keys = Object.keys(doc);
  return fc.oneof(
    fc
      .tuple(fc.nat(base.length - 1), fc.integer({ min: 0x20, max: 0x7e }))
      .map(([at, byte]) => base.slice(0, at) + String.fromCharCode(byte) + base.slice(at + 1)),
    fc.constantFrom(...keys).map((key) => JSON.stringify({ ...doc, [key]: undefined })),
    fc.tuple(fc.constantFrom(...keys), fc.jsonValue()).map(([key, value]) => JSON.stringify({ ...doc, [key]: value })),
    fc.jsonValue().map((value) => JSON.stringify(value)),
    fc.string({ maxLength: 200 }),
  );
}

let nextRun = 1000;

describe("uploads of random and mutated results", () => {
  beforeAll(() => resetStorage());

  it.each([
    ["smoke-metrics.json", METRICS],
    ["smoke-summary.json", summary],
  ])(
    "a mutated %s is stored when valid, and otherwise refused with a problem naming the field",
    async (_name, base) => {
      await fc.assert(
        fc.asyncProperty(mutation(base), async (body) => {
          const run = nextRun++;
          const res = await upload(body, { contentType: "application/json", query: `run_id=${run}` });
          expect(res.status).toBeLessThan(500);
          const stored = await call(`/runs/${run}-1`);
          if (res.status < 300) {
            expect(stored.status).toBe(200);
            return;
          }
          expect(res.headers.get("content-type")).toBe("application/problem+json");
          const problem = (await res.json()) as { detail: string };
          expect(problem.detail).toMatch(/^[^\s:][^:]*: /);
          expect(problem.detail).not.toMatch(/ at .*\.(ts|js):\d+/);
          expect(stored.status).toBe(404);
        }),
        { numRuns: 150 },
      );
    },
  );
});

describe("webhook deliveries, mutated", () => {
  it("refuse any one-byte change of a signed delivery with 401 and store nothing; any signed JSON gets an answer under 500", async () => {
    await resetStorage();
    const h = harness();
    await h.cron(NIGHTLY);
    const [run] = h.github.runs.values();
    h.github.complete(run.id, { conclusion: "success", files: { "smoke-metrics.json": METRICS } });
    const body = workflowRunPayload(h.github, run, "completed");
    const before = await h.history();

    await fc.assert(
      fc.asyncProperty(fc.nat(body.length - 1), fc.integer({ min: 0x20, max: 0x7e }), async (at, byte) => {
        fc.pre(body.charCodeAt(at) !== byte);
        const headers = await deliveryHeaders(TEST_BINDINGS.GITHUB_WEBHOOK_SECRET, "workflow_run", body);
        const mutated = body.slice(0, at) + String.fromCharCode(byte) + body.slice(at + 1);
        const res = await h.request("/webhooks/github", { method: "POST", headers, body: mutated });
        expect(res.status).toBe(401);
      }),
      { numRuns: 60 },
    );
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const text = JSON.stringify(value) ?? "null";
        const res = await h.request("/webhooks/github", {
          method: "POST",
          headers: await deliveryHeaders(TEST_BINDINGS.GITHUB_WEBHOOK_SECRET, "workflow_run", text),
          body: text,
        });
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
    expect(await h.history()).toEqual(before);
    expect(h.github.calls("GET", /\/artifacts/)).toBe(0);
  });
});
