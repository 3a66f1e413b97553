/** chimney wired to in-memory stores, a settable clock and captured logs: for job and app tests. */
import { memoryStores } from "../../src/store/memory.ts";
import { wire } from "../../src/wiring.ts";

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

/**
 * The app's dependencies as the entries make them (`wire`), over memory stores. Nothing leaves
 * the test: every outbound request (GitHub, Grafana) is refused. The
 * logs are the lines chimney writes, parsed.
 */
export function memoryDeps(env: Record<string, string> = {}, options: { clock?: TestClock } = {}) {
  const clock = options.clock ?? testClock();
  const logs: Record<string, unknown>[] = [];
  const deps = wire(
    env,
    {
      fetch: (input) => Promise.reject(new Error(`no network in this test: ${new Request(input).url}`)),
      now: clock.now,
      sleep: (ms) => clock.sleep(ms),
      write: (line) => void logs.push(JSON.parse(line) as Record<string, unknown>),
    },
    memoryStores,
  );
  return { deps, clock, logs };
}
