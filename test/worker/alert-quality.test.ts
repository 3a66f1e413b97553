/**
 * Alert quality end to end: ordinary noisy nights (±3%) with one slow night among them, real
 * steps, and what the on-call and the badge see. One issue per real slowdown, none for noise.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { EmulatedRun } from "../../sandbox/github.ts";
import { metricsAt, noise } from "../support/nights.ts";
import { TEST_BINDINGS } from "../bindings.ts";
import { harness, resetStorage } from "./harness.ts";

beforeEach(() => resetStorage());

type Harness = ReturnType<typeof harness>;

const SLOW = 1.3;

function chimney() {
  return harness("2026-10-01T03:00:00.000Z", { CONFIRM_REGRESSIONS: "true", PUBLIC_URL: "https://chimney.test" });
}

/** `count` ordinary nights, each a new commit, starting at night `from`. */
async function ordinaryNights(h: Harness, count: number, from = 0, level = 1): Promise<EmulatedRun[]> {
  const runs: EmulatedRun[] = [];
  for (let i = from; i < from + count; i++)
    runs.push(await h.night(metricsAt(level * noise(i)), `commit of night ${i}`));
  return runs;
}

/** The confirming run chimney dispatched last, finished at `slowdown` and reported. */
async function finishRerun(h: Harness, slowdown: number): Promise<EmulatedRun> {
  const rerun = [...h.github.runs.values()].at(-1) as EmulatedRun;
  expect(rerun.display_title).toMatch(/chimney-confirm-/);
  h.clock.advance(3_600_000);
  h.github.complete(rerun.id, {
    conclusion: "success",
    files: { "smoke-metrics.json": JSON.stringify(metricsAt(slowdown)) },
  });
  expect((await h.deliver(rerun, "completed")).status).toBe(202);
  return rerun;
}

const reruns = (h: Harness) => [...h.github.runs.values()].filter((r) => r.display_title.includes("chimney-confirm-"));
const json = async (h: Harness, path: string) => (await (await h.request(path)).json()) as Record<string, any>;

describe("a lone slow night among ordinary noisy nights", () => {
  it("is benchmarked again on its commit, and a normal rerun means no issue and no later drift", async () => {
    const h = chimney();
    await ordinaryNights(h, 10);
    const slow = await h.night(metricsAt(SLOW * noise(10)), "a commit that only looks slow");
    expect(h.github.alertIssues()).toEqual([]);
    const [rerun] = reruns(h);
    expect(rerun?.inputs).toEqual({ correlation_id: `chimney-confirm-${slow.id}-1`, ref: slow.head_sha });

    const status = await json(h, "/status");
    expect(status.state).toBe("regressed");
    expect(status.reason).toContain(`benchmarking commit ${slow.head_sha.slice(0, 7)} again to confirm`);
    expect(status.in_progress).toMatchObject({ id: `${rerun.id}-1`, kind: "confirm" });

    await finishRerun(h, noise(11));
    expect(h.github.alertIssues()).toEqual([]);
    expect((await h.runRecord(`${slow.id}-1`))?.confirmation).toMatchObject({
      state: "refuted",
      run_id: `${rerun.id}-1`,
    });
    expect((await json(h, "/status")).state).toBe("passing");

    // The refuted night is noise: its point in the series is its rerun's, so it never becomes a
    // change point or a drift; and the rerun is no night of its own (19 nights, 20 runs).
    await ordinaryNights(h, 8, 12);
    expect(h.github.alertIssues()).toEqual([]);
    const changes = await json(h, "/changes");
    expect(changes.runs).toBe(19);
    expect(changes.changes).toEqual([]);
  });

  it("is one issue naming both runs when the rerun is slow too", async () => {
    const h = chimney();
    await ordinaryNights(h, 10);
    const slow = await h.night(metricsAt(SLOW * noise(10)));
    const rerun = await finishRerun(h, SLOW * noise(11));
    const [issue, ...others] = h.github.alertIssues();
    expect(others).toEqual([]);
    expect(issue.body).toContain(`${rerun.id}-1`);
    expect(issue.body).toContain(`${slow.id}-1`);
    expect((await json(h, "/status")).state).toBe("regressed");
  });
});

