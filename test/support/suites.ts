/** Suite declarations the tests share, as a suite document holds them (see chimney.suites.json). */
import { parseSuites } from "../../src/core/suites.ts";

/** The smoke suite, dispatched at 03:00 UTC as chimney has always done it. */
export const SMOKE_SUITE = {
  name: "smoke",
  workflow: "perf.yml",
  artifacts: ["smoke-benchmark"],
  format: "smoke",
  start: { dispatch: { cron: "0 3 * * *" } },
};

/** Firewood's Rust benches as benchmarks.yaml uploads them: one `bench-output-*` artifact per target. */
export const RUST_SUITE = {
  name: "rust-benches",
  workflow: "benchmarks.yaml",
  artifacts: ["bench-output-*"],
  format: "cargo",
  start: "follow",
};

/** Declarations parsed as chimney reads them, in ava-labs/firewood on main; throws on a bad one. */
export function parsedSuites(...declared: Record<string, unknown>[]) {
  const parsed = parseSuites({ suites: declared }, { GITHUB_REPOSITORY: "ava-labs/firewood", GITHUB_REF: "main" });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
}
