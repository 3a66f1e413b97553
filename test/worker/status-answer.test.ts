/**
 * `/status` is built once while its reads are kept, and `/badge` tagged once per body: neither
 * answers from a build the clock or a write has overtaken.
 */
import { beforeEach, describe, expect, it } from "vitest";
import passing from "../fixtures/smoke-metrics.json";
import { metricsAt } from "../support/nights.ts";
import { harness, resetStorage } from "./harness.ts";

type StatusBody = {
  state: string;
  latest_run: { at: string; completed_at: string | null } | null;
  latest_night: { id: string } | null;
};

async function status(h: ReturnType<typeof harness>) {
  const res = await h.request("/status");
  return { etag: res.headers.get("etag"), body: (await res.json()) as StatusBody };
}

describe("the /status answer, while its reads are kept", () => {
  beforeEach(() => resetStorage());

  it("is the same answer, ETag and all, until something it shows changes", async () => {
    const h = harness("2026-11-20T03:00:00.000Z", { STATUS_CACHE_SECONDS: "5" });
    await h.night(passing);
    const first = await status(h);
    const again = await status(h);
    expect(again).toEqual(first);
    expect((await h.request("/status", { headers: { "if-none-match": first.etag ?? "" } })).status).toBe(304);
  });

  it("moves with the clock: a night that goes stale while the reads are still kept answers missed", async () => {
    const h = harness("2026-11-20T03:00:00.000Z", { STATUS_CACHE_SECONDS: "5", STALE_AFTER_HOURS: "1" });
    await h.night(passing);
    const { body } = await status(h);
    const latest = body.latest_run;
    if (!latest) throw new Error("the night was not recorded");
    const heard = Date.parse(latest.completed_at ?? latest.at);
    h.clock.set(new Date(heard + 3_600_000 - 1_000).toISOString());
    const fresh = await status(h);
    expect(fresh.body.state).toBe("passing");
    // Two seconds later: the reads are kept (five seconds), the night is now stale.
    h.clock.advance(2_000);
    const stale = await status(h);
    expect(stale.body.state).toBe("missed");
    expect(stale.etag).not.toBe(fresh.etag);
  });

  it("shows a night recorded in this isolate at once, whatever it kept", async () => {
    const h = harness("2026-11-20T03:00:00.000Z", { STATUS_CACHE_SECONDS: "5" });
    const first = await h.night(passing);
    const before = await status(h);
    const second = await h.night(metricsAt(1.02));
    const after = await status(h);
    expect(before.body.latest_night?.id).toBe(`${first.id}-1`);
    expect(after.body.latest_night?.id).toBe(`${second.id}-1`);
    expect(after.etag).not.toBe(before.etag);
  });
});

describe("the /badge answer", () => {
  beforeEach(() => resetStorage());

  it("keeps its ETag while its message stays, and moves with the clock and with a new night", async () => {
    const h = harness("2026-11-20T03:00:00.000Z", { STATUS_CACHE_SECONDS: "5", STALE_AFTER_HOURS: "1" });
    const badge = async () => {
      const res = await h.request("/badge");
      const body = (await res.json()) as { message: string };
      return { etag: res.headers.get("etag"), cache: res.headers.get("cache-control"), message: body.message };
    };
    await h.night(passing);
    const first = await badge();
    expect(first.message).toMatch(/ops\/s$/);
    expect(first.cache).toBe("public, max-age=60");
    expect(await badge()).toEqual(first);
    expect((await h.request("/badge", { headers: { "if-none-match": first.etag ?? "" } })).status).toBe(304);
    await h.night(metricsAt(0.8));
    const slower = await badge();
    expect(slower.message).not.toBe(first.message);
    expect(slower.etag).not.toBe(first.etag);
    h.clock.advance(2 * 3_600_000);
    const stale = await badge();
    expect(stale.message).toBe("missed");
    expect(stale.etag).not.toBe(slower.etag);
    // A reader holding the first ETag is sent the badge, not a 304.
    expect((await h.request("/badge", { headers: { "if-none-match": first.etag ?? "" } })).status).toBe(200);
  });
});
