/** `chimney import`: history kept before chimney, sent to a deployment's POST /api/import. */
import type * as v from "valibot";
import { ImportAnswerSchema } from "../../core/api.ts";
import { fileRowDetail, IMPORT_BATCH_ROWS, importBatches } from "../../core/import-batches.ts";
import { answerValue, callChimney, chimneyToken, chimneyUrl } from "../chimney-api.ts";
import { options, readBytes, UsageError } from "../io.ts";

export const help = `Usage: chimney import --url URL [--token TOKEN] [--batch ROWS] FILE

Imports history into the chimney at URL (POST URL/api/import, Authorization: Bearer TOKEN from
--token or $ADMIN_TOKEN). FILE is either
  - github-action-benchmark data: its data.js (window.BENCHMARK_DATA = {...}) or that JSON, such
    as Firewood's bench/data.js on its benchmark-data branch; every bench becomes a series,
    charted and searched for change points; or
  - a JSON array of smoke results: [{"at": "2026-11-01T03:00:00Z", "sha": "…", "ref": "main",
    "result": <smoke-metrics.json or smoke-summary.json>}, …]; each becomes a run.
The rows (results, or commits of data.js) go in batches of ROWS (${IMPORT_BATCH_ROWS} by default),
each kept as it lands; "rows done of total" is printed on stderr after each. Nothing is alerted
on, and importing the same file twice changes nothing: an import stopped by a refused or failed
batch is finished by running it again. Prints what was added. Exits 1 when chimney refuses a
batch or cannot be reached (its reason and the rows kept so far are printed), 2 on a usage error.`;

type ImportAnswer = v.InferOutput<typeof ImportAnswerSchema>;
type Answered = { first: number; answer: ImportAnswer };
type SeriesAnswer = Extract<ImportAnswer, { format: "github-action-benchmark" }>["series"][number];

export async function importHistory(args: string[]): Promise<number> {
  const { values, positionals } = options(
    args,
    { url: { type: "string" }, token: { type: "string" }, batch: { type: "string" } },
    true,
  );
  const target = chimneyUrl(values.url, "/api/import");
  if (positionals.length !== 1) throw new UsageError("name one FILE to import");
  const token = chimneyToken(values.token, "ADMIN_TOKEN");
  const size = values.batch === undefined ? IMPORT_BATCH_ROWS : Number(values.batch);
  if (!Number.isInteger(size) || size < 1 || size > IMPORT_BATCH_ROWS)
    throw new UsageError(`--batch must be a number of rows from 1 to ${IMPORT_BATCH_ROWS}`);
  const file = positionals[0];
  const bytes = await readBytes(file);
  const text = utf8(bytes);
  // A file that is not UTF-8 goes whole: the server says what is wrong with it.
  const plan =
    text === null ? { total: null, batches: [{ first: 0, rows: 0, body: bytes }] } : importBatches(text, size);

  const answers: Answered[] = [];
  let done = 0;
  for (const batch of plan.batches) {
    const answer = await callChimney(
      target,
      () => ({
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: batch.body,
      }),
      300_000,
    );
    // A refusal names the batch's rows: said as the file's.
    const told = answer.kind === "refused" ? { ...answer, detail: fileRowDetail(answer.detail, batch) } : answer;
    const value = await answerValue(told, target, file, ImportAnswerSchema);
    if (!value) {
      if (plan.total !== null && plan.batches.length > 1)
        console.error(
          `chimney: import stopped: ${done} of ${plan.total} rows done; run it again to finish (rows already kept are not added twice)`,
        );
      return 1;
    }
    answers.push({ first: batch.first, answer: value });
    done += batch.rows;
    if (plan.total !== null) console.error(`chimney: import: ${done} of ${plan.total} rows done`);
  }
  for (const line of summary(answers)) console.log(line);
  return 0;
}

function utf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** What the batches added, as one import of the whole file would say it. */
function summary(answers: Answered[]): string[] {
  const series = new Map<string, SeriesAnswer>();
  const runs = { created: 0, unchanged: 0, conflicts: [] as string[] };
  let analysis: { runs: number; changes: number } | null = null;
  for (const { first, answer } of answers) {
    if (answer.format === "github-action-benchmark") {
      for (const s of answer.series) {
        const seen = series.get(s.key);
        // The points and change points are the series' after the batch; what was added adds up.
        series.set(s.key, {
          ...s,
          added: (seen?.added ?? 0) + s.added,
          conflicts: (seen?.conflicts ?? 0) + s.conflicts,
        });
      }
    } else {
      runs.created += answer.runs.created;
      runs.unchanged += answer.runs.unchanged;
      for (const c of answer.runs.conflicts) runs.conflicts.push(`${fileRowDetail(c.field, { first })}: ${c.reason}`);
      analysis = { runs: answer.analysis.runs, changes: answer.analysis.changes.length };
    }
  }
  if (!analysis)
    return [...series.values()].map((s) => {
      const conflicts = s.conflicts > 0 ? `, ${s.conflicts} differing from the kept value (kept)` : "";
      return `${s.name} (${s.unit}): ${s.added} new of ${s.points} points${conflicts}; ${s.change_points} change points`;
    });
  return [
    `${runs.created} runs added, ${runs.unchanged} already there; ${analysis.changes} change points in ${analysis.runs} runs`,
    ...runs.conflicts,
  ];
}
