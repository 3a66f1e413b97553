/** `chimney submit`: a runner's result, uploaded to chimney's POST /api/results. */
import { basename } from "node:path";
import { parseSmokeMetrics } from "../../core/metrics.ts";
import { parseProvenance } from "../../core/provenance.ts";
import { orFail, options, readBytes, readJsonFile, UsageError } from "../io.ts";

export const help = `Usage: chimney submit --url URL [--token TOKEN] [--metrics smoke-metrics.json]
                      [--log smoke-benchmark.log] [--summary smoke-summary.md]...
                      [--run-id ID --run-attempt N --sha SHA --ref REF]

Uploads the metrics (checked here first), the log and any summaries to URL/api/results with
Authorization: Bearer TOKEN (--token, else $PERF_DASHBOARD_TOKEN). Network errors, 5xx and
429 answers are retried with backoff, 5 attempts in all. Prints the run's URL. Exits 1 when
chimney refuses the result (its reason is printed), 2 on a usage error.
In GitHub Actions: --run-id "$GITHUB_RUN_ID" --run-attempt "$GITHUB_RUN_ATTEMPT" --sha "$GITHUB_SHA".`;

const ATTEMPTS = 5;

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
  if (!values.url || !/^https?:\/\/[^/]+/.test(values.url)) throw new UsageError("--url must be chimney's address, such as https://perf.example.org");
  const token = values.token ?? process.env.PERF_DASHBOARD_TOKEN;
  if (!token) throw new UsageError("no token: pass --token or set PERF_DASHBOARD_TOKEN");
  const fields = { run_id: values["run-id"], run_attempt: values["run-attempt"], sha: values.sha, ref: values.ref };
  orFail("arguments", parseProvenance(fields));
  await readJsonFile(values.metrics!, parseSmokeMetrics);

  const form = new FormData();
  form.append("metrics", new File([await readBytes(values.metrics!)], "smoke-metrics.json", { type: "application/json" }));
  if (values.log) form.append("log", new File([await readBytes(values.log)], "smoke-benchmark.log", { type: "text/plain" }));
  for (const path of values.summary ?? []) form.append("summary", new File([await readBytes(path)], basename(path)));
  const query = new URLSearchParams(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined));
  const target = `${values.url.replace(/\/+$/, "")}/api/results${query.size > 0 ? `?${query}` : ""}`;

  for (let attempt = 1; ; attempt++) {
    let res: Response | null = null;
    let reason: string;
    try {
      res = await fetch(target, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form, signal: AbortSignal.timeout(60_000) });
      reason = `HTTP ${res.status}`;
    } catch (error) {
      reason = (error as Error).name === "TimeoutError" ? "timed out" : `network error (${(error as Error).message})`;
    }
    if (res && res.status < 400) {
      const body = (await res.json()) as { outcome: string; run: { id: string; state: string; links: { self: string } } };
      console.log(`${body.outcome === "created" ? "created" : "already stored:"} run ${body.run.id} (${body.run.state}): ${body.run.links.self}`);
      return 0;
    }
    const transient = !res || res.status >= 500 || res.status === 429;
    if (res && !transient) {
      const problem = (await res.json().catch(() => null)) as { detail?: string } | null;
      console.error(`chimney: ${target.split("?")[0]} refused the result (${res.status}): ${problem?.detail ?? "no reason given"}`);
      return 1;
    }
    if (attempt >= ATTEMPTS) {
      console.error(`chimney: ${target.split("?")[0]}: gave up after ${ATTEMPTS} attempts (last: ${reason})`);
      return 1;
    }
    const retryAfter = Number(res?.headers.get("retry-after"));
    const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 60) * 1000 : 1000 * 2 ** (attempt - 1);
    console.error(`chimney: ${reason}; trying again in ${wait / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
