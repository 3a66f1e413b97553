import { describe, expect, it } from "vitest";
import type { ChangePoint } from "../../src/core/changepoints/analysis.ts";
import { forgetWindows, rememberedWindow, windowsComputed } from "../../src/core/changepoints/window-memo.ts";

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
});
