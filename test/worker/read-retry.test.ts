/**
 * A completed run whose result cannot be read (its artifact answers 500, or redirects nowhere):
 * it is recorded before it is read, read again with backoff, crashed after its attempts, and
 * never holds up the other runs.
 */
import { beforeEach, describe, expect, it } from "vitest";
import passing from "../fixtures/smoke-metrics.json";
import type { EmulatedRun } from "../../sandbox/github.ts";
import { harness, NIGHTLY, RECONCILE, resetStorage } from "./harness.ts";

beforeEach(() => resetStorage());

type Harness = ReturnType<typeof harness>;
const HOUR = 3_600_000;
const serverError = () => Response.json({ message: "Server Error" }, { status: 500 });
const files = { "smoke-metrics.json": JSON.stringify(passing) };

/** The path of the run's artifact zip, answering `respond` from now on. */
function breakArtifact(h: Harness, run: EmulatedRun, respond: () => Response): RegExp {
  const zip = new RegExp(`/actions/artifacts/${run.artifacts[0]}/zip$`);
  h.github.fail("GET", zip, Number.POSITIVE_INFINITY, respond);
  return zip;
}

function reports(h: Harness): { runs_checked: number; deliveries_retried: number; errors: string[] }[] {
  return h.logs.filter((l) => l.includes('"event":"reconcile"')).map((l) => JSON.parse(l));
}

/** Ticks every 30 minutes for `hours`; the ticks (0 = the first) at which `path` was asked for. */
async function ticksAsking(h: Harness, path: RegExp, hours: number): Promise<number[]> {
  const asked: number[] = [];
  for (let tick = 0; tick < hours * 2; tick++) {
    const before = h.github.calls("GET", path);
    await h.cron(RECONCILE);
    if (h.github.calls("GET", path) > before) asked.push(tick);
    h.clock.advance(HOUR / 2);
  }
  return asked;
}

describe("a completed run whose artifact cannot be downloaded", () => {
  it("does not hold up the other runs, is read again with backoff, and ends crashed with the last error", async () => {
    const h = harness();
    await h.cron(NIGHTLY);
    const [bad] = h.github.runs.values();
    h.clock.advance(24 * HOUR);
    await h.cron(NIGHTLY);
    const good = [...h.github.runs.values()].at(-1)!;
    // Both finish; their webhooks are lost.
    h.github.complete(bad.id, { conclusion: "success", files });
    h.github.complete(good.id, { conclusion: "success", files });
    const zip = breakArtifact(h, bad, serverError);
    const error = `GET https://api.github.test/repos/HUBId/chain/actions/artifacts/${bad.artifacts[0]}/zip: 500 server error`;

    await h.cron(RECONCILE);
    expect(await h.runRecord(`${good.id}-1`)).toMatchObject({ state: "passed" });
    expect(await h.runRecord(`${bad.id}-1`)).toMatchObject({
      state: "running",
      read_retry: { attempts: 1, last_error: error },
    });
    // The client's own four tries, once.
    expect(h.github.calls("GET", zip)).toBe(4);
    expect(reports(h)).toEqual([expect.objectContaining({ runs_checked: 2, errors: [`runs: ${bad.id}-1: ${error}`] })]);

    // Read again 30 minutes, 1, 2 and 4 hours after each failure; then never again.
    h.clock.advance(HOUR / 2);
    expect(await ticksAsking(h, zip, 8)).toEqual([0, 2, 6, 14]);
    expect(h.github.calls("GET", zip)).toBe(5 * 4);
    expect(await h.runRecord(`${bad.id}-1`)).toMatchObject({
      state: "crashed",
      read_retry: null,
      failure: { reason: `the run's result could not be read after 5 attempts: ${error}` },
    });
    expect(await h.runRecord(`${good.id}-1`)).toMatchObject({ state: "passed" });
  });

  it("is recorded when a webhook is all chimney hears of it, and ends crashed after its attempts", async () => {
    const h = harness();
    const run = h.github.addRun({ display_title: "Performance smoke benchmark (run by hand)" });
    h.github.complete(run.id, { conclusion: "success", files });
    const zip = breakArtifact(
      h,
      run,
      () => new Response(null, { status: 302, headers: { location: "https://blobs.github-storage.test/gone" } }),
    );
    const storage = /^\/gone$/;
    h.github.fail("GET", storage, Number.POSITIVE_INFINITY, serverError);
    const error = "GET https://blobs.github-storage.test/gone: 500 server error";

    expect((await h.deliver(run, "completed")).status).toBe(202);
    expect(await h.runRecord(`${run.id}-1`)).toMatchObject({
      state: "running",
      read_retry: { attempts: 1, last_error: error },
    });
    expect(h.github.calls("GET", zip)).toBe(1);
    expect(h.github.calls("GET", storage)).toBe(4);

    // The delivery is done: the run's own retries take over, not the delivery's.
    h.clock.advance(HOUR / 2);
    expect(await ticksAsking(h, storage, 8)).toEqual([0, 2, 6, 14]);
    expect(h.github.calls("GET", storage)).toBe(5 * 4);
    expect(reports(h).map((r) => r.deliveries_retried)).toEqual(Array(16).fill(0));
    expect(await h.runRecord(`${run.id}-1`)).toMatchObject({
      state: "crashed",
      read_retry: null,
      failure: {
        reason: `the run's result could not be read after 5 attempts: ${error}`,
        log_url: `https://github.com/HUBId/chain/actions/runs/${run.id}`,
      },
    });
  });

  it("is crashed at once, not read again, when its download is redirected to a file: URL", async () => {
    const h = harness();
    const run = h.github.addRun();
    h.github.complete(run.id, { conclusion: "success", files });
    const zip = breakArtifact(
      h,
      run,
      () => new Response(null, { status: 302, headers: { location: "file:///etc/passwd" } }),
    );
    expect((await h.deliver(run, "completed")).status).toBe(202);
    expect(h.github.calls("GET", zip)).toBe(1);
    // A redirect chimney will never follow cannot come right by asking again.
    expect(await h.runRecord(`${run.id}-1`)).toMatchObject({
      state: "crashed",
      read_retry: null,
      failure: { reason: expect.stringContaining('"file:///etc/passwd", not an http(s) URL') },
    });
    h.clock.advance(HOUR);
    await h.cron(RECONCILE);
    expect(h.github.calls("GET", zip)).toBe(1);
  });
});
