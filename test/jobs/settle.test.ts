import { describe, expect, it } from "vitest";
import type { Position } from "../../src/core/history.ts";
import type { Provenance } from "../../src/core/provenance.ts";
import { refreshChanges } from "../../src/jobs/changes.ts";
import { ingest } from "../../src/jobs/ingest.ts";
import { settleRuns } from "../../src/jobs/settle.ts";
import { forgetWindows, windowsComputed } from "../../src/core/changepoints/window-memo.ts";
import { memoryDeps, testClock } from "../support/memory.ts";
import { metricsAt, noise } from "../support/nights.ts";

const DAY = 86_400_000;
const START = Date.parse("2024-01-01T03:00:00.000Z");

/** Night `i`, imported (recorded settled) or recorded to be settled. */
async function recordNight(deps: ReturnType<typeof memoryDeps>["deps"], i: number, imported: boolean) {
  const provenance: Provenance = {
    github: { run_id: 1000 + i, run_attempt: 1, html_url: null },
    sha: (0x1000 + i).toString(16).padStart(40, "0"),
    ref: "main",
  };
  const outcome = await ingest(
    deps,
    {
      result: new TextEncoder().encode(JSON.stringify(metricsAt(noise(i)))),
      resultKind: "auto",
      resultField: "(body)",
      files: [],
      provenance,
    },
    { at: new Date(START + i * DAY).toISOString(), imported },
  );
  if (outcome.kind !== "created") throw new Error(outcome.kind);
}

/** `count` nights of history, imported (recorded settled), the last `unsettled` of them recorded to be settled. */
async function history(count: number, unsettled = 1) {
  const clock = testClock(new Date(START + count * DAY).toISOString());
  const { deps } = memoryDeps({}, { clock });
  for (let i = 0; i < count; i++) await recordNight(deps, i, i < count - unsettled);
  const reads: { limit: number; after: Position | null }[] = [];
  const read = deps.runs.history.bind(deps.runs);
  deps.runs.history = (limit, after) => {
    reads.push({ limit, after });
    return read(limit, after);
  };
  return { deps, reads, clock };
}

describe("settling a night reads a bounded part of the history", () => {
  it("reads the newest runs once, and keeps the analysis of the newest windows alone", async () => {
    const { deps, reads } = await history(700);
    expect(await settleRuns(deps)).toBe(1);
    expect(reads).toHaveLength(1);
    expect(reads[0].limit).toBeLessThan(1000);
    const report = await deps.changes.latest();
    // The newest 10 windows of 50 runs, and fewer than half a window more (`analysisSpan`).
    expect(report).toMatchObject({ complete: false, latest_run_id: "1699-1", from_run_id: `${1700 - report!.runs}-1` });
    expect(report!.runs).toBeGreaterThanOrEqual(500);
    expect(report!.runs).toBeLessThan(525);
  }, 60_000);

  it("in a fresh isolate, computes only the windows the night changed: the night before's are kept", async () => {
    const { deps: before } = await history(699);
    expect(await settleRuns(before)).toBe(1);
    const keptBefore = await before.windows.latest();
    expect(keptBefore?.length).toBeGreaterThan(0);

    // The next night, each time settled in a fresh isolate: given the night before's windows, and given none.
    const settleNext = async (kept: typeof keptBefore) => {
      const { deps } = await history(700);
      if (kept) await deps.windows.save(kept);
      forgetWindows();
      const computed = windowsComputed();
      expect(await settleRuns(deps)).toBe(1);
      return { computed: windowsComputed() - computed, report: await deps.changes.latest() };
    };
    const withKept = await settleNext(keptBefore);
    const withNone = await settleNext(null);
    expect(withKept.report).toEqual(withNone.report);
    // Three metrics: with nothing kept, every window of the span (10 or more each).
    expect(withNone.computed).toBeGreaterThanOrEqual(30);
    expect(withKept.computed).toBeLessThanOrEqual(withNone.computed / 3);
  }, 60_000);

  it("writes the kept windows again only when a night changes the whole windows, and they still serve a fresh isolate", async () => {
    const { deps } = await history(699);
    forgetWindows();
    const save = deps.windows.save.bind(deps.windows);
    let saves = 0;
    deps.windows.save = (windows) => {
      saves++;
      return save(windows);
    };
    for (let i = 699; i < 709; i++) {
      if (i > 699) await recordNight(deps, i, false);
      expect(await settleRuns(deps)).toBe(1);
    }
    // A window shorter than CHANGE_WINDOW grows with the next night: nights that change no other
    // window leave the document as it is.
    expect(saves).toBeGreaterThanOrEqual(1);
    expect(saves).toBeLessThanOrEqual(3);
    const kept = await deps.windows.latest();
    // Each a whole window: its threshold and 50 values, 8 bytes each.
    expect(kept?.every((w) => atob(w.bits).length === 51 * 8)).toBe(true);
    forgetWindows();
    await recordNight(deps, 709, false);
    const computed = windowsComputed();
    expect(await settleRuns(deps)).toBe(1);
    // Three metrics: the night's own windows (each metric's newest one or two), no more.
    expect(windowsComputed() - computed).toBeLessThanOrEqual(9);
  }, 60_000);

  it("settles whether the kept windows can be read or written or not, and says when they were not kept", async () => {
    const { deps } = await history(699);
    const logged: Record<string, unknown>[] = [];
    deps.log = (event) => void logged.push(event);
    deps.windows.latest = () => Promise.reject(new Error("KV GET failed: 503"));
    deps.windows.save = () => Promise.reject(new Error("KV PUT failed: 429 Too Many Requests"));
    forgetWindows();
    expect(await settleRuns(deps)).toBe(1);
    expect((await deps.changes.latest())?.latest_run_id).toBe("1698-1");
    expect(logged).toContainEqual({ event: "windows_not_kept", error: "KV PUT failed: 429 Too Many Requests" });
  }, 60_000);

  it("the reconcile tick's refresh analyses the whole history, keeping the settlement's drifts", async () => {
    const { deps, clock } = await history(700);
    await settleRuns(deps);
    const settled = (await deps.changes.latest())!;
    clock.advance(60_000);
    expect(await refreshChanges(deps)).toBe(true);
    const full = (await deps.changes.latest())!;
    expect(full).toMatchObject({ runs: 700, complete: true, from_run_id: "1000-1", latest_run_id: "1699-1" });
    expect(full.drifts).toEqual(settled.drifts);
    // Nothing settled since: nothing to refresh.
    expect(await refreshChanges(deps)).toBe(false);
  }, 60_000);
});

describe("drains racing to settle", () => {
  it("settle each run once: one drain holds the settling, the others leave it to it", async () => {
    const { deps } = await history(60, 12);
    const commits: boolean[] = [];
    const commit = deps.settlements.commit.bind(deps.settlements);
    deps.settlements.commit = async (settlement, now) => {
      const done = await commit(settlement, now);
      commits.push(done);
      return done;
    };
    // A burst of uploads: each answer's drain starts at once.
    const settled = await Promise.all(Array.from({ length: 8 }, () => settleRuns(deps)));
    expect(settled.reduce((a, b) => a + b, 0)).toBe(12);
    // No plan made twice and thrown away: each of the 12 runs was analysed and committed once.
    expect(commits).toEqual(Array(12).fill(true));
    expect(await deps.settlements.unsettled(100)).toEqual([]);
  });
});
