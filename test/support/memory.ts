/** chimney wired to in-memory stores, a settable clock and captured logs: for job and app tests. */
import smokeBaseline from "../../baselines/smoke.json";
import type { Baseline } from "../../src/core/baseline.ts";
import { parseConfig } from "../../src/core/config.ts";
import type { AppDeps } from "../../src/http/deps.ts";
import { memoryStores } from "../../src/store/memory.ts";

export interface TestClock {
  now(): number;
  set(iso: string): void;
  advance(ms: number): void;
  sleep(ms: number): Promise<void>;
  /** Every pause asked for, in milliseconds. */
  slept: number[];
}

export function testClock(start = "2026-11-29T03:00:00.000Z"): TestClock {
  let t = Date.parse(start);
  const clock: TestClock = {
    now: () => t,
    set: (iso) => {
      t = Date.parse(iso);
    },
    advance: (ms) => {
      t += ms;
    },
    slept: [],
    async sleep(ms) {
      clock.slept.push(ms);
      t += ms;
    },
  };
  return clock;
}

export function memoryDeps(env: Record<string, string> = {}, options: { clock?: TestClock } = {}) {
  const clock = options.clock ?? testClock();
  const { config, problems } = parseConfig(env);
  const logs: Record<string, unknown>[] = [];
  const deps: AppDeps = {
    config,
    configProblems: problems,
    baseline: smokeBaseline as Baseline,
    baselineSource: { type: "File", path: "baselines/smoke.json" },
    trackedRef: config.GITHUB_REF,
    ...memoryStores(),
    github: null,
    grafana: null,
    confirm: false,
    now: () => new Date(clock.now()),
    sleep: (ms) => clock.sleep(ms),
    log: (event) => logs.push(event),
  };
  return { deps, clock, logs };
}
