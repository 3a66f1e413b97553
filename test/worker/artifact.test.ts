/** Hostile artifacts, through the whole loop: the emulator serves them as GitHub would. */
import { zipSync } from "fflate";
import { beforeEach, describe, expect, it } from "vitest";
import passing from "../fixtures/smoke-metrics.json";
import { lie } from "../support/zip.ts";
import { harness, NIGHTLY, resetStorage } from "./harness.ts";
import { call, upload } from "./helpers.ts";

const text = (s: string) => new TextEncoder().encode(s);
const FORGED = "<!doctype html><p>forged: all is well</p>";

beforeEach(() => resetStorage());

async function completedNight(artifact: { files?: Record<string, string>; zip?: Uint8Array }) {
  const h = harness();
  await h.cron(NIGHTLY);
  const [run] = h.github.runs.values();
  h.github.complete(run.id, { conclusion: "success", ...artifact });
  expect((await h.deliver(run, "completed")).status).toBe(202);
  return { h, record: await h.runRecord(`${run.id}-1`), id: `${run.id}-1` };
}

describe("a hostile artifact", () => {
  it("whose log lies about its size is refused, naming the entry, not kept cut short", async () => {
    const zip = zipSync({
      "smoke-metrics.json": text(JSON.stringify(passing)),
      "smoke-benchmark.log": new Uint8Array(8 * 1024 * 1024),
    });
    const { record } = await completedNight({ zip: lie(zip, "smoke-benchmark.log", { size: 1000 }) });
    expect(record).toMatchObject({
      state: "crashed",
      artifacts: [],
      failure: {
        reason:
          'the smoke-benchmark artifact was refused: entry "smoke-benchmark.log" inflates past the 1000 bytes it declares',
      },
    });
  });

  it("holding chimney-summary.html cannot pass it off as chimney's summary", async () => {
    const { h, record, id } = await completedNight({
      files: { "smoke-metrics.json": JSON.stringify(passing), "chimney-summary.html": FORGED },
    });
    expect(record?.state).toBe("passed");
    const names = record!.artifacts.map((a: { name: string }) => a.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain("chimney-summary.html");
    const summary = await (await h.request(`/runs/${id}/artifacts/chimney-summary.html`)).text();
    expect(summary).not.toContain("forged");
    expect(summary).toContain("Firewood smoke benchmark");
    expect(await (await h.request(`/runs/${id}/artifacts/runner-chimney-summary.html`)).text()).toBe(FORGED);
  });

  it("without a result, still cannot give the crashed run a chimney-summary.html", async () => {
    const { h, record, id } = await completedNight({ files: { "chimney-summary.html": FORGED } });
    expect(record?.state).toBe("crashed");
    expect(record!.artifacts.map((a: { name: string }) => a.name)).toEqual(["runner-chimney-summary.html"]);
    expect((await h.request(`/runs/${id}/artifacts/chimney-summary.html`)).status).toBe(404);
  });
});

describe("a multipart upload", () => {
  it("whose summary part is called chimney-summary.html keeps it as the runner's summary", async () => {
    const form = new FormData();
    form.append("metrics", new File([JSON.stringify(passing)], "smoke-metrics.json", { type: "application/json" }));
    form.append("summary", new File([FORGED], "chimney-summary.html", { type: "text/html" }));
    form.append("run_id", "7100");
    expect((await upload(form)).status).toBe(201);
    const run = (await (await call("/runs/7100-1")).json()) as { artifacts: { name: string }[] };
    const names = run.artifacts.map((a) => a.name);
    expect(names.sort()).toEqual([
      "chimney-summary.html",
      "chimney-summary.json",
      "chimney-summary.md",
      "smoke-metrics.json",
      "smoke-summary.html",
    ]);
    expect(await (await call("/runs/7100-1/artifacts/smoke-summary.html")).text()).toBe(FORGED);
    expect(await (await call("/runs/7100-1/artifacts/chimney-summary.html")).text()).not.toContain("forged");
  });
});
