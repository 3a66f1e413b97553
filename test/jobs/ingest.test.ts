import { describe, expect, it } from "vitest";
import type { Provenance } from "../../src/core/provenance.ts";
import { ingest, type ResultUpload } from "../../src/jobs/ingest.ts";
import type { MemoryArtifactStore } from "../../src/store/memory.ts";
import { memoryDeps, testClock } from "../support/memory.ts";
import disagree from "../fixtures/smoke-metrics-disagree.json";
import regressed from "../fixtures/smoke-metrics-regressed.json";
import passing from "../fixtures/smoke-metrics.json";
import summaryPassing from "../fixtures/golden/smoke-summary.json?raw";
import mdPassing from "../fixtures/golden/smoke-summary.md?raw";

const encode = (value: unknown) =>
  new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value, null, 2));
const NO_PROVENANCE: Provenance = { github: null, sha: null, ref: null };
const RUN_42: Provenance = {
  github: { run_id: 42, run_attempt: 1, html_url: null },
  sha: "0123456789abcdef0123456789abcdef01234567",
  ref: "main",
};

function setup(start = "2026-11-29T03:10:00.000Z") {
  const clock = testClock(start);
  const { deps } = memoryDeps({}, { clock });
  return { deps, advance: clock.advance, artifacts: deps.artifacts as MemoryArtifactStore };
}

const upload = (result: unknown, provenance = RUN_42, files: ResultUpload["files"] = []): ResultUpload => ({
  result: encode(result),
  resultKind: "auto",
  resultField: "(body)",
  files,
  provenance,
});

