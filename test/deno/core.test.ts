/** The core on Deno's runtime: the summaries stay byte for byte Firewood's. */
import assert from "node:assert/strict";
import { measure, parseSmokeMetrics } from "../../src/core/metrics.ts";
import { smokeSummary, summaryHtml, summaryJson, summaryMarkdown } from "../../src/core/summary.ts";

const read = (path: string) => Deno.readTextFile(new URL(`../fixtures/${path}`, import.meta.url));

for (const suffix of ["", "-regressed", "-no-report", "-disagree"]) {
  Deno.test(`smoke-summary${suffix} is Firewood's, byte for byte`, async () => {
    const parsed = parseSmokeMetrics(JSON.parse(await read(`smoke-metrics${suffix}.json`)));
    assert.ok(parsed.ok);
    const summary = smokeSummary(measure(parsed.value), parsed.value.baseline);
    assert.equal(summaryMarkdown(summary), await read(`golden/smoke-summary${suffix}.md`));
    assert.equal(summaryJson(summary), await read(`golden/smoke-summary${suffix}.json`));
    assert.equal(summaryHtml(summary), await read(`golden/smoke-summary${suffix}.html`));
  });
}
