import { describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import { limitBody } from "../../src/http/body-limit.ts";
import { invalidInput, problem, valid } from "../../src/http/problem.ts";
import { invalid, ok } from "../../src/core/validation.ts";
import { memoryDeps } from "../support/memory.ts";

/** chimney's app with extra routes that refuse or fail, to see what `app.onError` makes of each. */
function appWithRoutes() {
  const wired = memoryDeps();
  const app = createApp(wired.deps);
  app.get("/test/conflict", () => {
    throw problem(409, "sha: already recorded for another commit", {
      headers: { "retry-after": "60" },
      extra: { correlation_id: "manual-1", status: 200, detail: "an extra member does not override" },
    });
  });
  app.get("/test/invalid", () => {
    const issues = Array.from({ length: 25 }, (_, i) => ({ field: `per_batch_ms[${i}]`, message: "must be a number" }));
    throw invalidInput(422, issues);
  });
  app.get("/test/parsed", (c) =>
    c.json({ value: valid(ok(7)) + valid(invalid<number>({ field: "n", message: "is bad" })) }),
  );
  app.get("/test/crash", () => {
    throw new TypeError("cannot read secret-token-abc of undefined");
  });
  app.post("/test/limited", limitBody(1024, "test bodies"), (c) => c.json({ ok: true }));
  return { app, logs: wired.logs };
}

async function problemOf(res: Response) {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.headers.get("cache-control")).toBe("no-store");
  return res.json();
}

describe("a problem thrown by a route", () => {
  it("is answered as exactly that problem, with its headers and extra members", async () => {
    const { app, logs } = appWithRoutes();
    const res = await app.request("/test/conflict");
    expect(res.status).toBe(409);
    expect(res.headers.get("retry-after")).toBe("60");
    expect(await problemOf(res)).toEqual({
      correlation_id: "manual-1",
      type: "about:blank",
      title: "Conflict",
      status: 409,
      detail: "sha: already recorded for another commit",
    });
    expect(logs).toEqual([]);
  });

  it("names the first field in its detail and lists at most 20", async () => {
    const res = await appWithRoutes().app.request("/test/invalid");
    expect(res.status).toBe(422);
    const body = (await problemOf(res)) as { detail: string; errors: unknown[] };
    expect(body.detail).toBe("per_batch_ms[0]: must be a number (and 24 more in errors)");
    expect(body.errors).toHaveLength(20);
  });

  it("is what an unsuccessful parse becomes through valid()", async () => {
    const res = await appWithRoutes().app.request("/test/parsed");
    expect(res.status).toBe(400);
    expect(await problemOf(res)).toMatchObject({ detail: "n: is bad", errors: [{ field: "n", message: "is bad" }] });
  });

  it("is what a body over the limit gets, before the route runs", async () => {
    const { app } = appWithRoutes();
    const res = await app.request("/test/limited", { method: "POST", body: "x".repeat(1025) });
    expect(res.status).toBe(413);
    expect(await problemOf(res)).toMatchObject({ detail: "(body): is larger than 1 KiB, the limit for test bodies" });
    expect((await app.request("/test/limited", { method: "POST", body: "x".repeat(1024) })).status).toBe(200);
  });

  it("is what an unknown path gets", async () => {
    const res = await appWithRoutes().app.request("/no/such/thing");
    expect(res.status).toBe(404);
    expect(await problemOf(res)).toMatchObject({ detail: "/no/such/thing: no such resource" });
  });
});

describe("an unexpected error", () => {
  it("becomes the 500 problem, with neither its message nor a stack, and is logged without a stack", async () => {
    const { app, logs } = appWithRoutes();
    const res = await app.request("/test/crash");
    expect(res.status).toBe(500);
    expect(await problemOf(res)).toEqual({
      type: "about:blank",
      title: "Internal Server Error",
      status: 500,
      detail: "chimney failed to handle this request; the error was logged",
    });
    expect(logs).toEqual([
      {
        at: expect.any(String),
        event: "unhandled_error",
        name: "TypeError",
        message: "cannot read secret-token-abc of undefined",
      },
    ]);
  });
});
