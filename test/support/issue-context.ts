/** A fixed, realistic alert context: the input of the issue body's golden-file test. */
import smokeBaseline from "../../baselines/smoke.json" with { type: "json" };
import { evaluate, type Baseline } from "../../src/core/baseline.ts";
import type { IssueContext } from "../../src/core/issue/run.ts";
import { actualsOf, measure, parseSmokeMetrics } from "../../src/core/metrics.ts";
import { newRun } from "../../src/core/run.ts";
import regressed from "../fixtures/smoke-metrics-regressed.json" with { type: "json" };

export function regressionContext(): IssueContext {
  const parsed = parseSmokeMetrics(regressed);
  if (!parsed.ok) throw new Error("fixture");
  const m = measure(parsed.value);
  const report = evaluate(actualsOf(m), smokeBaseline as Baseline, { type: "File", path: "baselines/smoke.json" });
  const base = "https://perf.firewood.example";
  const run = newRun({
    id: "9000000042-1",
    state: "regressed",
    at: "2026-11-29T03:02:11Z",
    completed_at: "2026-11-29T03:24:40Z",
    mainline: true,
    github: {
      run_id: 9000000042,
      run_attempt: 1,
      html_url: "https://github.com/ava-labs/firewood/actions/runs/9000000042",
    },
    sha: "c0ffee00d15ea5e5b01dfacefeedbeef12345678",
    ref: "main",
    input: "smoke-metrics.json",
    measurements: m,
    report,
    artifacts: ["smoke-metrics.json", "smoke-benchmark.log", "chimney-summary.md"].map((name) => ({
      name,
      content_type: "text/plain",
      size: 1,
      sha256: "0".repeat(64),
    })),
  });
  return {
    kind: "regression",
    repository: "ava-labs/firewood",
    repositoryUrl: "https://github.com/ava-labs/firewood",
    trackedRef: "main",
    run,
    runUrl: `${base}/runs/${run.id}`,
    artifactUrls: run.artifacts.map((a) => ({ name: a.name, url: `${base}/runs/${run.id}/artifacts/${a.name}` })),
    baselineUrl: `${base}/baseline`,
    workflowRunUrl: "https://github.com/ava-labs/firewood/actions/runs/9000000042/attempts/1",
    recent: {
      runs: 7,
      medians: { throughput_ops_per_sec: 10180.5, total_duration_ms: 49.11, per_batch_p95_ms: 11.43 },
    },
    bisect: {
      good: { id: "8999999001-1", sha: "1111111111111111111111111111111111111111", at: "2026-11-28T03:01:54Z" },
      bad_sha: run.sha,
      commits: [
        {
          sha: "2222222222222222222222222222222222222222",
          title: "Switch the trie to a new node layout (#1742)",
          author: "rkuris",
        },
        {
          sha: "3333333333333333333333333333333333333333",
          title: "chore(deps): bump `bytes` from 1.11.0 to 1.11.1 @dependabot <script>",
          author: "dependabot[bot]",
        },
      ],
      total: 2,
    },
    previousIssue: null,
    marker: "chimney:alert=regression:smoke@9000000042-1",
  };
}
