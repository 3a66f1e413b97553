import { describe, expect, it } from "vitest";
import { ReadCache } from "../../src/store/read-cache.ts";

describe("a read kept for a few seconds", () => {
  it("keeps no reader waiting on another's load: on Workers that load is another request's I/O", async () => {
    let now = 0;
    const cache = new ReadCache<number>({ statusCacheMs: 5_000, now: () => now });
    let loads = 0;
    const load = async () => ++loads;
    // A request canceled while it loads: its load never ends, and the runtime fails every
    // request left waiting on it ("the Worker's code had hung").
    const canceled = cache.read(() => new Promise<number>(() => {}));
    const next = await Promise.race([cache.read(load), new Promise((r) => setTimeout(() => r("waiting"), 50))]);
    expect(next).toBe(1);
    void canceled;
    expect(await cache.read(load)).toBe(1);
    now = 5_000;
    expect(await cache.read(load)).toBe(2);
  });

  it("forgotten while it loads, is not kept: the next reader loads what the write left", async () => {
    const cache = new ReadCache<string>({ statusCacheMs: 5_000, now: () => 0 });
    let release = (_: string) => {};
    const before = cache.read(() => new Promise<string>((resolve) => (release = resolve)));
    cache.forget();
    release("before the write");
    expect(await before).toBe("before the write");
    expect(await cache.read(async () => "after the write")).toBe("after the write");
  });

  it("reaches the store on every read when nothing is kept", async () => {
    const cache = new ReadCache<number>({ statusCacheMs: 0, now: () => 0 });
    let loads = 0;
    await Promise.all([cache.read(async () => ++loads), cache.read(async () => ++loads)]);
    expect(loads).toBe(2);
  });
});
