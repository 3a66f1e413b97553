/** The baseline is read from the watched repository at each run's commit, with the bundled copy as the fallback. */
import { beforeEach, describe, expect, it } from "vitest";
import passing from "../fixtures/smoke-metrics.json";
import { BASELINE_PATH, REPO } from "../../sandbox/github.ts";
import { baselineFileText, type Baseline } from "../../src/core/baseline.ts";
import bundled from "../../baselines/smoke.json";
import { TEST_BINDINGS } from "../bindings.ts";
import { harness, resetStorage } from "./harness.ts";

beforeEach(() => resetStorage());

type Harness = ReturnType<typeof harness>;

/** The bundled bands with throughput's lower bound raised past the passing fixture's 10 233 ops/s. */
const TIGHT: Baseline = { ...(bundled as Baseline), throughput_ops_per_sec: { lower: 10_500, upper: 12_000 } };

const report = async (h: Harness, id: string) => (await h.runRecord(id))!.report;
const events = (h: Harness, event: string) =>
  h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === event);
const contentsCalls = (h: Harness) => h.github.calls("GET", /\/contents\/benchmark\/baselines\/smoke\.json$/);

describe("the baseline from the repository", () => {
  it("judges each run by the baseline file at its own commit: a tightened band regresses the same result", async () => {
    const h = harness();
    const a = await h.night(passing, "commit A: the baseline as bundled");
    const shaA = a.head_sha;
    expect((await h.runRecord(`${a.id}-1`))!.state).toBe("passed");
    const atA = await report(h, `${a.id}-1`);
    expect(atA.source).toEqual({
      type: "Repository",
      repository: REPO,
      path: BASELINE_PATH,
      commit: shaA,
      blob_sha: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    expect(atA.throughput_ops_per_sec).toMatchObject({ lower: 8500, upper: 12000, within_range: true });

    // Commit B tightens throughput's band in the same commit; the next night runs at B.
    h.clock.advance(24 * 3_600_000);
    const shaB = h.github.addCommit("commit B: tighten the throughput band", {
      files: { [BASELINE_PATH]: baselineFileText(TIGHT) },
    });
    const b = await h.night(passing, "commit C: a change of docs (the baseline file as at B)");
    expect(b.head_sha).not.toBe(shaB);
    const atC = await report(h, `${b.id}-1`);
    expect((await h.runRecord(`${b.id}-1`))!.state).toBe("regressed");
    expect(atC.throughput_ops_per_sec).toMatchObject({ lower: 10500, upper: 12000, within_range: false });
    expect(atC.source).toMatchObject({ type: "Repository", commit: b.head_sha });
    expect(atC.source.blob_sha).not.toBe(atA.source.blob_sha);
    // The run at A keeps the verdict of A's file.
    expect((await h.runRecord(`${a.id}-1`))!.state).toBe("passed");

    // The run page and /baseline say which file at which commit judged.
    const page = await (await h.request(`/runs/${b.id}-1`, { headers: { accept: "text/html" } })).text();
    expect(page).toContain(`${REPO}@${b.head_sha.slice(0, 12)}:${BASELINE_PATH}`);
    const baseline = (await (await h.request("/baseline")).json()) as Record<string, any>;
    expect(baseline).toMatchObject({
      source: `${REPO}@${b.head_sha.slice(0, 12)}:${BASELINE_PATH}`,
      judged_by: { type: "Repository", commit: b.head_sha, blob_sha: atC.source.blob_sha },
      run: `${b.id}-1`,
      throughput_ops_per_sec: { lower: 10500, upper: 12000 },
      total_duration_ms: { lower: 0, upper: 65 },
    });
  });

  it("judges a pull request's run by the baseline file of its own commit, not the branch's", async () => {
    const h = harness("2026-11-29T15:00:00.000Z");
    const pr = h.github.addPullRequest("Tighten the smoke band");
    const prSha = h.github.addCommit("tighten the band (on the pull request's branch)", {
      files: { [BASELINE_PATH]: baselineFileText(TIGHT) },
      branch: false,
    });
    const res = await h.request("/api/dispatch", {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ ref: "feature/tighter-band", pr_number: pr }),
    });
    expect(res.status).toBe(202);
    const [run] = h.github.runs.values();
    run.head_sha = prSha;
    h.github.complete(run.id, { conclusion: "success", files: { "smoke-metrics.json": JSON.stringify(passing) } });
    await h.deliver(run, "completed");
    const record = (await h.runRecord(`${run.id}-1`))!;
    expect(record.state).toBe("regressed");
    expect(record.report.source).toMatchObject({ type: "Repository", commit: prSha });

    // main's file is untouched: a night there passes with the same result.
    const night = await h.night(passing);
    expect((await h.runRecord(`${night.id}-1`))!.state).toBe("passed");
  });

  it("parses a baseline file once per blob sha: a later commit with the file unchanged asks GitHub, and parses nothing", async () => {
    const h = harness();
    await h.night(passing);
    await h.night(passing);
    await h.night(passing);
    expect(contentsCalls(h)).toBe(3);
    const parsed = events(h, "baseline_parsed");
    expect(parsed).toHaveLength(1);
    expect(parsed[0]).toMatchObject({ path: BASELINE_PATH, blob_sha: expect.stringMatching(/^[0-9a-f]{40}$/) });
  });

  it("falls back to the bundled baseline when the file is not at the run's commit, and says why", async () => {
    const h = harness();
    h.github.addCommit("remove the baseline", { files: { [BASELINE_PATH]: null } });
    const run = await h.night(passing);
    const record = (await h.runRecord(`${run.id}-1`))!;
    expect(record.state).toBe("passed");
    expect(record.report.source).toEqual({
      type: "File",
      path: "baselines/smoke.json",
      fallback: `${BASELINE_PATH} is not in ${REPO} at ${run.head_sha}`,
    });
    const baseline = (await (await h.request("/baseline")).json()) as Record<string, any>;
    expect(baseline.source).toBe(
      `baselines/smoke.json (the fallback: ${BASELINE_PATH} is not in ${REPO} at ${run.head_sha})`,
    );
    expect(baseline).toMatchObject({ run: `${run.id}-1`, judged_by: record.report.source });
  });

  it("keeps the run when GitHub fails to answer for the file: judged by the fallback, which says so", async () => {
    const h = harness();
    h.github.fail("GET", /\/contents\//, 4, () => new Response("unicorn", { status: 502 }));
    const run = await h.night(passing);
    expect(h.github.unfired()).toEqual([]);
    const record = (await h.runRecord(`${run.id}-1`))!;
    expect(record.state).toBe("passed");
    expect(record.report.source).toMatchObject({
      type: "File",
      path: "baselines/smoke.json",
      fallback: expect.stringMatching(
        /^GitHub did not answer for benchmark\/baselines\/smoke\.json at [0-9a-f]{40}: .*502/,
      ),
    });
    expect(events(h, "baseline_unread")).toHaveLength(1);
  });

  it("never judges by a broken baseline file: the fallback judges, and the field errors are named", async () => {
    const h = harness();
    const broken = { ...(bundled as Baseline), throughput_ops_per_sec: { lower: 12_000, upper: 8_500 } };
    h.github.addCommit("a bad edit of the baseline", { files: { [BASELINE_PATH]: JSON.stringify(broken) } });
    const run = await h.night(passing);
    const record = (await h.runRecord(`${run.id}-1`))!;
    expect(record.state).toBe("passed");
    expect(record.report.throughput_ops_per_sec).toMatchObject({ lower: 8500, upper: 12000 });
    expect(record.report.source.fallback).toBe(
      `${BASELINE_PATH} at ${run.head_sha} is invalid: throughput_ops_per_sec.lower: must not exceed \`upper\``,
    );
    expect(events(h, "baseline_invalid")[0]).toMatchObject({
      path: BASELINE_PATH,
      commit: run.head_sha,
      issues: [{ field: "throughput_ops_per_sec.lower", message: "must not exceed `upper`" }],
    });
  });
});
