/**
 * The `chimney` command for runners and maintainers (Node ≥ 20 and Deno), built on src/core.
 */
import { readFile } from "node:fs/promises";
import { baseline, help as baselineHelp } from "./commands/baseline.ts";
import { check, help as checkHelp } from "./commands/check.ts";
import { dashboards, help as dashboardsHelp } from "./commands/dashboards.ts";
import { detect, help as detectHelp } from "./commands/detect.ts";
import { dispatch, help as dispatchHelp } from "./commands/dispatch.ts";
import { help as importHelp, importHistory } from "./commands/import.ts";
import { help as submitHelp, submit } from "./commands/submit.ts";
import { help as summarizeHelp, summarize } from "./commands/summarize.ts";
import { UsageError } from "./io.ts";

/** chimney's version, as package.json declares it (read here so there is one place to bump it). */
async function version(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

const HELP = `chimney — Firewood's performance smoke benchmark, checked, summarized and sent

Usage: chimney <command> [options]
       chimney --version

Commands:
  summarize          write smoke-summary.md, .json and .html exactly as Firewood's summarizer does
  check              evaluate smoke-metrics.json against a baseline
  submit             upload a result to chimney
  dispatch           start a benchmark run through chimney (a branch, or a pull request's head)
  baseline suggest   propose baseline bounds from recent runs
  baseline validate  check a baseline file
  import             send history kept before chimney (github-action-benchmark data, results)
  detect             print the change points of a series, as Apache Otava finds them
  dashboards verify  check the dashboard exports and manifest against Grafana
  dashboards write   refresh the dashboard exports and manifest from Grafana

Run chimney <command> --help for its options.`;

const COMMANDS: Record<string, { help: string; run: (args: string[]) => Promise<number> }> = {
  summarize: { help: summarizeHelp, run: summarize },
  check: { help: checkHelp, run: check },
  submit: { help: submitHelp, run: submit },
  dispatch: { help: dispatchHelp, run: dispatch },
  baseline: { help: baselineHelp, run: baseline },
  dashboards: { help: dashboardsHelp, run: dashboards },
  import: { help: importHelp, run: importHistory },
  detect: { help: detectHelp, run: detect },
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    console.log(HELP);
    return command ? 0 : 2;
  }
  if (command === "--version" || command === "-V") {
    console.log(`chimney ${await version()}`);
    return 0;
  }
  const entry = COMMANDS[command];
  if (!entry) throw new UsageError(`unknown command ${JSON.stringify(command)}; run chimney --help`);
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(entry.help);
    return 0;
  }
  return entry.run(rest);
}

/** Runs a command; a user error becomes one line on stderr and exit code 2. */
export async function run(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`chimney: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
