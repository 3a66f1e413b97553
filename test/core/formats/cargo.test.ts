import { describe, expect, it } from "vitest";
import type { Bench } from "../../../src/core/formats/bench.ts";
import { parseCargo } from "../../../src/core/formats/cargo.ts";
import criterion from "../../fixtures/formats/cargo-criterion-output.txt?raw";
import firewood from "../../fixtures/formats/cargo-firewood.txt?raw";
import libtest from "../../fixtures/formats/cargo-output.txt?raw";

const bench = (name: string, value: number, deviation: string, extra: string | null = null): Bench => ({
  name,
  unit: "ns/iter",
  value,
  bigger_is_better: false,
  range: `± ${deviation}`,
  extra,
});

const benchesOf = (input: string) => {
  const parsed = parseCargo(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
};

const issuesOf = (input: string) => {
  const parsed = parseCargo(input);
  if (parsed.ok) throw new Error("expected the output to be refused");
  return parsed.issues;
};

describe("libtest / Criterion bencher output", () => {
  it("reads Firewood's Criterion benches: thousands separators, the deviation as the range", () => {
    expect(benchesOf(firewood)).toEqual([
      bench("Merkle/insert", 2913, "41"),
      bench("Db/commit", 187402, "9118"),
      bench("insert/1000", 1204377, "18450"),
      bench("hash", 418, "3"),
      bench("deferred_persistence/commit_count_100", 24118903, "1021337"),
    ]);
  });

  it("reads libtest's own output", () => {
    expect(benchesOf(libtest)).toEqual([bench("bench_fib_10", 135, "24"), bench("bench_fib_20", 18149, "755")]);
  });

  it("reads names with spaces and parentheses, between Criterion's warnings", () => {
    expect(benchesOf(criterion)).toEqual([
      bench("Create Realm", 329, "4"),
      bench("Symbols (Execution)", 3268, "47"),
      bench("For loop (Execution)", 12314, "123"),
      bench("Fibonacci (Execution)", 1672496, "10166"),
    ]);
  });

  it("reads padded names, fractional nanoseconds, other units and libtest's MB/s", () => {
    const doc = [
      "test bench_engine_new          ... bench:     211,834 ns/iter (+/- 70,126)",
      "test bench_fib_20 ... bench:      18,794.12 ns/iter (+/- 440.25)",
      "test cmov ... bench:        2835 cycles/iter (+/- 14)",
      "test parse_block ... bench:       1,234 ns/iter (+/- 56) = 829 MB/s",
      "test tests::unit_test ... ok",
      "test result: ok. 0 passed; 0 failed; 0 ignored; 4 measured; 0 filtered out",
    ].join("\r\n");
    expect(benchesOf(doc)).toEqual([
      bench("bench_engine_new", 211834, "70126"),
      bench("bench_fib_20", 18794.12, "440.25"),
      { ...bench("cmov", 2835, "14"), unit: "cycles/iter" },
      bench("parse_block", 1234, "56", "829 MB/s"),
    ]);
  });

  it("refuses a line that starts like a bench result but is not one, naming the line", () => {
    const doc = [
      "running 6 tests",
      "test a ... bench:          12 ns/iter (+/- 1)",
      "test b ... bench:          12 ns/iter",
      "test c ... bench:      1,23,4 ns/iter (+/- 1)",
      "test d ... bench:        fast ns/iter (+/- 1)",
      "test e ... bench:          12 ns/iter (+/- lots)",
      "test f ... bench:          12 ns/iter (+/- 1) = many MB/s",
      "test a ... bench:          13 ns/iter (+/- 1)",
    ].join("\n");
    const expected = "is not a result like test <name> ... bench: <value> ns/iter (+/- <deviation>)";
    expect(issuesOf(doc)).toEqual([
      { field: "line 3", message: expected },
      { field: "line 4", message: 'has "1,23,4" where the value goes' },
      { field: "line 5", message: 'has "fast" where the value goes' },
      { field: "line 6", message: 'has "lots" where the deviation goes' },
      { field: "line 7", message: 'has "many" where the throughput in MB/s goes' },
      { field: "line 8", message: 'gives "a" again (line 2 gave it)' },
    ]);
  });

  it("refuses output without a bench result", () => {
    expect(issuesOf("running 2 tests\ntest a ... ok\ntest b ... ignored\n")).toEqual([
      {
        field: "(body)",
        message: "holds no result: expected lines like test <name> ... bench: <value> ns/iter (+/- <deviation>)",
      },
    ]);
  });
});
