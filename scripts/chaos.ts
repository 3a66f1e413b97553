/**
 * `npm run chaos`: the seeded chaos run (test/worker/chaos.test.ts) over many seeds; prints the
 * totals and keeps them in bench/results.json.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const seeds = Number(process.argv[2] ?? 50);
const run = spawnSync("npx", ["vitest", "run", "--project", "workerd", "test/worker/chaos.test.ts"], {
  env: { ...process.env, CHAOS_SEEDS: String(seeds) },
  encoding: "utf8",
  maxBuffer: 256 * 1024 * 1024,
});
const tallies = [...`${run.stdout}${run.stderr}`.matchAll(/chaos (\{"seed".*\})/g)].map(
  (m) =>
    JSON.parse(m[1]) as {
      nights: number;
      faults: number;
      deliveries_dropped: number;
      deliveries_duplicated: number;
      violations: string[];
    },
);
const chaos = {
  measured_at: new Date().toISOString(),
  seeds_run: tallies.length,
  nights: tallies.reduce((n, t) => n + t.nights, 0),
  faults_injected: tallies.reduce((n, t) => n + t.faults, 0),
  deliveries_dropped: tallies.reduce((n, t) => n + t.deliveries_dropped, 0),
  deliveries_duplicated: tallies.reduce((n, t) => n + t.deliveries_duplicated, 0),
  violations: tallies.flatMap((t) => t.violations),
};
const results = "bench/results.json";
const kept = existsSync(results) ? (JSON.parse(readFileSync(results, "utf8")) as Record<string, unknown>) : {};
writeFileSync(results, `${JSON.stringify({ ...kept, chaos }, null, 2)}\n`);
console.log(
  `chaos: ${chaos.seeds_run} seeds, ${chaos.nights} nights, ${chaos.faults_injected} faults injected, ${chaos.deliveries_dropped} deliveries dropped and ${chaos.deliveries_duplicated} duplicated; ${chaos.violations.length} invariant violations`,
);
for (const v of chaos.violations) console.log(`  ${v}`);
process.exit(run.status === 0 && tallies.length === seeds ? 0 : 1);
