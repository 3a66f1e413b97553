/** `chimney dispatch`: a benchmark run started through chimney's POST /api/dispatch. */
import { DispatchAnswerSchema } from "../../core/api.ts";
import { answerValue, callChimney, chimneyToken, chimneyUrl } from "../chimney-api.ts";
import { options, UsageError } from "../io.ts";

export const help = `Usage: chimney dispatch --url URL [--token TOKEN] [--ref REF] [--pr N] [--suite S]

Asks the chimney at URL to run the benchmark workflow now (POST URL/api/dispatch, Authorization:
Bearer TOKEN from --token or $ADMIN_TOKEN): on REF (the tracked branch by default); with --pr N,
on the pull request's head commit, and the run is that pull request's (chimney comments its
result there). With --suite S, the workflow of the configured suite S, on its branch, as its
cron dispatches it (a suite other than smoke takes no --pr, and no --ref but its branch).
Prints the run's URL once GitHub has made it. Exits 1 when chimney refuses (its reason is
printed), 2 on a usage error.`;

export async function dispatch(args: string[]): Promise<number> {
  const { values } = options(args, {
    url: { type: "string" },
    token: { type: "string" },
    ref: { type: "string" },
    pr: { type: "string" },
    suite: { type: "string" },
  });
  const target = chimneyUrl(values.url, "/api/dispatch");
  const token = chimneyToken(values.token, "ADMIN_TOKEN");
  if (values.pr !== undefined && !/^[1-9]\d{0,15}$/.test(values.pr))
    throw new UsageError("--pr must be a pull request's number");
  const body: Record<string, unknown> = {};
  if (values.ref !== undefined) body.ref = values.ref;
  if (values.pr !== undefined) body.pr_number = Number(values.pr);
  if (values.suite !== undefined) body.suite = values.suite;

  const answer = await callChimney(target, () => ({
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  }));
  const d = await answerValue(answer, target, "the dispatch", DispatchAnswerSchema);
  if (!d) return 1;
  const pr = d.pr_number === null ? "" : ` for pull request #${d.pr_number}`;
  const suite = d.suite === null ? "" : ` (suite ${d.suite})`;
  // Without PUBLIC_URL chimney answers a path: it is the address the command was given.
  const runUrl = d.run_url ? `: ${new URL(d.run_url, values.url).toString()}` : "";
  console.log(`${d.state} ${d.correlation_id}${suite} on ${d.ref}${pr}${runUrl}`);
  return d.state === "failed" ? 1 : 0;
}
