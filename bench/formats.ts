/**
 * The result formats of the suites (core/formats): each parser over a 2 000-bench document,
 * as a ratio to the floor of the same bytes split into lines (text formats) or `JSON.parse`d
 * (JSON formats), measured in the same run.
 */
import { parseResults, type Format } from "../src/core/formats/index.ts";
import { cpuMicros, round3 } from "./common.ts";

const BENCHES = 2_000;

const names = Array.from({ length: BENCHES }, (_, i) => `group_${i % 40}/bench_${i}`);
const DOCUMENTS: Record<string, { format: Format; text: string; floor: (text: string) => unknown }> = {
  cargo: {
    format: "cargo",
    text: names
      .map((n, i) => `test ${n} ... bench:   ${(1_000 + i).toLocaleString("en-US")} ns/iter (+/- 12)`)
      .join("\n"),
    floor: (text) => text.split("\n"),
  },
  go: {
    format: "go",
    text: [
      "goos: linux",
      "goarch: amd64",
      "pkg: github.com/ava-labs/avalanchego/tests/reexecute/c",
      // Two series a line (ns/op and mgas/s): half the lines make the 2 000.
      ...names
        .slice(0, BENCHES / 2)
        .map(
          (n, i) => `BenchmarkG${n.replace("/", "_")}-8   \t     100\t  ${1_000 + i} ns/op\t  ${90 + (i % 7)}.5 mgas/s`,
        ),
      "PASS",
      "ok  \tgithub.com/ava-labs/avalanchego/tests/reexecute/c\t12.3s",
    ].join("\n"),
    floor: (text) => text.split("\n"),
  },
  custom: {
    format: "customBiggerIsBetter",
    text: JSON.stringify(names.map((n, i) => ({ name: n, unit: "mgas/s", value: 90 + i / 100 }))),
    floor: (text) => JSON.parse(text),
  },
  bmf: {
    format: "bmf",
    text: JSON.stringify(Object.fromEntries(names.map((n, i) => [n, { latency: { value: 1_000 + i } }]))),
    floor: (text) => JSON.parse(text),
  },
};

export function formatsCpu() {
  return Object.fromEntries(
    Object.entries(DOCUMENTS).map(([name, { format, text, floor }]) => {
      const parsed = parseResults(format, text);
      if (!parsed.ok || parsed.value.length < BENCHES)
        throw new Error(`${name}: the bench document did not parse whole: ${JSON.stringify(parsed).slice(0, 300)}`);
      const floorMicros = cpuMicros(() => floor(text), 50);
      const parseMicros = cpuMicros(() => parseResults(format, text), 50);
      return [
        name,
        {
          benches: parsed.value.length,
          bytes: text.length,
          floor_us: floorMicros,
          parse_us: parseMicros,
          ratio: round3(parseMicros / floorMicros),
        },
      ];
    }),
  );
}
