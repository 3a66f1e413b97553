/** Runs the chimney command with this process's arguments (Node via bin/chimney.js, or Deno directly). */
import process from "node:process";
import { run } from "./main.ts";

process.exitCode = await run(process.argv.slice(2));