describe("ingest", () => {
  it("records a passing run keyed by its GitHub run and attempt, with its files", async () => {
    const { deps, artifacts } = setup();
    const result = await ingest(deps, upload(passing));
    expect(result.kind).toBe("created");
    if (result.kind !== "created") return;
    expect(result.run).toMatchObject({
      id: "42-1",
      state: "passed",
      at: "2026-11-29T03:10:00.000Z",
      sha: RUN_42.sha,
      ref: "main",
      input: "smoke-metrics.json",
      identity: null,
      disagreements: [],
    });
    expect(result.run.report?.source).toEqual({ type: "File", path: "baselines/smoke.json" });
    expect(result.run.artifacts.map((a) => a.name)).toEqual([
      "smoke-metrics.json",
      "chimney-summary.md",
      "chimney-summary.json",
      "chimney-summary.html",
    ]);
    const md = result.run.artifacts.find((a) => a.name === "chimney-summary.md")!;
    expect(new TextDecoder().decode(artifacts.files.get(md.sha256)!.bytes)).toBe(mdPassing);
    expect((await deps.runs.status())?.latest?.id).toBe("42-1");
  });

  it("re-evaluates against its own baseline and records where the runner disagreed", async () => {
    const { deps } = setup();
    const result = await ingest(deps, upload(disagree));
    if (result.kind !== "created") throw new Error(result.kind);
    expect(result.run.state).toBe("regressed");
    expect(result.run.runner_report?.throughput_ops_per_sec.within_range).toBe(true);
    expect(result.run.report?.throughput_ops_per_sec.within_range).toBe(false);
    expect(result.run.disagreements.map((d) => [d.metric, d.fields])).toEqual([
      ["throughput_ops_per_sec", ["lower", "upper", "within_range"]],
      ["per_batch_p95_ms", ["upper"]],
      ["total_duration_ms", ["lower", "upper", "within_range"]],
    ]);
  });

  it("never trusts the runner's within_range flags", async () => {
    const { deps } = setup();
    const lying = structuredClone(regressed);
    for (const key of ["throughput_ops_per_sec", "total_duration_ms", "per_batch_p95_ms"] as const)
      lying.baseline[key].within_range = true;
    const result = await ingest(deps, upload(lying));
    if (result.kind !== "created") throw new Error(result.kind);
    expect(result.run.state).toBe("regressed");
    expect(result.run.disagreements.map((d) => d.metric)).toEqual([
      "throughput_ops_per_sec",
      "per_batch_p95_ms",
      "total_duration_ms",
    ]);
  });

  it("is idempotent: the same run again changes nothing", async () => {
    const { deps, advance } = setup();
    const first = await ingest(deps, upload(passing));
    advance(60_000);
    const again = await ingest(deps, upload(passing));
    expect(again.kind).toBe("unchanged");
    if (first.kind !== "created" || again.kind !== "unchanged") return;
    expect(again.run).toEqual(first.run);
    expect((await deps.runs.history(10, null)).runs).toHaveLength(1);
  });

  it("treats smoke-summary.json of the same run as the same result, adding only its file", async () => {
    const { deps } = setup();
    await ingest(deps, upload(passing));
    const summary = await ingest(deps, upload(summaryPassing));
    expect(summary.kind).toBe("updated");
    if (summary.kind !== "updated") return;
    expect(summary.run.input).toBe("smoke-metrics.json");
    expect(summary.run.artifacts.map((a) => a.name)).toContain("smoke-summary.json");
  });

  it("refuses a different result for a recorded run and keeps the first", async () => {
    const { deps } = setup();
    const first = await ingest(deps, upload(passing));
    const second = await ingest(deps, upload(regressed));
    expect(second.kind).toBe("conflict");
    expect(await deps.runs.run("42-1")).toEqual(first.kind === "created" ? first.run : null);
  });

  it("gives uploads without a run id a sortable id, and the same one on a retry", async () => {
    const { deps, advance } = setup();
    const first = await ingest(deps, upload(passing, NO_PROVENANCE));
    advance(5_000);
    const retry = await ingest(deps, upload(passing, NO_PROVENANCE));
    advance(86_400_000);
    const nextNight = await ingest(deps, upload(regressed, NO_PROVENANCE));
    if (first.kind !== "created" || retry.kind !== "unchanged" || nextNight.kind !== "created") {
      throw new Error([first.kind, retry.kind, nextNight.kind].join());
    }
    expect(first.run.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(retry.run.id).toBe(first.run.id);
    expect(nextNight.run.id > first.run.id).toBe(true);
    expect((await deps.runs.history(10, null)).runs.map((e) => e.id)).toEqual([nextNight.run.id, first.run.id]);
  });

  it("stores nothing when the input is invalid", async () => {
    const { deps, artifacts } = setup();
    const malformed = await ingest(deps, upload("{not json"));
    const invalid = await ingest(deps, upload({ ...passing, total_operations: 7 }));
    const badLog = await ingest(
      deps,
      upload(passing, RUN_42, [{ name: "smoke-benchmark.log", bytes: new Uint8Array([0xff, 0xfe]), field: "log" }]),
    );
    expect([malformed.kind, invalid.kind, badLog.kind]).toEqual(["malformed", "invalid", "invalid"]);
    expect(badLog.kind === "invalid" && badLog.issues[0]).toEqual({ field: "log", message: "is not UTF-8 text" });
    expect(artifacts.files.size).toBe(0);
    expect(await deps.runs.status()).toBe(null);
  });

  it.each([
    ["a name of chimney's own", "chimney-summary.html"],
    ["the result's name", "smoke-metrics.json"],
  ])("refuses a file under %s, storing nothing: a run keeps one file per name", async (_, name) => {
    const { deps, artifacts } = setup();
    const forged = { name, bytes: encode("<p>forged</p>"), field: name };
    const result = await ingest(deps, upload(passing, RUN_42, [forged]));
    expect(result).toEqual({
      kind: "invalid",
      issues: [{ field: name, message: `would be a second file named ${name}` }],
    });
    expect(artifacts.files.size).toBe(0);
    expect(await deps.runs.status()).toBe(null);
  });

  it("checks a log of many megabytes as UTF-8 piece by piece, characters split across the pieces included", async () => {
    const { deps } = setup();
    const size = (1 << 20) * 3;
    const log = new Uint8Array(size).fill(0x61);
    log.set([0xe2, 0x82, 0xac], (1 << 20) - 1); // "€" across the first megabyte's edge
    const good = await ingest(
      deps,
      upload(passing, RUN_42, [{ name: "smoke-benchmark.log", bytes: log, field: "log" }]),
    );
    expect(good.kind).toBe("created");
    const broken = log.slice();
    broken[size - 1] = 0xe2; // a character cut off at the very end
    const bad = await ingest(
      deps,
      upload(passing, { ...RUN_42, github: { run_id: 43, run_attempt: 1, html_url: null } }, [
        { name: "smoke-benchmark.log", bytes: broken, field: "log" },
      ]),
    );
    expect(bad.kind === "invalid" && bad.issues[0]).toEqual({ field: "log", message: "is not UTF-8 text" });
  });

  it("names fields inside a multipart part", async () => {
    const { deps } = setup();
    const result = await ingest(deps, {
      ...upload({ ...passing, batches: -1 }),
      resultKind: "metrics",
      resultField: "metrics",
    });
    expect(result.kind === "invalid" && result.issues[0].field).toBe("metrics.batches");
  });
});
