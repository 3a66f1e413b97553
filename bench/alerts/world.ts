/**
 * Seeded histories of the smoke benchmark built from real noise, with known truth.
 *
 * Night-to-night variation is resampled from Firewood's own history: the residuals of each of
 * its github-action-benchmark series around the means of the segments its change points cut
 * (so a real shift in that history is not counted as noise). Within a night, the five batches
 * vary as the batches of Firewood's smoke fixtures do. Onto that noise go lone outliers (one
 * slow night that a rerun would not repeat) and a sustained step of a known size at a known
 * night. A rerun of a night draws fresh noise at the same true level: an outlier does not
 * repeat, a step does.
 */
import smokeFixture from "../../test/fixtures/smoke-metrics.json" with { type: "json" };
import benchHistory from "../../test/fixtures/firewood-bench-history.json" with { type: "json" };
import type { Baseline } from "../../src/core/baseline.ts";
import { detectChangePoints } from "../../src/core/changepoints/analysis.ts";
import { measure, type Measurements } from "../../src/core/metrics.ts";
import { parseBenchmarkData, seriesOf } from "../../src/core/series.ts";

/** mulberry32: a small, well-mixed seeded generator, so every history can be replayed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Relative residuals of every Firewood series around its segment means (change points from Otava's method). */
export function firewoodResiduals(): number[] {
  const parsed = parseBenchmarkData(benchHistory);
  if (!parsed.ok) throw new Error("firewood-bench-history.json is not benchmark data");
  const residuals: number[] = [];
  for (const series of seriesOf(parsed.value)) {
    const values = series.points.map((p) => p.value);
    const cuts = [0, ...detectChangePoints(values).points.map((p) => p.index), values.length];
    for (let s = 0; s + 1 < cuts.length; s++) {
      const segment = values.slice(cuts[s], cuts[s + 1]);
      const mean = segment.reduce((a, b) => a + b, 0) / segment.length;
      for (const v of segment) residuals.push(v / mean - 1);
    }
  }
  return residuals;
}

/** How each batch of a night varies around the night's mean batch, as in Firewood's smoke fixture. */
const BATCH_SHAPE = (() => {
  const batches = smokeFixture.per_batch_ms;
  const mean = batches.reduce((a, b) => a + b, 0) / batches.length;
  return batches.map((ms) => ms / mean);
})();
const MEAN_BATCH_MS = smokeFixture.total_duration_ms / smokeFixture.per_batch_ms.length;

/** A night's measurements when everything takes `factor` times as long as the fixture's night. */
export function nightAt(factor: number, draw: () => number): Measurements {
  // The batches are shuffled and jittered by a little more of the same within-night variation.
  const per_batch_ms = BATCH_SHAPE.map((shape) => {
    const other = BATCH_SHAPE[Math.floor(draw() * BATCH_SHAPE.length)];
    return Math.round(MEAN_BATCH_MS * factor * (shape + other) * 0.5 * 1e4) / 1e4;
  });
  const total = Math.round(per_batch_ms.reduce((a, b) => a + b, 0) * 1e4) / 1e4;
  return measure({
    batches: smokeFixture.batches,
    batch_size: smokeFixture.batch_size,
    total_operations: smokeFixture.total_operations,
    total_duration_ms: total,
    throughput_ops_per_sec: smokeFixture.total_operations / (total / 1000),
    per_batch_ms,
    baseline: null,
  });
}

/** ±15% around the fixture's own level, as Firewood derives its baseline from a reference night. */
export function bandAroundFixture(): Baseline {
  const m = nightAt(1, () => 0.5);
  const band = (v: number) => ({ lower: Math.round(v * 0.85 * 100) / 100, upper: Math.round(v * 1.15 * 100) / 100 });
  return {
    throughput_ops_per_sec: band(m.throughput_ops_per_sec),
    total_duration_ms: band(m.total_duration_ms),
    per_batch_p95_ms: band(m.per_batch_p95_ms),
  };
}

export interface Night {
  index: number;
  /** The true slowdown: 1 before the step, 1 + step after. */
  level: number;
  /** An injected lone outlier: this night alone is this much slower (0: none). */
  outlier: number;
  measurements: Measurements;
}

export interface History {
  seed: number;
  nights: Night[];
  /** The injected step: its size (0.1: 10% slower) and first night; null for a history without one. */
  step: { size: number; at: number } | null;
  /** A second sample of night `i`: same level, fresh noise, no outlier. */
  rerun(i: number): Measurements;
}

export interface WorldOptions {
  nights: number;
  /** The chance that a night is a lone outlier. */
  outlierRate: number;
  /** Lone outliers are this much slower, drawn uniformly from the list. */
  outlierSizes: readonly number[];
}

export function history(
  seed: number,
  residuals: readonly number[],
  step: History["step"],
  options: WorldOptions,
): History {
  const draw = random(seed);
  const noise = () => residuals[Math.floor(draw() * residuals.length)];
  const levelAt = (i: number) => (step && i >= step.at ? 1 + step.size : 1);
  const nights: Night[] = [];
  for (let i = 0; i < options.nights; i++) {
    const lone = i !== step?.at && draw() < options.outlierRate;
    const outlier = lone ? options.outlierSizes[Math.floor(draw() * options.outlierSizes.length)] : 0;
    const factor = levelAt(i) * (1 + noise()) * (1 + outlier);
    nights.push({ index: i, level: levelAt(i), outlier, measurements: nightAt(factor, draw) });
  }
  return { seed, nights, step, rerun: (i) => nightAt(levelAt(i) * (1 + noise()), draw) };
}
