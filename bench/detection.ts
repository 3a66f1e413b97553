/**
 * Change-point detection inside workerd (Miniflare): over 1 000 and 10 000 nights of three
 * metrics, whole and with one night appended. The clock inside workerd stands still while code
 * runs, so requests are timed from outside, minus an empty request's time.
 */
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { round3 } from "./common.ts";
import { COMPATIBILITY_DATE } from "./workerd.ts";

export async function detectionBench() {
  const bundle = await build({
    entryPoints: ["bench/detection-worker.ts"],
    bundle: true,
    format: "esm",
    write: false,
    logLevel: "silent",
  });
  const mf = new Miniflare({
    modules: true,
    script: bundle.outputFiles[0].text,
    compatibilityDate: COMPATIBILITY_DATE,
  });
  try {
    const wall = async (path: string, reps: number) => {
      const times: number[] = [];
      for (let i = 0; i < reps; i++) {
        const start = performance.now();
        await (await mf.dispatchFetch(`http://bench${path}`)).text();
        times.push(performance.now() - start);
      }
      return times.sort((a, b) => a - b)[Math.floor(reps / 2)];
    };
    await wall("/noop", 20);
    const floor = await wall("/noop", 41);
    const sizes = [];
    for (const n of [1_000, 10_000]) {
      await wall(`/prepare?n=${n}`, 1);
      const reps = n > 5_000 ? 9 : 31;
      const full = (await wall("/full", reps)) - floor;
      const append = (await wall("/append", reps)) - floor;
      sizes.push({
        points: n,
        metrics: 3,
        full_ms: round3(full),
        full_us_per_point: round3((full * 1000) / (3 * n)),
        append_ms: round3(append),
        append_us_per_point: round3((append * 1000) / (3 * n)),
      });
    }
    return {
      empty_request_ms: round3(floor),
      sizes,
      growth_full_10k_over_1k: round3(sizes[1].full_ms / sizes[0].full_ms),
    };
  } finally {
    await mf.dispose();
  }
}
