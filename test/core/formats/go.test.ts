import { describe, expect, it } from "vitest";
import type { Bench } from "../../../src/core/formats/bench.ts";
import { parseGo } from "../../../src/core/formats/go.ts";
import history from "../../fixtures/firewood-bench-history.json";
import features from "../../fixtures/formats/go-features.txt?raw";
import fiber from "../../fixtures/formats/go-fiber-packages.txt?raw";
import output from "../../fixtures/formats/go-output.txt?raw";
import reexecute from "../../fixtures/formats/go-reexecute.txt?raw";

const bench = (name: string, unit: string, value: number, extra: string, bigger = false): Bench => ({
  name: `${name} - ${unit}`,
  unit,
  value,
  bigger_is_better: bigger,
  range: null,
  extra,
});

const benchesOf = (input: string) => {
  const parsed = parseGo(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
};

const issuesOf = (input: string) => {
  const parsed = parseGo(input);
  if (parsed.ok) throw new Error("expected the output to be refused");
  return parsed.issues;
};

const REEXECUTE =
  "BenchmarkReexecuteRange/[33000001,33500000]-Config-firewood-Runner-avago-runner-i4i-2xlarge-local-ssd";

describe("Go testing output", () => {
  it("reads AvalancheGo's C-Chain re-execution: one series per unit, GOMAXPROCS kept as extra", () => {
    const once = "1 times\n8 procs";
    expect(benchesOf(reexecute)).toEqual([
      bench(REEXECUTE, "block_accept_ms/ggas", 54.47, once),
      bench(REEXECUTE, "block_parse_ms/ggas", 82.08, once),
      bench(REEXECUTE, "block_verify_ms/ggas", 5990, once),
      bench(REEXECUTE, "mgas/s", 163.2, once, true),
      bench(REEXECUTE, "ms/ggas", 6129, once),
    ]);
  });

  it("names the series as Firewood's history already does", () => {
    const names = new Set(
      history.entries["C-Chain Reexecution with Firewood"].flatMap((e) => e.benches.map((b) => b.name)),
    );
    for (const { name } of benchesOf(reexecute)) expect(names).toContain(name);
  });

  it("reads github-action-benchmark's Go example: tabs, sub-benchmarks, with and without GOMAXPROCS", () => {
    expect(benchesOf(output)).toEqual([
      bench("BenchmarkFib10", "ns/op", 325, "5000000 times\n8 procs"),
      bench("BenchmarkFib20", "ns/op", 40537.123, "30000 times"),
      bench("BenchmarkFib/my_tabled_benchmark_-_10", "ns/op", 325, "5000000 times\n8 procs"),
      bench("BenchmarkFib/my_tabled_benchmark_-_20", "ns/op", 40537.123, "30000 times"),
      bench("BenchmarkFib/my/tabled/benchmark_-_20", "ns/op", 40537.456, "30001 times"),
      bench("BenchmarkFib/my/tabled/benchmark_-_20,var1=13,var2=14", "ns/op", 40537.456, "30001 times"),
      bench("BenchmarkFib11", "ns/op", 262.7, "4587789 times\n16 procs"),
      bench("BenchmarkFib11", "auxMetricUnits", 3, "4587789 times\n16 procs"),
      bench("BenchmarkFib22", "ns/op", 31915, "37653 times\n16 procs"),
      bench("BenchmarkFib22", "auxMetricUnits", 4, "37653 times\n16 procs"),
    ]);
  });

  it("names a benchmark found in several packages with its package", () => {
    const cache = "github.com/gofiber/fiber/v3/middleware/cache";
    const csrf = "github.com/gofiber/fiber/v3/middleware/csrf";
    const four = (name: string, times: number, ns: number, mbs: number) => {
      const extra = `${times} times\n4 procs`;
      return [
        bench(name, "ns/op", ns, extra),
        bench(name, "MB/s", mbs, extra, true),
        bench(name, "B/op", 0, extra),
        bench(name, "allocs/op", 0, extra),
      ];
    };
    expect(benchesOf(fiber)).toEqual([
      ...four(`BenchmarkAppendMsgitem (${cache})`, 21228057, 55.76, 2833.37),
      ...four(`BenchmarkUnmarshalitem (${cache})`, 6855655, 174, 907.83),
      ...four(`BenchmarkAppendMsgitem (${csrf})`, 1000000000, 0.3733, 2678.46),
      ...four(`BenchmarkUnmarshalitem (${csrf})`, 275056135, 4.36, 229.35),
    ]);
  });

  it("takes the median of repeated runs (-count), keeps GOMAXPROCS in the name only where two ran (-cpu)", () => {
    const runs = (min: number, max: number) => `3 runs (min ${min}, max ${max})\n4 procs`;
    expect(benchesOf(features)).toEqual([
      bench("BenchmarkInsert/1000", "ns/op", 569311, runs(561874, 574020)),
      bench("BenchmarkInsert/1000", "MB/s", 1.76, runs(1.74, 1.78), true),
      bench("BenchmarkInsert/1000", "B/op", 229448, runs(229447, 229449)),
      bench("BenchmarkInsert/1000", "allocs/op", 4012, runs(4012, 4012)),
      bench("BenchmarkHash", "ns/op", 1311, "912344 times"),
      bench("BenchmarkHash", "B/op", 0, "912344 times"),
      bench("BenchmarkHash", "allocs/op", 0, "912344 times"),
      bench("BenchmarkHash-4", "ns/op", 1324, "903117 times\n4 procs"),
      bench("BenchmarkHash-4", "B/op", 0, "903117 times\n4 procs"),
      bench("BenchmarkHash-4", "allocs/op", 0, "903117 times\n4 procs"),
      bench("BenchmarkRange/[1,000,2,000]", "ns/op", 28851, "41536 times\n4 procs"),
      bench("BenchmarkKeys/ключ", "ns/op", 1052, "1000000 times\n4 procs"),
    ]);
  });

  it("reads Windows line endings alike", () => {
    expect(benchesOf(reexecute.replace(/\n/g, "\r\n"))).toEqual(benchesOf(reexecute));
  });

  it("refuses a line that starts like a result but is not one, naming the line", () => {
    const doc = [
      "pkg: example.com/p",
      "BenchmarkA-8   100   12 ns/op",
      "BenchmarkB-8   100   12 ns/op   5",
      "BenchmarkC-8   many   12 ns/op",
      "BenchmarkD-8   100   fast ns/op",
      "BenchmarkE-8   100   NaN ns/op",
      "BenchmarkF-8   100",
      "BenchmarkG-8   100   1 ns/op   2 ns/op",
      'BenchmarkH-8   [08-20|03:02:11.417] INFO vm-executor executing block {"height": 33001000}',
      "BenchmarkI-8   100   1e999 ns/op",
      `Benchmark${"X".repeat(300)}-8   100   1 ns/op`,
      'BenchmarkJ-8   100   {"level":"info","msg":"executing-block","height":33001000} ns/op',
      "Benchmarking is not a result line",
      "ok  \texample.com/p\t1.2s",
    ].join("\n");
    expect(issuesOf(doc)).toEqual([
      { field: "line 3", message: 'has a value without its unit ("5")' },
      { field: "line 4", message: 'has "many" where the iteration count goes' },
      { field: "line 5", message: 'has "fast" where the value in ns/op goes' },
      { field: "line 6", message: 'has "NaN" where the value in ns/op goes' },
      { field: "line 7", message: 'starts like a benchmark result but has no "<value> <unit>" after "100"' },
      { field: "line 8", message: 'gives "ns/op" twice' },
      { field: "line 9", message: 'has "[08-20|03:02:11.417]" where the iteration count goes' },
      { field: "line 10", message: 'has "1e999" where the value in ns/op goes' },
      {
        field: "line 12",
        message: 'has "{\\"level\\":\\"info\\",\\"msg\\":\\"executing-block\\",…" where the value in ns/op goes',
      },
      { field: "line 11", message: "has a name longer than 300 characters" },
    ]);
  });

  it("refuses output without a result", () => {
    expect(issuesOf("goos: linux\nPASS\nok  \texample.com/p\t0.010s\n")).toEqual([
      {
        field: "(body)",
        message: "holds no result: expected lines like BenchmarkName-8  <iterations>  <value> <unit> …",
      },
    ]);
    const failed = "BenchmarkBroken-4   \t--- FAIL: BenchmarkBroken-4\n    x_test.go:8: boom\nFAIL\n";
    expect(issuesOf(failed)).toEqual([
      {
        field: "(body)",
        message: "holds no result: expected lines like BenchmarkName-8  <iterations>  <value> <unit> …",
      },
    ]);
  });

  it("lists at most 20 issues, and says how many more there are", () => {
    const issues = issuesOf(Array.from({ length: 25 }, (_, i) => `BenchmarkA${i}-8 x 1 ns/op`).join("\n"));
    expect(issues).toHaveLength(21);
    expect(issues.at(-1)).toEqual({ field: "(body)", message: "has 5 more problems like these" });
  });
});
