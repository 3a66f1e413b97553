/** `chimney import`: history kept before chimney, sent to a deployment's POST /api/import. */
import { ImportAnswerSchema } from "../../core/api.ts";
import { callChimney, chimneyUrl, readAnswer, unexpected } from "../chimney-api.ts";
import { options, readBytes, UsageError } from "../io.ts";

export const help = `Usage: chimney import --url URL [--token TOKEN] FILE

Imports history into the chimney at URL (POST URL/api/import, Authorization: Bearer TOKEN from
--token or $ADMIN_TOKEN). FILE is either
  - github-action-benchmark data: its data.js (window.BENCHMARK_DATA = {...}) or that JSON, such
    as Firewood's bench/data.js on its benchmark-data branch; every bench becomes a series,
    charted and searched for change points; or
  - a JSON array of smoke results: [{"at": "2026-11-01T03:00:00Z", "sha": "…", "ref": "main",
    "result": <smoke-metrics.json or smoke-summary.json>}, …]; each becomes a run.
Nothing is alerted on, and importing the same file twice changes nothing. Prints what was added.
Exits 1 when chimney refuses the file (its reason is printed), 2 on a usage error.`;

export async function importHistory(args: string[]): Promise<number> {
  const { values, positionals } = options(args, { url: { type: "string" }, token: { type: "string" } }, true);
  const target = chimneyUrl(values.url, "/api/import");
  if (!target) throw new UsageError("--url must be chimney's address, such as https://perf.example.org");
  if (positionals.length !== 1) throw new UsageError("name one FILE to import");
  const token = values.token ?? process.env.ADMIN_TOKEN;
  if (!token) throw new UsageError("no token: pass --token or set ADMIN_TOKEN");
  const body = await readBytes(positionals[0]);

  const answer = await callChimney(
    target,
    () => ({ method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body }),
    300_000,
  );
  if (answer.kind === "refused") {
    console.error(`chimney: ${target} refused ${positionals[0]} (${answer.status}): ${answer.detail}`);
    return 1;
  }
  if (answer.kind === "gave_up") {
    console.error(`chimney: ${target}: ${answer.reason}`);
    return 1;
  }
  const read = await readAnswer(answer.res, ImportAnswerSchema);
  if (!read.ok) {
    console.error(unexpected(target, read));
    return 1;
  }
  const result = read.value;
  if (result.format === "github-action-benchmark") {
    for (const s of result.series) {
      const conflicts = s.conflicts > 0 ? `, ${s.conflicts} differing from the kept value (kept)` : "";
      console.log(
        `${s.name} (${s.unit}): ${s.added} new of ${s.points} points${conflicts}; ${s.change_points} change points`,
      );
    }
  } else {
    console.log(
      `${result.runs.created} runs added, ${result.runs.unchanged} already there; ${result.analysis.changes.length} change points in ${result.analysis.runs} runs`,
    );
    for (const c of result.runs.conflicts) console.log(`${c.field}: ${c.reason}`);
  }
  return 0;
}
