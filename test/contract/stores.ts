/**
 * The store contract: what the app relies on from every adapter of `src/store/ports.ts`,
 * written once and run against each (memory, Workers, Deno), as Hono tests its cache adapters.
 *
 * Framework-neutral: `node:assert/strict` works under vitest in workerd (the pool turns on
 * `nodejs_compat_v2` for the test runner) and under `deno test`. Each case calls `make` once and
 * gets stores over fresh, empty storage; the runner provides the isolation.
 */
import assert from "node:assert/strict";
import smokeBaseline from "../../baselines/smoke.json" with { type: "json" };
import benchHistory from "../fixtures/firewood-bench-history.json" with { type: "json" };
import { runSubject, WRITE_LEASE_MS, type AlertSubject, type AlertWrite } from "../../src/core/alert.ts";
import { sha256Hex } from "../../src/core/artifact.ts";
import { evaluate, parseBaseline, type Baseline } from "../../src/core/baseline.ts";
import { DEFAULT_OPTIONS } from "../../src/core/changepoints/analysis.ts";
import type { DashboardCheck } from "../../src/core/dashboards.ts";
import { MAX_DELIVERY_ATTEMPTS, PROCESSING_TIMEOUT_MS } from "../../src/core/delivery.ts";
import type { Dispatch } from "../../src/core/dispatch.ts";
import { analyzeHistory } from "../../src/core/drift.ts";
import { decodeCursor, historyEntry, type HistoryEntry } from "../../src/core/history.ts";
import { actualsOf, measure, parseSmokeMetrics, type Measurements } from "../../src/core/metrics.ts";
import { newRun, stateOfReport, type Run } from "../../src/core/run.ts";
import { parseBenchmarkData, seriesOf, type Series } from "../../src/core/series.ts";
import { planAnalysis, planSettlement, type SettleContext } from "../../src/core/settle.ts";
import type { Stores } from "../../src/store/ports.ts";
import { metricsAt, wobble } from "../support/nights.ts";
import { settleContext as settleContextAt } from "../support/settle.ts";

export type MakeStores = () => Promise<Stores> | Stores;

