/** The suites chimney watches, as the Worker reads them from CHIMNEY_SUITES and reports them in /status. */
import { beforeEach, describe, expect, it } from "vitest";
import shipped from "../../chimney.suites.json";
import passing from "../fixtures/smoke-metrics.json";
import { harness, resetStorage } from "./harness.ts";

interface Status {
  suites: unknown[];
  config_problems: { name: string; problem: string }[];
}

async function status(h: ReturnType<typeof harness>): Promise<Status> {
  return (await (await h.request("/status")).json()) as Status;
}

const SMOKE_AS_TODAY = {
  name: "smoke",
  repository: "ava-labs/firewood",
  workflow: "perf.yml",
  start: { dispatch: { cron: "0 3 * * *" } },
  format: "smoke",
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
      { name: "pruning", repository: "HUBId/chain", workflow: "perf.yml", start: "follow", format: "pruning" },
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
});
