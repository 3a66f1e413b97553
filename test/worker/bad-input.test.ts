import { resetStorage } from "./harness.ts";
import { beforeEach, describe, expect, it } from "vitest";
import passing from "../fixtures/smoke-metrics.json";
import { call, expectProblem, json, snapshot, upload, UPLOAD_TOKEN } from "./helpers.ts";

const withPatch = (patch: Record<string, unknown>) => json({ ...passing, ...patch });

describe("bad input is refused with a problem naming the field, and changes nothing", () => {
  let before: Awaited<ReturnType<typeof snapshot>>;
  let storedRun: unknown;

  beforeEach(async () => {
    await resetStorage();
    expect((await upload(json(passing), { contentType: "application/json", query: "run_id=1" })).status).toBe(201);
    before = await snapshot();
    storedRun = await (await call("/runs/1-1")).json();
  });

  async function expectUnchanged() {
    expect(await snapshot()).toEqual(before);
    expect(await (await call("/runs/1-1")).json()).toEqual(storedRun);
  }

  it.each([
    ["malformed JSON", '{"batches": 5, ', 400, "(body)"],
    ["an empty body", "", 400, "(body)"],
    ["a JSON array", "[1, 2, 3]", 422, "(body)"],
    ["a string where a number belongs", withPatch({ batches: "five" }), 422, "batches"],
    ["a negative duration", withPatch({ total_duration_ms: -48.86 }), 422, "total_duration_ms"],
    [
      "a non-finite throughput (1e400)",
      json(passing).replace('"throughput_ops_per_sec": 10233.31968890708', '"throughput_ops_per_sec": 1e400'),
      422,
      "throughput_ops_per_sec",
    ],
    ["total_operations ≠ batches × batch_size", withPatch({ total_operations: 501 }), 422, "total_operations"],
    ["per_batch_ms shorter than batches", withPatch({ per_batch_ms: [9.1, 9.5] }), 422, "per_batch_ms"],
    ["a negative batch timing", withPatch({ per_batch_ms: [9.1, 9.5, 9.3, -9.76, 11.2] }), 422, "per_batch_ms[3]"],
    [
      "a summary that contradicts itself",
      JSON.stringify({
        status: "fail",
        run: {
          batches: 5,
          batch_size: 100,
          total_operations: 500,
          total_duration_ms: 48.86,
          throughput_ops_per_sec: 10233.31968890708,
          per_batch_count: 5,
        },
        baseline: [],
        baseline_source: null,
      }),
      422,
      "baseline",
    ],
    ["invalid UTF-8", new Uint8Array([0x7b, 0xff, 0x7d]), 400, "(body)"],
  ])("%s is refused", async (_what, body, status, field) => {
    const res = await upload(body as BodyInit, { contentType: "application/json", query: "run_id=2" });
    await expectProblem(res, status, field);
    await expectUnchanged();
    await expectProblem(await call("/runs/2-1"), 404, "id");
  });

  it("a re-upload of a stored run with different numbers → 409", async () => {
    await expectProblem(
      await upload(
        withPatch({
          per_batch_ms: [9.1, 9.5, 9.3, 9.76, 11.3],
          total_duration_ms: 48.96,
          throughput_ops_per_sec: 10212.418300653595,
        }),
        { contentType: "application/json", query: "run_id=1" },
      ),
      409,
    );
    await expectUnchanged();
  });

  it.each([
    ["run_id=abc", "run_id"],
    ["run_id=0", "run_id"],
    ["run_attempt=2", "run_attempt"],
    ["run_id=5&sha=xyz", "sha"],
    ["run_id=5&ref=a..b", "ref"],
    ["runid=5", "runid"],
    ["run_id=5&run_id=6", "run_id"],
  ])("bad provenance ?%s → 400 naming %s", async (query, field) => {
    await expectProblem(await upload(json(passing), { contentType: "application/json", query }), 400, field);
    await expectUnchanged();
  });

  it.each([
    ["run_id=9007199254740993", "run_id"],
    ["run_id=9007199254740992", "run_id"],
    [`run_id=${"9".repeat(30)}`, "run_id"],
    ["run_id=5&run_attempt=9007199254740993", "run_attempt"],
  ])("a run id a number cannot hold exactly, ?%s → 422 naming %s", async (query, field) => {
    const res = await upload(json(passing), { contentType: "application/json", query });
    const problem = await expectProblem(res, 422, field);
    expect(problem.detail).toBe(`${field}: must be at most 9007199254740991`);
    await expectUnchanged();
  });

  it("a run id beyond 2^53 in a multipart field → 422 naming run_id; the largest safe one is taken as it is", async () => {
    const form = new FormData();
    form.append("metrics", new File([json(passing)], "smoke-metrics.json", { type: "application/json" }));
    form.append("run_id", "9007199254740993");
    await expectProblem(await upload(form), 422, "run_id");
    await expectUnchanged();

    const res = await upload(json(passing), { contentType: "application/json", query: "run_id=9007199254740991" });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { run: { id: string } }).run.id).toBe("9007199254740991-1");
  });

  it("an unsupported content type → 415", async () => {
    await expectProblem(await upload(json(passing), { contentType: "text/plain" }), 415, "Content-Type");
    await expectProblem(
      await upload(json(passing), { contentType: "application/x-www-form-urlencoded" }),
      415,
      "Content-Type",
    );
    await expectUnchanged();
  });

  it("a body over the limit → 413, judged by Content-Length before reading", async () => {
    const res = await call("/api/results", {
      method: "POST",
      headers: {
        authorization: `Bearer ${UPLOAD_TOKEN}`,
        "content-type": "application/json",
        "content-length": String(8 * 1024 * 1024 + 1),
      },
      body: new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode("{")) }),
      duplex: "half",
    } as RequestInit);
    const problem = await expectProblem(res, 413, "(body)");
    expect(problem.detail).toContain("8 MiB");
    await expectUnchanged();
  });

  it("a streamed body over the limit → 413, cut off while reading", async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    let sent = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (sent++ < 10) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await call("/api/results", {
      method: "POST",
      headers: { authorization: `Bearer ${UPLOAD_TOKEN}`, "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    await expectProblem(res, 413, "(body)");
    expect(sent).toBeLessThanOrEqual(10);
    await expectUnchanged();
  });

  it.each([
    ["no Authorization header", null],
    ["an empty token", ""],
    ["a wrong token", "not-the-token"],
    [
      "the token with its last character changed",
      `${UPLOAD_TOKEN.slice(0, -1)}${UPLOAD_TOKEN.endsWith("x") ? "y" : "x"}`,
    ],
    ["the token with a character added", `${UPLOAD_TOKEN}0`],
  ])("%s → 401 with no hint", async (_what, token) => {
    const res =
      token === null
        ? await upload(json(passing), { contentType: "application/json", token: null })
        : await upload(json(passing), { contentType: "application/json", token });
    const problem = await expectProblem(res, 401, "Authorization");
    expect(problem.detail).toBe("Authorization: a valid bearer token is required");
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="chimney"');
    expect(JSON.stringify(problem)).not.toContain(UPLOAD_TOKEN.slice(0, 8));
    await expectUnchanged();
  });

  it("a malformed Authorization header → the same 401", async () => {
    const res = await call("/api/results", {
      method: "POST",
      headers: { authorization: `Basic ${btoa("a:b")}`, "content-type": "application/json" },
      body: json(passing),
    });
    await expectProblem(res, 401, "Authorization");
  });

  it.each([
    ["a part chimney does not know", (f: FormData) => f.append("extra", "x"), "extra"],
    ["no metrics part", (f: FormData) => f.delete("metrics"), "metrics"],
    [
      "a bad metrics file",
      (f: FormData) => f.set("metrics", new File([withPatch({ batch_size: 0 })], "smoke-metrics.json")),
      "metrics.batch_size",
    ],
    [
      "a bad summary.json",
      (f: FormData) => f.append("summary", new File(['{"status": 1}'], "smoke-summary.json")),
      "summary.status",
    ],
    [
      "a summary of unknown kind",
      (f: FormData) => f.append("summary", new File(["x"], "summary.bin", { type: "application/octet-stream" })),
      "summary",
    ],
    ["two logs", (f: FormData) => f.append("log", new File(["again"], "smoke-benchmark.log")), "log"],
    ["a run_id that differs from the query's", (f: FormData) => f.append("run_id", "99"), "run_id"],
  ])("multipart with %s is refused", async (_what, mutate, field) => {
    const form = new FormData();
    form.append("metrics", new File([json(passing)], "smoke-metrics.json"));
    form.append("log", new File(["log line\n"], "smoke-benchmark.log"));
    mutate(form);
    const res = await upload(form, { query: "run_id=3" });
    expect([400, 422]).toContain(res.status);
    await expectProblem(res, res.status, field);
    await expectUnchanged();
  });

  it("a broken multipart body → 400", async () => {
    await expectProblem(
      await upload("--nope\r\n\r\n", { contentType: "multipart/form-data; boundary=xyz" }),
      400,
      "(body)",
    );
    await expectUnchanged();
  });

  it.each([
    ["/runs/3-1", "id"],
    ["/runs/not-a-run", "id"],
    ["/runs/1-1/artifacts/nope.txt", "name"],
    ["/runs/1-1/artifacts/..%2F..%2Fstatus", "name"],
    ["/runs/9-1/artifacts/smoke-metrics.json", "id"],
  ])("GET %s → 404 naming %s", async (path, field) => {
    await expectProblem(await call(path), 404, field);
  });

  it.each([
    ["limit=0", "limit"],
    ["limit=101", "limit"],
    ["limit=ten", "limit"],
    ["limit=1.5", "limit"],
    ["cursor=garbage!", "cursor"],
    [`cursor=${btoa("[1,2]")}`, "cursor"],
  ])("GET /runs?%s → 400 naming %s", async (query, field) => {
    await expectProblem(await call(`/runs?${query}`), 400, field);
  });

  it("an unknown route → 404 problem", async () => {
    await expectProblem(await call("/api/nothing"), 404);
    // URL parsing turns %2e%2e into .., which leaves the run's artifact folder: no such route.
    await expectProblem(await call("/runs/1-1/artifacts/%2e%2e"), 404);
  });
});