export interface ContractCase {
  name: string;
  run: (make: MakeStores) => Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Realistic data: nights of the smoke benchmark whose metrics wobble by about a percent.

const DAY = 86_400_000;
const FIRST_NIGHT = Date.UTC(2026, 10, 1, 3);
const parsedBaseline = parseBaseline(smokeBaseline);
if (!parsedBaseline.ok) throw new Error("baselines/smoke.json is invalid");
const BASELINE: Baseline = parsedBaseline.value;

function measurementsAt(slowdown: number): Measurements {
  const parsed = parseSmokeMetrics(metricsAt(slowdown));
  if (!parsed.ok) throw new Error(`metricsAt(${slowdown}) is not a valid smoke-metrics.json`);
  return measure(parsed.value);
}

const iso = (ms: number) => new Date(ms).toISOString();
const nightAt = (i: number) => iso(FIRST_NIGHT + i * DAY);
const githubRunId = (i: number) => 19_000_000_000 + i;
const shaOf = (i: number) => (0xf1e3c0de + i).toString(16).padStart(8, "0").repeat(5);

/** Night `i`'s run as its completed report records it; `slowdown` 1.5 makes it regressed. */
function night(i: number, extra: Partial<Run> = {}, slowdown = wobble(i)): Run {
  const measurements = measurementsAt(slowdown);
  const report = evaluate(actualsOf(measurements), BASELINE, { type: "File", path: "baselines/smoke.json" });
  const at = nightAt(i);
  return newRun({
    id: `${githubRunId(i)}-1`,
    state: stateOfReport(report),
    at,
    completed_at: iso(Date.parse(at) + 7 * 60_000),
    mainline: true,
    github: {
      run_id: githubRunId(i),
      run_attempt: 1,
      html_url: `https://github.com/ava-labs/firewood/actions/runs/${githubRunId(i)}`,
    },
    sha: shaOf(i),
    ref: "main",
    input: "smoke-metrics.json",
    measurements,
    report,
    ...extra,
  });
}

/** What the nightly dispatch knows of night `i`'s run before it ends. */
function dispatchedReport(i: number, state: "dispatched" | "running" = "dispatched"): Run {
  const completed = night(i);
  return newRun({
    id: completed.id,
    state,
    at: iso(Date.parse(completed.at) - 30_000),
    mainline: true,
    github: completed.github,
    ref: "main",
    dispatch: { correlation_id: `chimney-nightly-${completed.at.slice(0, 10)}`, kind: "nightly", pr_number: null },
  });
}

function dispatch(nightOf: string, extra: Partial<Dispatch> = {}): Dispatch {
  const at = `${nightOf}T03:00:00.000Z`;
  return {
    correlation_id: `chimney-nightly-${nightOf}`,
    kind: "nightly",
    night: nightOf,
    ref: "main",
    pr_number: null,
    requested_at: at,
    updated_at: at,
    state: "claimed",
    attempts: 0,
    last_error: null,
    run_id: null,
    ...extra,
  };
}

/** Firewood's real github-action-benchmark history, as the importer reads it. */
function firewoodSeries(): Series[] {
  const parsed = parseBenchmarkData(benchHistory);
  if (!parsed.ok) throw new Error("firewood-bench-history.json is not benchmark data");
  return seriesOf(parsed.value).slice(0, 3);
}

/** Every history entry, paging `size` at a time; asserts that the last page says so. */
async function allHistory(stores: Stores, size: number): Promise<{ entries: HistoryEntry[]; pages: number }> {
  const entries: HistoryEntry[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const after = cursor ? decodeCursor(cursor) : null;
    if (cursor) assert.notEqual(after, null, `the store made a cursor chimney cannot read: ${cursor}`);
    const page: { runs: HistoryEntry[]; cursor: string | null } = await stores.runs.history(size, after);
    assert.ok(page.runs.length <= size);
    entries.push(...page.runs);
    cursor = page.cursor;
    pages++;
    assert.ok(pages <= 100, "the history never ends");
  } while (cursor);
  return { entries, pages };
}

const sortedIds = (runs: { id: string }[]) => runs.map((r) => r.id).sort();

const settleContext = (extra: Partial<SettleContext> = {}) => settleContextAt(nightAt(1), extra);

// ---------------------------------------------------------------------------------------------

export const storeContract: ContractCase[] = [
  // Runs ---------------------------------------------------------------------------------------
  {
    name: "runs: a dispatched report then the completed one merge into one run",
    async run(make) {
      const { runs } = await make();
      assert.equal(await runs.run(night(1).id), null);
      const dispatched = dispatchedReport(1);
      assert.deepEqual(await runs.record(dispatched), { kind: "created", run: dispatched });
      assert.deepEqual(await runs.run(dispatched.id), dispatched);

      const completed = night(1);
      const merged: Run = { ...completed, at: dispatched.at, dispatch: dispatched.dispatch };
      assert.deepEqual(await runs.record(completed), { kind: "updated", run: merged });
      assert.deepEqual(await runs.run(completed.id), merged);
      assert.deepEqual((await runs.history(10, null)).runs, [historyEntry(merged)]);
    },
  },
  {
    name: "runs: an older or the same report changes nothing, a different result is refused",
    async run(make) {
      const { runs } = await make();
      await runs.record(dispatchedReport(2));
      const merged = (await runs.record(night(2))).run;

      assert.deepEqual(await runs.record(dispatchedReport(2, "running")), { kind: "unchanged", run: merged });
      assert.deepEqual(await runs.record(dispatchedReport(2)), { kind: "unchanged", run: merged });
      assert.deepEqual(await runs.record(night(2)), { kind: "unchanged", run: merged });

      const different = night(2, {}, wobble(2) * 1.04);
      const outcome = await runs.record(different);
      assert.equal(outcome.kind, "conflict");
      assert.deepEqual(outcome.run, merged);
      assert.deepEqual(await runs.run(merged.id), merged);
      assert.deepEqual((await runs.history(10, null)).runs, [historyEntry(merged)]);
      assert.equal((await runs.status())?.runs, 1);
    },
  },
  {
    name: "runs: racing reports of one run merge into the same run whatever their order",
    async run(make) {
      const { runs } = await make();
      const reports = [night(3), dispatchedReport(3, "running"), dispatchedReport(3), night(3)];
      const outcomes = await Promise.all(reports.map((r) => runs.record(r)));
      assert.equal(outcomes.filter((o) => o.kind === "created").length, 1);
      assert.equal(outcomes.filter((o) => o.kind === "conflict").length, 0, "the same result is never a conflict");
      const expected: Run = { ...night(3), at: dispatchedReport(3).at, dispatch: dispatchedReport(3).dispatch };
      assert.deepEqual(await runs.run(expected.id), expected);
      assert.deepEqual((await runs.history(10, null)).runs, [historyEntry(expected)]);
    },
  },
  {
    name: "runs: two uploads with the same identity and no GitHub run are one run",
    async run(make) {
      const { runs } = await make();
      const upload = (id: string, at: string) =>
        night(4, { id, at, completed_at: at, github: null, identity: "sha256:5b1e0c4d0e9a7f3c2b8d6e1a", sha: null });
      const first = upload("01KB0Q4Z3W8N6M2P5R7T9V1X3Y", "2026-11-05T09:12:03.000Z");
      const again = upload("01KB0Q5A1C3E5G7J9K1M3N5P7Q", "2026-11-05T09:12:41.000Z");
      assert.equal((await runs.record(first)).kind, "created");
      assert.deepEqual(await runs.record(again), { kind: "unchanged", run: first });
      assert.deepEqual(await runs.run(first.id), first);
      assert.equal(await runs.run(again.id), null);
      assert.deepEqual((await runs.history(10, null)).runs, [historyEntry(first)]);
      assert.equal((await runs.status())?.runs, 1);
    },
  },
  {
    name: "runs: open() lists the dispatched and running runs only",
    async run(make) {
      const { runs } = await make();
      assert.deepEqual(await runs.open(), []);
      const crashed = newRun({
        id: `${githubRunId(13)}-1`,
        state: "crashed",
        at: nightAt(13),
        completed_at: nightAt(13),
        mainline: true,
        failure: {
          reason: "the benchmark step failed",
          job: "smoke",
          step: "Run smoke benchmark",
          log_url: null,
          rerun_requested: false,
        },
      });
      const missed = newRun({ id: `${githubRunId(14)}-1`, state: "missed", at: nightAt(14), mainline: true });
      for (const run of [dispatchedReport(10), dispatchedReport(11, "running"), night(12), crashed, missed])
        await runs.record(run);
      assert.deepEqual(sortedIds(await runs.open()), [night(10).id, night(11).id]);
      assert.deepEqual(
        (await runs.open()).find((r) => r.id === night(11).id),
        dispatchedReport(11, "running"),
      );

      await runs.record(night(10));
      assert.deepEqual(sortedIds(await runs.open()), [night(11).id]);
      await runs.record(night(11));
      assert.deepEqual(await runs.open(), []);
    },
  },
  {
    name: "runs: history() pages 25 runs newest first, 10 at a time, each run exactly once",
    async run(make) {
      const stores = await make();
      const nights = Array.from({ length: 25 }, (_, i) => night(20 + i));
      // Recorded at once and out of order, with some nights reported twice.
      const order = nights.map((_, i) => (i * 7) % 25);
      await Promise.all([
        ...order.map((i) => stores.runs.record(nights[i])),
        ...order.slice(0, 5).map((i) => stores.runs.record(nights[i])),
      ]);
      const newestFirst = [...nights].reverse().map(historyEntry);
      const first = await stores.runs.history(10, null);
      assert.deepEqual(first.runs, newestFirst.slice(0, 10));
      assert.notEqual(first.cursor, null);
      const { entries, pages } = await allHistory(stores, 10);
      assert.equal(pages, 3);
      assert.deepEqual(entries, newestFirst);
      // A page of exactly what is left has no next page.
      const rest = await stores.runs.history(5, { at: newestFirst[19].at, id: newestFirst[19].id });
      assert.deepEqual(rest, { runs: newestFirst.slice(20), cursor: null });
      assert.equal((await stores.runs.status())?.runs, 25);
    },
  },
  {
    name: "runs: history() pages 420 runs, past what any projection keeps of the newest, each run exactly once",
    async run(make) {
      const stores = await make();
      const nights = Array.from({ length: 420 }, (_, i) => night(1_000 + i));
      const running = { ...nights[3], state: "running" as const, measurements: null, report: null, input: null };
      await stores.runs.recordMany([...nights.slice(0, 3), running, ...nights.slice(4)], { settled: true });
      const { entries, pages } = await allHistory(stores, 100);
      assert.equal(pages, 5);
      assert.deepEqual(
        entries.map((e) => e.id),
        [...nights].reverse().map((n) => n.id),
      );
      // An old run completes: the page it is on, far behind the newest, shows it.
      assert.equal((await stores.runs.record(nights[3], { settled: true })).kind, "updated");
      const { entries: again } = await allHistory(stores, 100);
      assert.equal(again.find((e) => e.id === nights[3].id)?.state, nights[3].state);
      assert.equal(again.length, 420);
      assert.equal((await stores.runs.status())?.runs, 420);
    },
  },
  {
    name: "runs: recordMany() records a batch in order, as record() would each run",
    async run(make) {
      const { runs } = await make();
      const outcomes = await runs.recordMany([night(70), night(71), night(70)], { settled: true });
      assert.deepEqual(
        outcomes.map((o) => o.kind),
        ["created", "created", "unchanged"],
      );
      assert.deepEqual(
        (await runs.history(10, null)).runs.map((e) => e.id),
        [night(71).id, night(70).id],
      );
      assert.equal((await runs.status())?.latest?.id, night(71).id);
    },
  },
  {
    name: "runs: status() finds the last settled night behind a long tail of open runs",
    async run(make) {
      const { runs } = await make();
      await runs.record(night(80));
      // More runs still going than any page of the newest holds: the status reads past them.
      const open = Array.from({ length: 320 }, (_, i) => ({
        ...night(81 + i),
        state: "running" as const,
        measurements: null,
        report: null,
        input: null,
        completed_at: null,
      }));
      await runs.recordMany(open, { settled: true });
      const status = await runs.status();
      assert.equal(status?.night?.id, night(80).id);
      assert.equal(status?.latest?.id, open.at(-1)?.id);
      assert.equal(status?.runs, 321);
    },
  },
  {
    name: "settlements: one holder settles at a time, until it gives the settling up or its hold runs out",
    async run(make) {
      const { settlements } = await make();
      const racing = await Promise.all(["a", "b", "c"].map((h) => settlements.hold(h, 1_000, 60_000)));
      assert.deepEqual(racing.filter(Boolean).length, 1);
      const holder = ["a", "b", "c"][racing.indexOf(true)];
      const other = holder === "a" ? "b" : "a";
      assert.equal(await settlements.hold(holder, 30_000, 60_000), true, "the holder takes it again");
      assert.equal(await settlements.hold(other, 80_000, 60_000), false, "held until 90 000 by the holder");
      await settlements.release(other);
      assert.equal(await settlements.hold(other, 80_000, 60_000), false, "only the holder gives it up");
      assert.equal(await settlements.hold(other, 90_001, 60_000), true, "a hold that ran out is taken");
      await settlements.release(other);
      assert.equal(await settlements.hold(holder, 90_002, 1_000), true, "given up, it is free");
    },
  },
  {
    name: "runs: a new run lands on the first page and old cursors stay valid",
    async run(make) {
      const stores = await make();
      for (let i = 0; i < 12; i++) await stores.runs.record(night(40 + i));
      const first = await stores.runs.history(10, null);
      await stores.runs.record(night(52));
      const second = await stores.runs.history(10, decodeCursor(first.cursor!));
      assert.deepEqual(
        second.runs.map((r) => r.id),
        [night(41).id, night(40).id],
      );
      assert.equal((await stores.runs.history(1, null)).runs[0].id, night(52).id);
    },
  },
  {
    name: "runs: status() reflects the latest mainline run and the last completed one",
    async run(make) {
      const { runs } = await make();
      assert.equal(await runs.status(), null);
      const passed = night(60);
      const pullRequest = night(61, { mainline: false, ref: "perf/faster-commit" }, 1.5);
      assert.equal(pullRequest.state, "regressed");
      await runs.record(passed);
      await runs.record(pullRequest);
      assert.deepEqual(await runs.status(), {
        latest: historyEntry(passed),
        last_completed: historyEntry(passed),
        night: historyEntry(passed),
        in_progress: null,
        runs: 2,
      });

      const running = dispatchedReport(62, "running");
      await runs.record(running);
      assert.deepEqual(await runs.status(), {
        latest: historyEntry(running),
        last_completed: historyEntry(passed),
        night: historyEntry(passed),
        in_progress: historyEntry(running),
        runs: 3,
      });

      const regressed = night(62, {}, 1.5);
      await runs.record(regressed);
      const merged = { ...regressed, at: running.at, dispatch: running.dispatch };
      assert.deepEqual(await runs.status(), {
        latest: historyEntry(merged),
        last_completed: historyEntry(merged),
        night: historyEntry(merged),
        in_progress: null,
        runs: 3,
      });
    },
  },

  // Dispatches ---------------------------------------------------------------------------------
  {
    name: "dispatches: claim admits one per correlation id, even racing",
    async run(make) {
      const { dispatches } = await make();
      const tonight = dispatch("2026-11-29");
      const claims = await Promise.all([dispatches.claim(tonight), dispatches.claim(tonight)]);
      assert.deepEqual(claims.filter(Boolean), [true]);
      assert.deepEqual(await dispatches.get(tonight.correlation_id), tonight);
      // The lock holds after the dispatch moved on.
      await dispatches.save({ ...tonight, state: "dispatched", run_id: githubRunId(29) });
      assert.equal(await dispatches.claim(tonight), false);
      // However many race.
      const tomorrow = dispatch("2026-11-30");
      const many = await Promise.all(Array.from({ length: 10 }, () => dispatches.claim(tomorrow)));
      assert.equal(many.filter(Boolean).length, 1);
    },
  },
  {
    name: "dispatches: save and get round trip, unknown is null",
    async run(make) {
      const { dispatches } = await make();
      assert.equal(await dispatches.get("chimney-nightly-2026-11-29"), null);
      const confirm = dispatch("2026-11-29", {
        correlation_id: "chimney-confirm-7m2k9q",
        kind: "confirm",
        sha: shaOf(29),
        confirms: night(29).id,
      });
      await dispatches.save(confirm);
      assert.deepEqual(await dispatches.get(confirm.correlation_id), confirm);
      const dispatched = {
        ...confirm,
        state: "dispatched" as const,
        attempts: 1,
        updated_at: "2026-11-29T03:00:02.000Z",
      };
      await dispatches.save(dispatched);
      assert.deepEqual(await dispatches.get(confirm.correlation_id), dispatched);
    },
  },
  {
    name: "dispatches: unsettled() lists claimed, failed, and dispatched ones with no run",
    async run(make) {
      const { dispatches } = await make();
      assert.deepEqual(await dispatches.unsettled(), []);
      const all = [
        dispatch("2026-11-24", { state: "claimed" }),
        dispatch("2026-11-25", { state: "failed", attempts: 2, last_error: "GitHub answered 502" }),
        dispatch("2026-11-26", { state: "dispatched", attempts: 1 }),
        dispatch("2026-11-27", { state: "dispatched", attempts: 1, run_id: githubRunId(27) }),
        dispatch("2026-11-28", { state: "missed", attempts: 5, last_error: "GitHub answered 502" }),
      ];
      for (const d of all) assert.equal(await dispatches.claim(d), true);
      const unsettled = await dispatches.unsettled();
      assert.deepEqual(
        unsettled.sort((a, b) => a.correlation_id.localeCompare(b.correlation_id)),
        all.slice(0, 3),
      );
      await dispatches.save({ ...all[2], run_id: githubRunId(26) });
      assert.deepEqual(sortedIds((await dispatches.unsettled()).map((d) => ({ id: d.correlation_id }))), [
        all[0].correlation_id,
        all[1].correlation_id,
      ]);
    },
  },

  // Deliveries ---------------------------------------------------------------------------------
  {
    name: "deliveries: of twenty copies arriving at once, one is processed",
    async run(make) {
      const { deliveries } = await make();
      const at = "2026-11-29T03:07:12.000Z";
      const id = "6f0c2a3e-8d1b-11f0-9a4e-2b7c1d5e9f01";
      const claims = await Promise.all(Array.from({ length: 20 }, () => deliveries.claim(id, "workflow_run", at)));
      assert.equal(claims.filter(Boolean).length, 1);
      // Still in flight: a late copy is not processed, nor retried.
      const later = Date.parse(at) + 60_000;
      assert.equal(await deliveries.claim(id, "workflow_run", iso(later)), false);
      assert.deepEqual(await deliveries.retryable(later), []);
    },
  },
  {
    name: "deliveries: finish, and what the reconcile tick takes up again",
    async run(make) {
      const { deliveries } = await make();
      const t = Date.parse("2026-11-29T03:07:12.000Z");
      const id = "6f0c2a3e-8d1b-11f0-9a4e-2b7c1d5e9f02";
      assert.equal(await deliveries.claim(id, "workflow_run", iso(t)), true);

      // Processing that died with its invocation is taken up after the timeout, not before.
      assert.deepEqual(await deliveries.retryable(t + PROCESSING_TIMEOUT_MS), []);
      const died = await deliveries.retryable(t + PROCESSING_TIMEOUT_MS + 1);
      assert.deepEqual(died, [
        {
          id,
          event: "workflow_run",
          state: "processing",
          attempts: 1,
          received_at: iso(t),
          updated_at: iso(t),
          error: null,
        },
      ]);

      // A failure is retried at once, up to MAX_DELIVERY_ATTEMPTS attempts in all.
      let now = t;
      for (let attempt = 1; attempt <= MAX_DELIVERY_ATTEMPTS; attempt++) {
        now += 60_000;
        await deliveries.finish(id, { state: "failed", error: `GitHub answered 502 (attempt ${attempt})` }, iso(now));
        const retryable = await deliveries.retryable(now);
        if (attempt < MAX_DELIVERY_ATTEMPTS) {
          assert.deepEqual(retryable, [
            {
              id,
              event: "workflow_run",
              state: "failed",
              attempts: attempt,
              received_at: iso(t),
              updated_at: iso(now),
              error: `GitHub answered 502 (attempt ${attempt})`,
            },
          ]);
          assert.equal(await deliveries.claim(id, "workflow_run", iso(now)), true);
        } else {
          assert.deepEqual(retryable, [], "given up after MAX_DELIVERY_ATTEMPTS");
        }
      }

      // A delivery that is done is never processed again.
      const done = "6f0c2a3e-8d1b-11f0-9a4e-2b7c1d5e9f03";
      assert.equal(await deliveries.claim(done, "workflow_run", iso(now)), true);
      await deliveries.finish(done, { state: "done", error: null }, iso(now + 1_000));
      assert.equal(await deliveries.claim(done, "workflow_run", iso(now + 2_000)), false);
      assert.equal(await deliveries.claim(done, "workflow_run", iso(now + PROCESSING_TIMEOUT_MS * 10)), false);
      assert.deepEqual(await deliveries.retryable(now + PROCESSING_TIMEOUT_MS * 10), []);

      // Finishing a delivery never claimed records nothing.
      await deliveries.finish("never-claimed", { state: "failed", error: "lost" }, iso(now));
      assert.deepEqual(await deliveries.retryable(now), []);
    },
  },

  // Alerts -------------------------------------------------------------------------------------
  {
    name: "alerts: a bad night queues one write and opens its alert",
    async run(make) {
      const { alerts } = await make();
      assert.deepEqual(await alerts.open(), []);
      const regressed = night(70, {}, 1.5);
      const now = "2026-11-29T03:10:00.000Z";
      const writes = await alerts.plan(runSubject(regressed), now);
      const expected: AlertWrite = {
        id: `regression:smoke@${regressed.id}`,
        seq: 1,
        fingerprint: "regression:smoke",
        action: "report_bad",
        subject_id: regressed.id,
        pr_number: null,
        state: "pending",
        attempts: 0,
        lease_until: null,
        last_error: null,
        created_at: now,
      };
      assert.deepEqual(writes, [expected]);
      const alert = {
        fingerprint: "regression:smoke",
        kind: "regression",
        suite: "smoke",
        state: "open",
        issue_number: null,
        issue_url: null,
        opened_by: regressed.id,
        opened_at: regressed.at,
        last_run_id: regressed.id,
        last_run_at: regressed.at,
      };
      assert.deepEqual(await alerts.alert("regression:smoke"), alert);
      assert.deepEqual(await alerts.open(), [alert]);
      assert.equal(await alerts.alert("crash:smoke"), null);
    },
  },
  {
    name: "alerts: a maintainer's accept ends the episode once and lists it as accepted; a snooze keeps it open",
    async run(make) {
      const { alerts } = await make();
      const regressed = night(72, {}, 1.5);
      await alerts.plan(runSubject(regressed), "2026-11-29T03:10:00.000Z");
      const snooze = { until: "2026-12-06T03:20:00.000Z", by: "perf-oncall", command: "comment-1" };
      const decided = (kind: "snooze" | "accept", command: string): AlertSubject => ({
        id: `${kind}@${command}`,
        at: "2026-11-29T03:20:00.000Z",
        verdicts: [],
        pr_number: null,
        decision:
          kind === "snooze"
            ? { kind, fingerprint: "regression:smoke", snooze }
            : {
                kind,
                fingerprint: "regression:smoke",
                acceptance: {
                  by: "perf-oncall",
                  at: "2026-11-29T03:30:00.000Z",
                  issue_number: null,
                  baseline: smokeBaseline as Baseline,
                  runs: [regressed.id],
                },
              },
      });
      const snoozed = await alerts.plan(decided("snooze", "comment-1"), "2026-11-29T03:20:00.000Z");
      assert.deepEqual(
        snoozed.map((w) => w.action),
        ["report_snoozed"],
      );
      assert.deepEqual(await alerts.plan(decided("snooze", "comment-1"), "2026-11-29T03:21:00.000Z"), []);
      assert.deepEqual(
        (await alerts.open()).map((a) => a.snooze),
        [snooze],
      );
      assert.deepEqual((await alerts.standing()).accepted, []);

      const accepted = await alerts.plan(decided("accept", "comment-2"), "2026-11-29T03:30:00.000Z");
      assert.deepEqual(
        accepted.map((w) => w.action),
        ["report_accepted"],
      );
      assert.deepEqual(await alerts.plan(decided("accept", "comment-3"), "2026-11-29T03:31:00.000Z"), []);
      assert.deepEqual(await alerts.open(), []);
      const [listed] = (await alerts.standing()).accepted;
      assert.equal(listed.state, "resolved");
      assert.equal(listed.accepted?.by, "perf-oncall");
      assert.equal(listed.snooze, null);
    },
  },
  {
    name: "alerts: the same subject planned twice, or racing, queues its write once",
    async run(make) {
      const { alerts } = await make();
      const first = runSubject(night(71, {}, 1.5));
      const raced = await Promise.all([
        alerts.plan(first, "2026-11-29T03:10:00.000Z"),
        alerts.plan(first, "2026-11-29T03:10:00.000Z"),
        alerts.plan(first, "2026-11-29T03:10:01.000Z"),
      ]);
      assert.equal(raced.flat().length, 1);
      assert.deepEqual(await alerts.plan(first, "2026-11-29T03:20:00.000Z"), []);
      const claimed = await alerts.claim(Date.parse("2026-11-29T03:30:00.000Z"), 10);
      assert.deepEqual(
        claimed.map((w) => w.id),
        [`regression:smoke@${night(71).id}`],
      );
      // A later bad night asks for one more write (a comment), with the next sequence number.
      const next = await alerts.plan(runSubject(night(72, {}, 1.5)), "2026-11-30T03:10:00.000Z");
      assert.deepEqual(
        next.map((w) => [w.id, w.seq, w.action]),
        [[`regression:smoke@${night(72).id}`, 2, "report_bad"]],
      );
      assert.equal((await alerts.alert("regression:smoke"))?.opened_by, night(71).id);
    },
  },
  {
    name: "alerts: write leases, oldest first per fingerprint",
    async run(make) {
      const { alerts } = await make();
      await alerts.plan(runSubject(night(73, {}, 1.5)), "2026-11-29T03:10:00.000Z");
      await alerts.plan(runSubject(night(74, {}, 1.5)), "2026-11-30T03:10:00.000Z");
      const now = Date.parse("2026-11-30T03:11:00.000Z");

      const [first, ...others] = await alerts.claim(now, 5);
      assert.deepEqual(others, [], "one write per fingerprint at a time");
      assert.equal(first.id, `regression:smoke@${night(73).id}`);
      assert.equal(first.state, "sending");
      assert.equal(first.attempts, 1);
      assert.equal(first.lease_until, iso(now + WRITE_LEASE_MS));

      assert.deepEqual(await alerts.claim(now + 1_000, 5), [], "leased");
      assert.deepEqual(await alerts.claim(now + WRITE_LEASE_MS - 1, 5), [], "still leased");
      const [again] = await alerts.claim(now + WRITE_LEASE_MS, 5);
      assert.equal(again.id, first.id, "claimable again once the lease expired");
      assert.equal(again.attempts, 2);

      // A failed attempt puts it back in the queue at once; its successor waits for it.
      await alerts.finish(again.id, { error: "GitHub answered 502", issue: null });
      const [retry] = await alerts.claim(now + WRITE_LEASE_MS + 1, 5);
      assert.equal(retry.id, first.id);
      assert.equal(retry.attempts, 3);
      assert.equal(retry.last_error, "GitHub answered 502");
      await alerts.finish(retry.id, { error: null, issue: null });
      const [second] = await alerts.claim(now + WRITE_LEASE_MS + 2, 5);
      assert.equal(second.id, `regression:smoke@${night(74).id}`);
    },
  },
  {
    name: "alerts: settle with an issue makes it the alert's issue, and a good night resolves it",
    async run(make) {
      const { alerts } = await make();
      await alerts.plan(runSubject(night(75, {}, 1.5)), "2026-11-29T03:10:00.000Z");
      const [write] = await alerts.claim(Date.parse("2026-11-29T03:11:00.000Z"), 5);
      const issue = { number: 1742, url: "https://github.com/ava-labs/firewood/issues/1742" };
      await alerts.finish(write.id, { error: null, issue });
      const alert = await alerts.alert("regression:smoke");
      assert.equal(alert?.issue_number, 1742);
      assert.equal(alert?.issue_url, issue.url);
      assert.deepEqual(await alerts.open(), [alert]);
      assert.deepEqual(await alerts.claim(Date.parse("2026-11-29T04:00:00.000Z"), 5), [], "done");

      const recovered = await alerts.plan(runSubject(night(76)), "2026-11-30T03:10:00.000Z");
      assert.deepEqual(
        recovered.map((w) => [w.id, w.action]),
        [[`regression:smoke@${night(76).id}`, "report_recovered"]],
      );
      assert.equal((await alerts.alert("regression:smoke"))?.state, "resolved");
      assert.equal((await alerts.alert("regression:smoke"))?.issue_number, 1742);
      assert.deepEqual(await alerts.open(), []);
    },
  },
  {
    name: "alerts: open() lists the open alerts of every kind",
    async run(make) {
      const { alerts } = await make();
      const crashed = newRun({
        id: `${githubRunId(77)}-1`,
        state: "crashed",
        at: nightAt(77),
        completed_at: nightAt(77),
        mainline: true,
        failure: {
          reason: "the benchmark step failed",
          job: "smoke",
          step: "Run smoke benchmark",
          log_url: null,
          rerun_requested: false,
        },
      });
      await alerts.plan(runSubject(night(76, {}, 1.5)), "2026-11-29T03:10:00.000Z");
      await alerts.plan(runSubject(crashed), "2026-11-30T03:10:00.000Z");
      assert.deepEqual((await alerts.open()).map((a) => a.fingerprint).sort(), ["crash:smoke", "regression:smoke"]);
      // A pull request's run is answered on the pull request and opens no alert.
      const pr = night(
        78,
        { mainline: false, dispatch: { correlation_id: "chimney-pr-1801", kind: "manual", pr_number: 1801 } },
        1.5,
      );
      const writes = await alerts.plan(runSubject(pr), "2026-12-01T03:10:00.000Z");
      assert.deepEqual(
        writes.map((w) => [w.fingerprint, w.action, w.pr_number]),
        [["pull-request:1801", "pr_comment", 1801]],
      );
      assert.equal((await alerts.open()).length, 2);
    },
  },

  // Artifacts and the inbox --------------------------------------------------------------------
  {
    name: "artifacts: put and get round trip by digest; the same bytes twice is fine; unknown is null",
    async run(make) {
      const { artifacts } = await make();
      const bytes = new TextEncoder().encode(JSON.stringify(metricsAt(wobble(80)), null, 2));
      const digest = await sha256Hex(bytes);
      assert.equal(await artifacts.get(digest), null);
      await artifacts.put(digest, bytes, "application/json");
      await artifacts.put(digest, bytes, "application/json");
      const stored = await artifacts.get(digest);
      assert.ok(stored);
      assert.equal(stored.size, bytes.byteLength);
      assert.deepEqual(new Uint8Array(await new Response(stored.body).arrayBuffer()), bytes);
      assert.equal(await artifacts.get(await sha256Hex(new TextEncoder().encode("never stored"))), null);
    },
  },
  {
    name: "inbox: the first body of a delivery id is kept; the same again is fine, a different one is refused",
    async run(make) {
      const { inbox } = await make();
      const id = "6f0c2a3e-8d1b-11f0-9a4e-2b7c1d5e9f04";
      const body = new TextEncoder().encode(JSON.stringify({ action: "completed", workflow_run: { id: 1 } }));
      const other = new TextEncoder().encode(JSON.stringify({ action: "completed", workflow_run: { id: 2 } }));
      assert.equal(await inbox.get(id), null);
      assert.equal(await inbox.keep(id, body), "kept");
      assert.equal(await inbox.keep(id, body), "same");
      assert.equal(await inbox.keep(id, other), "different");
      assert.deepEqual(await inbox.get(id), body);
      assert.equal(await inbox.get("6f0c2a3e-8d1b-11f0-9a4e-2b7c1d5e9f05"), null);
    },
  },

  // Latest documents ---------------------------------------------------------------------------
  {
    name: "latest documents: nothing, then the latest saved",
    async run(make) {
      const { dashboards, changes, settlements } = await make();
      assert.equal(await dashboards.latest(), null);
      assert.equal(await changes.latest(), null);
      const check = (i: number, inSync: boolean): DashboardCheck => ({
        id: `dashboards-${nightAt(i).slice(0, 10)}`,
        checked_at: nightAt(i),
        source: "ava-labs/firewood@main",
        grafana: true,
        in_sync: inSync,
        dashboards: [
          {
            uid: "firewood-smoke",
            title: "Firewood smoke benchmark",
            in_sync: inSync,
            findings: inSync ? [] : ["version: export 12, grafana 13"],
          },
        ],
        problem: null,
      });
      await dashboards.save(check(90, false));
      await dashboards.save(check(91, true));
      assert.deepEqual(await dashboards.latest(), check(91, true));

      // Forty nights, newest first, 20% slower from the 26th on.
      const newestFirst = Array.from({ length: 40 }, (_, i) =>
        historyEntry(night(100 + i, {}, i < 25 ? wobble(i) : 1.2 * wobble(i))),
      ).reverse();
      const report = analyzeHistory(newestFirst, DEFAULT_OPTIONS, nightAt(140), BASELINE, 3);
      assert.ok(report.changes.length > 0, "the step of 20% is a change point");
      await settlements.commit(
        planAnalysis(analyzeHistory(newestFirst.slice(10), DEFAULT_OPTIONS, nightAt(130), BASELINE, 3)),
        nightAt(130),
      );
      await settlements.commit(planAnalysis(report), nightAt(140));
      assert.deepEqual(await changes.latest(), report);
    },
  },

  // Settlements --------------------------------------------------------------------------------
  {
    name: "settlements: runs in a final state wait to be settled, oldest first; open and imported runs do not",
    async run(make) {
      const { runs, settlements } = await make();
      await runs.record(night(3));
      await runs.record(dispatchedReport(4));
      await runs.record(night(1));
      await runs.record(night(2), { settled: true });
      await runs.record(newRun({ id: "01JDXTESTMISSEDNIGHT000000", state: "missed", at: nightAt(5), mainline: true }));
      const waiting = await settlements.unsettled(10);
      assert.deepEqual(
        waiting.map((w) => w.run.id),
        [night(1).id, night(3).id, "01JDXTESTMISSEDNIGHT000000"],
      );
      assert.deepEqual(
        (await settlements.unsettled(1)).map((w) => w.run.id),
        [night(1).id],
      );
      await runs.record(night(4));
      assert.ok(
        (await settlements.unsettled(10)).some((w) => w.run.id === night(4).id),
        "a run that completes waits too",
      );
    },
  },
  {
    name: "settlements: a commit applies the plan at once, and the same plan twice (or racing) commits once",
    async run(make) {
      const { runs, settlements, alerts, dispatches, changes } = await make();
      await runs.record(
        night(1, { dispatch: { correlation_id: "chimney-nightly-2026-11-02", kind: "nightly", pr_number: null } }, 1.5),
      );
      const [waiting] = await settlements.unsettled(10);
      const analysis = analyzeHistory([historyEntry(waiting.run)], DEFAULT_OPTIONS, nightAt(1), BASELINE, 3);
      const plan = planSettlement(waiting, settleContext({ analysis }));
      assert.ok(plan.dispatch, "a lone slow night is benchmarked again");
      const outcomes = await Promise.all([settlements.commit(plan, nightAt(1)), settlements.commit(plan, nightAt(1))]);
      assert.deepEqual(outcomes.sort(), [false, true]);
      assert.equal(await settlements.commit(plan, nightAt(1)), false);

      assert.deepEqual(await settlements.unsettled(10), []);
      assert.equal((await runs.run(waiting.run.id))?.confirmation?.state, "pending");
      assert.equal((await runs.history(1, null)).runs[0].id, waiting.run.id);
      assert.deepEqual(await changes.latest(), analysis);
      assert.equal((await dispatches.get(plan.dispatch.correlation_id))?.state, "claimed");
      const writes = await alerts.claim(Date.parse(nightAt(1)), 10);
      assert.deepEqual(
        writes.map((w) => [w.action, w.subject_id]),
        [["dispatch", plan.dispatch.correlation_id]],
      );
      assert.equal((await alerts.alert("crash:smoke")) ?? null, null, "a good verdict on no alert changes nothing");
    },
  },
  {
    name: "settlements: a plan made from an earlier revision of its run changes nothing",
    async run(make) {
      const { runs, settlements, alerts } = await make();
      await runs.record(
        newRun({ id: night(1).id, state: "crashed", at: nightAt(1), mainline: true, github: night(1).github }),
      );
      const [stale] = await settlements.unsettled(10);
      await runs.record(night(1, {}, 1.5));
      assert.equal(
        await settlements.commit(planSettlement(stale, settleContext({ confirm: false })), nightAt(1)),
        false,
      );
      assert.deepEqual(await alerts.open(), []);
      const [fresh] = await settlements.unsettled(10);
      assert.notEqual(fresh.revision, stale.revision);
      assert.equal(fresh.run.state, "regressed");
      assert.equal(
        await settlements.commit(planSettlement(fresh, settleContext({ confirm: false })), nightAt(1)),
        true,
      );
      assert.deepEqual(
        (await alerts.open()).map((a) => a.fingerprint),
        ["regression:smoke"],
      );
    },
  },

  // Series -------------------------------------------------------------------------------------
  {
    name: "series: heads() is every series as it stands, its newest point alone",
    async run(make) {
      const { series } = await make();
      assert.deepEqual(await series.heads(), []);
      const incoming = firewoodSeries();
      await series.merge(
        incoming.map((s) => ({ ...s, points: s.points.slice(0, 120) })),
        DEFAULT_OPTIONS,
      );
      await series.merge(incoming, DEFAULT_OPTIONS);
      const all = await series.all();
      assert.deepEqual(
        await series.heads(),
        all.map((s) => ({ ...s, points: s.points.slice(-1) })),
      );
      assert.equal((await series.heads())[0].points[0].at, incoming[0].points.at(-1)?.at);
    },
  },
  {
    name: "series: merge is idempotent; importing twice adds nothing",
    async run(make) {
      const { series } = await make();
      assert.deepEqual(await series.all(), []);
      const incoming = firewoodSeries();
      const halves = incoming.map((s) => ({ ...s, points: s.points.slice(0, 100) }));

      const first = await series.merge(halves, DEFAULT_OPTIONS);
      assert.deepEqual(first.issues, []);
      assert.deepEqual(
        first.imports.map((i) => i.added),
        halves.map((s) => s.points.length),
      );
      const whole = await series.merge(incoming, DEFAULT_OPTIONS);
      assert.deepEqual(
        whole.imports.map((i) => [i.added, i.points]),
        incoming.map((s) => [s.points.length - 100, s.points.length]),
      );
      const stored = await series.all();
      assert.deepEqual(
        stored.map((s) => s.points),
        incoming.map((s) => s.points),
      );

      const again = await series.merge(incoming, DEFAULT_OPTIONS);
      assert.deepEqual(again.issues, []);
      assert.deepEqual(
        again.imports.map((i) => [i.added, i.conflicts]),
        incoming.map(() => [0, 0]),
      );
      assert.deepEqual(await series.all(), stored);
    },
  },
  {
    name: "series: imports merged at once lose and double no point",
    async run(make) {
      const { series } = await make();
      const incoming = firewoodSeries();
      const part = (from: number, to: number) => incoming.map((s) => ({ ...s, points: s.points.slice(from, to) }));
      const answers = await Promise.all([
        series.merge(part(0, 120), DEFAULT_OPTIONS),
        series.merge(part(60, 180), DEFAULT_OPTIONS),
        series.merge(incoming, DEFAULT_OPTIONS),
      ]);
      assert.deepEqual(
        answers.map((a) => a.issues),
        [[], [], []],
      );
      assert.deepEqual(
        incoming.map((_, i) => answers.reduce((n, a) => n + a.imports[i].added, 0)),
        incoming.map((s) => s.points.length),
      );
      assert.deepEqual(
        (await series.all()).map((s) => s.points),
        incoming.map((s) => s.points),
      );
    },
  },
  {
    name: "series: an import with issues stores nothing",
    async run(make) {
      const { series } = await make();
      const kept = firewoodSeries().slice(0, 1);
      await series.merge(kept, DEFAULT_OPTIONS);
      const before = await series.all();
      // More series than chimney keeps: refused whole.
      const tooMany: Series[] = Array.from({ length: 501 }, (_, i) => ({
        ...kept[0],
        key: `imported--bench-${i}`,
        name: `bench ${i}`,
        points: kept[0].points.slice(0, 1),
        changes: [],
      }));
      const refused = await series.merge(tooMany, DEFAULT_OPTIONS);
      assert.ok(refused.issues.length > 0);
      assert.deepEqual(await series.all(), before);
    },
  },
];
