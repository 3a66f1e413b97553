/** Hostile artifacts, through the whole loop: the emulator serves them as GitHub would. */
import { zipSync } from "fflate";
import { beforeEach, describe, expect, it } from "vitest";
import passing from "../fixtures/smoke-metrics.json";
import { lie } from "../support/zip.ts";
import { harness, NIGHTLY, resetStorage } from "./harness.ts";

const text = (s: string) => new TextEncoder().encode(s);

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
});
