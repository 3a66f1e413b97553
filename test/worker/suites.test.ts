/** The suites chimney watches, as the Worker reads them from CHIMNEY_SUITES and reports them in /status. */
import { beforeEach, describe, expect, it } from "vitest";
import shipped from "../../chimney.suites.json";
import passing from "../fixtures/smoke-metrics.json";
import { TEST_BINDINGS } from "../bindings.ts";
import { harness, resetStorage } from "./harness.ts";

interface Status {
  state: string;
  suites: { name: string; state: string; reason: string }[];
  overall: { state: string; reason: string };
  config_problems: { name: string; problem: string }[];
}

async function status(h: ReturnType<typeof harness>): Promise<Status> {
  return (await (await h.request("/status")).json()) as Status;
}

const NO_RESULT = { state: "unknown", reason: "no run has been recorded yet" };
const SMOKE_AS_TODAY = {
  name: "smoke",
  repository: "HUBId/chain",
  workflow: "perf.yml",
  start: { dispatch: { cron: "0 3 * * *" } },
  format: "smoke",
  ...NO_RESULT,
};

describe("suites, through the Worker", () => {
  beforeEach(() => resetStorage());

  it("lists the smoke suite wrangler.toml's variables describe when CHIMNEY_SUITES is unset", async () => {
    const doc = await status(harness());
    expect(doc.suites).toEqual([SMOKE_AS_TODAY]);
    expect(doc.config_problems.map((p) => p.name)).not.toContain("CHIMNEY_SUITES");
  });

  it("lists the suites of CHIMNEY_SUITES, and nothing else of them", async () => {
    const doc = await status(harness(undefined, { CHIMNEY_SUITES: JSON.stringify(shipped) }));
    expect(doc.suites).toEqual([
      { ...SMOKE_AS_TODAY, repository: "HUBId/chain" },
      {
        name: "pruning",
        repository: "HUBId/chain",
        workflow: "perf.yml",
        start: "follow",
        format: "pruning",
        state: "unknown",
        reason: "no result of pruning has been recorded yet",
        // Judged by its baseline file: no band verdict before its first result.
        bands: null,
      },
    ]);
    expect(doc.config_problems.map((p) => p.name)).not.toContain("CHIMNEY_SUITES");
  });

  it("reports a broken CHIMNEY_SUITES as a config problem naming the fields, logs why, and watches the default suite", async () => {
    const broken = { suites: [{ ...shipped.suites[0], workflow: "perf.json", alerts: { severity: "high" } }] };
    const h = harness(undefined, { CHIMNEY_SUITES: JSON.stringify(broken) });
    const doc = await status(h);
    expect(doc.suites).toEqual([SMOKE_AS_TODAY]);
    expect(doc.config_problems).toContainEqual({
      name: "CHIMNEY_SUITES",
      problem: "malformed at suites[0].workflow, suites[0].alerts.severity: watching the default suite (smoke) instead",
    });
    const logged = h.logs.map((line) => JSON.parse(line)).find((entry) => entry.event === "config_invalid");
    expect(logged).toMatchObject({
      name: "CHIMNEY_SUITES",
      issues: [
        { field: "suites[0].workflow", message: "must be a workflow file name such as perf.yml or benchmarks.yaml" },
        {
          field: "suites[0].alerts.severity",
          message: "is not a field of alerts (change_points, confirm, labels)",
        },
      ],
    });
  });

  it("leaves the nightly loop as it was: the variables still say what is dispatched and read", async () => {
    const h = harness(undefined, { CHIMNEY_SUITES: JSON.stringify(shipped) });
    const run = await h.night(passing);
    expect(run.workflow).toBe("perf.yml");
    expect(await h.runRecord(`${run.id}-1`)).toMatchObject({ state: "passed" });
  });

  describe("each suite's state", () => {
    const RUST = {
      name: "rust-benches",
      repository: "ava-labs/firewood",
      workflow: "benchmarks.yaml",
      artifacts: ["bench-output-*"],
      format: "cargo",
      start: "follow",
    };
    const suites = JSON.stringify({ suites: [shipped.suites[0], RUST] });
    const ADMIN = { authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "content-type": "application/json" };
    const history = {
      repoUrl: "https://github.com/ava-labs/firewood",
      entries: {
        "rust-benches": [
          {
            commit: { id: "a".repeat(40), message: "m", timestamp: "2026-11-20T00:00:00Z" },
            date: Date.parse("2026-11-20T03:00:00Z"),
            tool: "cargo",
            benches: [{ name: "insert/1000", value: 1234, unit: "ns/iter" }],
          },
        ],
      },
    };

    it("is in /status beside smoke's, with the worst known as the overall state", async () => {
      const h = harness(undefined, { CHIMNEY_SUITES: suites });
      await h.night(passing);
      let doc = await status(h);
      expect(doc.suites.map((s) => [s.name, s.state])).toEqual([
        ["smoke", "passing"],
        ["rust-benches", "unknown"],
      ]);
      expect(doc.overall).toEqual({ state: "passing", reason: "smoke: passing" });
      const imported = await h.request("/api/import", {
        method: "POST",
        headers: ADMIN,
        body: JSON.stringify(history),
      });
      expect(imported.status).toBe(200);
      doc = await status(h);
      expect(doc.suites[1]).toMatchObject({
        state: "passing",
        reason: "1 series, the newest result from 2026-11-20",
      });
      // The top-level state stays smoke's, as before suites.
      expect(doc.state).toBe("passing");
    });

    it("has a badge per suite, and /badge of a suite not watched is a 404 naming suite", async () => {
      const h = harness(undefined, { CHIMNEY_SUITES: suites });
      expect(await (await h.request("/badge?suite=rust-benches")).json()).toEqual({
        schemaVersion: 1,
        label: "firewood rust-benches",
        message: "unknown",
        color: "lightgrey",
      });
      expect(((await (await h.request("/badge?suite=smoke")).json()) as { label: string }).label).toBe(
        "firewood smoke",
      );
      const missing = await h.request("/badge?suite=nope");
      expect(missing.status).toBe(404);
      expect(missing.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(((await missing.json()) as { detail: string }).detail).toMatch(/^suite: /);
    });
  });
});
