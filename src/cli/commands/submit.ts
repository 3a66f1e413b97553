/** `chimney submit`: a runner's result, uploaded to chimney's POST /api/results. */
import { basename } from "node:path";
import { parseSmokeMetrics } from "../../core/metrics.ts";
import { parseProvenance } from "../../core/provenance.ts";
import { UploadAnswerSchema } from "../../core/api.ts";
import { answerValue, callChimney, chimneyToken, chimneyUrl } from "../chimney-api.ts";
import { orFail, options, readBytes, readJsonFile } from "../io.ts";

export const help = `Usage: chimney submit --url URL [--token TOKEN] [--metrics smoke-metrics.json]
                      [--log smoke-benchmark.log] [--summary smoke-summary.md]...
                      [--run-id ID --run-attempt N --sha SHA --ref REF]

Uploads the metrics (checked here first), the log and any summaries to URL/api/results with
Authorization: Bearer TOKEN (--token, else $PERF_DASHBOARD_TOKEN). Network errors, 5xx and
429 answers are retried with backoff, 5 attempts in all. Prints the run's URL. Exits 1 when
chimney refuses the result (its reason is printed), 2 on a usage error.
In GitHub Actions: --run-id "$GITHUB_RUN_ID" --run-attempt "$GITHUB_RUN_ATTEMPT" --sha "$GITHUB_SHA".`;

export async function submit(args: string[]): Promise<number> {
  const { values } = options(args, {
    url: { type: "string" },
    token: { type: "string" },
    metrics: { type: "string", default: "smoke-metrics.json" },
    log: { type: "string" },
    summary: { type: "string", multiple: true },
    "run-id": { type: "string" },
    "run-attempt": { type: "string" },
    sha: { type: "string" },
    ref: { type: "string" },
  });
  const endpoint = chimneyUrl(values.url, "/api/results");
  const token = chimneyToken(values.token, "PERF_DASHBOARD_TOKEN");
  const fields = { run_id: values["run-id"], run_attempt: values["run-attempt"], sha: values.sha, ref: values.ref };
  orFail("arguments", parseProvenance(fields));
  await readJsonFile(values.metrics!, parseSmokeMetrics);

  const form = new FormData();
  form.append(
    "metrics",
    new File([await readBytes(values.metrics!)], "smoke-metrics.json", { type: "application/json" }),
  );
  if (values.log)
    form.append("log", new File([await readBytes(values.log)], "smoke-benchmark.log", { type: "text/plain" }));
  for (const path of values.summary ?? []) form.append("summary", new File([await readBytes(path)], basename(path)));
  const query = new URLSearchParams(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined));
  const target = `${endpoint}${query.size > 0 ? `?${query}` : ""}`;

  const answer = await callChimney(target, () => ({
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: form,
  }));
  const body = await answerValue(answer, endpoint, "the result", UploadAnswerSchema);
  if (!body) return 1;
  // Without PUBLIC_URL chimney links by path: the address the run was sent to completes it.
  const runUrl = new URL(body.run.links.self, endpoint).href;
  console.log(
    `${body.outcome === "created" ? "created" : "already stored:"} run ${body.run.id} (${body.run.state}): ${runUrl}`,
  );
  return 0;
}