describe("a real step", () => {
  it("opens one issue within two nights and comments on it after", async () => {
    const h = chimney();
    await ordinaryNights(h, 10);
    const first = await h.night(metricsAt(SLOW * noise(10)), "the slow commit");
    await finishRerun(h, SLOW * noise(11));
    await ordinaryNights(h, 2, 12, SLOW);
    const [issue, ...others] = h.github.alertIssues();
    expect(others).toEqual([]);
    expect(issue.body).toContain(`${first.id}-1`);
    expect(issue.comments).toHaveLength(2);
    expect(reruns(h)).toHaveLength(1);
  });

  it("is a regression at once when two nights in a row are out of band, without waiting for the rerun", async () => {
    const h = chimney();
    await ordinaryNights(h, 10);
    const first = await h.night(metricsAt(SLOW * noise(10)), "the slow commit");
    expect(h.github.alertIssues()).toEqual([]);
    const second = await h.night(metricsAt(SLOW * noise(11)), "the next commit");
    const [issue, ...others] = h.github.alertIssues();
    expect(others).toEqual([]);
    expect(issue.body).toContain(`${first.id}-1`);
    expect(issue.body).toContain(`${second.id}-1`);
    expect((await h.runRecord(`${first.id}-1`))?.confirmation).toMatchObject({
      state: "confirmed",
      run_id: `${second.id}-1`,
    });
  });

  it("inside the band (8% slower) is one drift issue once it has held three nights", async () => {
    const h = chimney();
    await ordinaryNights(h, 14);
    await ordinaryNights(h, 2, 14, 1.08);
    expect(h.github.alertIssues()).toEqual([]);
    await ordinaryNights(h, 1, 16, 1.08);
    const [issue, ...others] = h.github.alertIssues();
    expect(others).toEqual([]);
    expect(issue.title).toMatch(/drift|slower/i);
  });
});

describe("the state people see", () => {
  it("stays passing while the next nightly run is in flight, with the run beside it", async () => {
    const h = chimney();
    const [last] = (await ordinaryNights(h, 3)).slice(-1);
    h.clock.advance(24 * 3_600_000);
    await h.cron("0 3 * * *");
    const inFlight = [...h.github.runs.values()].at(-1) as EmulatedRun;
    expect((await h.deliver(inFlight, "in_progress")).status).toBe(202);
    const status = await json(h, "/status");
    expect(status.state).toBe("passing");
    expect(status.latest_night.id).toBe(`${last.id}-1`);
    expect(status.in_progress).toMatchObject({ id: `${inFlight.id}-1`, kind: "nightly" });
    expect((await json(h, "/badge")).color).toBe("brightgreen");
  });

  it("is pending only until the first night has settled", async () => {
    const h = chimney();
    h.clock.advance(24 * 3_600_000);
    await h.cron("0 3 * * *");
    expect((await json(h, "/status")).state).toBe("pending");
  });

  it("reads regressed on the badge while a suspect night is confirmed", async () => {
    const h = chimney();
    await ordinaryNights(h, 5);
    await h.night(metricsAt(SLOW * noise(5)));
    expect((await json(h, "/badge")).color).toBe("red");
    expect((await json(h, "/badge")).message).toContain("regressed");
  });
});

describe("what an upload token can make the self-hosted runner do", () => {
  const upload = (h: Harness, query: string, result: unknown) =>
    h.request(`/api/results?${query}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_BINDINGS.PERF_DASHBOARD_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(result),
    });

  it("never a rerun of an uploaded result: it is alerted on as it is", async () => {
    const h = chimney();
    await ordinaryNights(h, 5);
    const fork = "0123456789abcdef0123456789abcdef01234567";
    expect((await upload(h, `sha=${fork}&ref=main`, metricsAt(SLOW))).status).toBe(201);
    expect(reruns(h)).toEqual([]);
    expect(h.github.alertIssues()).toHaveLength(1);
  });

  it("never a rerun of a commit that is not on the tracked branch, even for a run chimney dispatched", async () => {
    const h = chimney();
    await ordinaryNights(h, 5);
    h.clock.advance(24 * 3_600_000);
    await h.cron("0 3 * * *");
    const nightly = [...h.github.runs.values()].at(-1) as EmulatedRun;
    // The uploader claims tonight's run with a commit of its choosing (reachable in a fork, say).
    const fork = "0123456789abcdef0123456789abcdef01234567";
    expect((await upload(h, `run_id=${nightly.id}&run_attempt=1&sha=${fork}&ref=main`, metricsAt(SLOW))).status).toBe(
      200,
    );
    expect(reruns(h)).toEqual([]);
    expect(h.github.calls("GET", /\/compare\/main\.\.\.0123456789abcdef/)).toBe(1);
    expect(h.github.alertIssues()).toHaveLength(1);
  });
});
