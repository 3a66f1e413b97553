import { describe, expect, it } from "vitest";
import type { ChangePoint } from "../../src/core/changepoints/analysis.ts";
import {
  forgetWindows,
  keepingWindows,
  rememberedWindow,
  rememberWindows,
  windowsComputed,
} from "../../src/core/changepoints/window-memo.ts";

const point = (): ChangePoint => ({
  index: 3,
  qhat: 1.5,
  stats: { mean_1: 1, mean_2: 2, std_1: 0, std_2: 0, pvalue: 0.001 },
});

describe("the windows remembered", () => {
  it("are found again by their values and threshold, bit for bit, and each caller gets its own copy", () => {
    const window = [1, 1, 1, 2, 2, 0];
    const computed = windowsComputed();
    const detect = () => [point()];
    const first = rememberedWindow(Float64Array.from(window), 0.01, detect);
    first[0].index = 9;
    first[0].stats.pvalue = 1;
    const again = rememberedWindow(Float64Array.from(window), 0.01, detect);
    expect(again).toEqual([point()]);
    again[0].stats.mean_1 = 7;
    expect(rememberedWindow(Float64Array.from(window), 0.01, detect)).toEqual([point()]);
    expect(windowsComputed() - computed).toBe(1);
    // Another threshold, or a -0 where a 0 was, is another window.
    rememberedWindow(Float64Array.from(window), 0.02, detect);
    rememberedWindow(Float64Array.from([1, 1, 1, 2, 2, -0]), 0.01, detect);
    expect(windowsComputed() - computed).toBe(3);
  });

  it("forget the least recently used first, past 2 MiB of values", () => {
    forgetWindows();
    const window = (i: number) => new Float64Array(1000).fill(i);
    const detect = () => [];
    const computed = windowsComputed();
    for (let i = 0; i < 200; i++) rememberedWindow(window(i), 0.01, detect);
    rememberedWindow(window(0), 0.01, detect);
    // 300 windows of 1 001 values (the threshold's too) are more than 2 MiB of them.
    for (let i = 200; i < 300; i++) rememberedWindow(window(i), 0.01, detect);
    expect(windowsComputed() - computed).toBe(300);
    rememberedWindow(window(0), 0.01, detect);
    rememberedWindow(window(299), 0.01, detect);
    expect(windowsComputed() - computed).toBe(300);
    rememberedWindow(window(1), 0.01, detect);
    expect(windowsComputed() - computed).toBe(301);
  });

  it("are kept by the analysis that used them, and a fresh isolate given them computes none again", () => {
    const windows = [
      [1, 1, 1, 2, 2, 0.1],
      [3, 3.5, 3, 4, 4.25, 4],
    ];
    const detect = () => [point()];
    const analyse = () => [...windows, [5, 6]].map((w) => rememberedWindow(Float64Array.from(w), 0.001, detect));
    const { value, used } = keepingWindows(analyse, 6);
    expect(value).toEqual([[point()], [point()], [point()]]);
    const store = {};
    expect(used.keptBy(store)).toBe(false);
    // Through JSON, as a store keeps them; the short window, the series' newest, is not kept.
    const stored = JSON.parse(JSON.stringify(used.windows()));
    expect(stored).toHaveLength(2);
    forgetWindows();
    rememberWindows(stored, store);
    const computed = windowsComputed();
    for (const w of windows) expect(rememberedWindow(Float64Array.from(w), 0.001, detect)).toEqual([point()]);
    expect(windowsComputed() - computed).toBe(0);
    // Another threshold is another window.
    rememberedWindow(Float64Array.from(windows[0]), 0.01, detect);
    expect(windowsComputed() - computed).toBe(1);
    // The same windows again need no writing to the store they were read from, only to another.
    expect(keepingWindows(analyse, 6).used.keptBy(store)).toBe(true);
    expect(keepingWindows(analyse, 6).used.keptBy({})).toBe(false);
    const fewer = keepingWindows(() => rememberedWindow(Float64Array.from(windows[0]), 0.001, detect), 6).used;
    expect(fewer.keptBy(store)).toBe(false);
    fewer.savedBy(store);
    expect(fewer.keptBy(store)).toBe(true);
    expect(keepingWindows(analyse, 6).used.keptBy(store)).toBe(false);
  });

  it("brings back only what it can trust: a window whose change points JSON cannot keep is computed again", () => {
    const infinite = (): ChangePoint => ({ ...point(), stats: { ...point().stats, std_1: Number.POSITIVE_INFINITY } });
    const windows = [
      [5, 5, 6, 6, -0],
      [7, 7, 8, 8, 9],
    ];
    const { used } = keepingWindows(
      () => [
        rememberedWindow(Float64Array.from(windows[0]), 0.001, () => [point()]),
        rememberedWindow(Float64Array.from(windows[1]), 0.001, () => [infinite()]),
      ],
      5,
    );
    forgetWindows();
    rememberWindows(JSON.parse(JSON.stringify(used.windows())), {});
    // Hostile or damaged documents are ignored, not trusted.
    rememberWindows([{ bits: "AAAA", pvalue: 0.001, points: [] }] as never, {});
    rememberWindows([{ bits: "not base64!", points: [] }] as never, {});
    rememberWindows([{ bits: btoa("x".repeat(16)), points: [{ index: "x" }] }] as never, {});
    rememberWindows([{ values: [1, 2], pvalue: 0.001, points: [] }] as never, {});
    rememberWindows("nonsense" as never, {});
    const computed = windowsComputed();
    // Kept bit for bit, a -0 comes back as itself.
    expect(rememberedWindow(Float64Array.from(windows[0]), 0.001, () => [])).toEqual([point()]);
    expect(rememberedWindow(Float64Array.from(windows[1]), 0.001, () => [infinite()])).toEqual([infinite()]);
    expect(rememberedWindow(Float64Array.from([1, 2]), 0.001, () => [])).toEqual([]);
    expect(windowsComputed() - computed).toBe(2);
  });

  it("keeps each window's threshold and values as their bits, in base64: read back without parsing a number each", () => {
    const { used } = keepingWindows(() => rememberedWindow(Float64Array.from([1.5, -0, 2]), 0.001, () => []), 3);
    const [kept] = used.windows();
    const bits = Uint8Array.from(atob(kept.bits), (c) => c.charCodeAt(0));
    expect([...new Float64Array(bits.buffer)]).toEqual([0.001, 1.5, -0, 2]);
  });
});
