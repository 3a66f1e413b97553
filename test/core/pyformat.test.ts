import { describe, expect, it } from "vitest";
import { fixed2, floatRepr, htmlEscape, pyJsonDumps, pyStr, PyFloat } from "../../src/core/pyformat.ts";

// [value, Python repr(value), Python format(value, ".2f")], printed by CPython 3.11.
const PYTHON: [number, string, string][] = [
  [0.0, "0.0", "0.00"],
  [-0.0, "-0.0", "-0.00"],
  [1.0, "1.0", "1.00"],
  [5.0, "5.0", "5.00"],
  [0.1, "0.1", "0.10"],
  [0.125, "0.125", "0.12"],
  [0.375, "0.375", "0.38"],
  [2.675, "2.675", "2.67"],
  [1.005, "1.005", "1.00"],
  [0.005, "0.005", "0.01"],
  [0.015, "0.015", "0.01"],
  [0.025, "0.025", "0.03"],
  [1.125, "1.125", "1.12"],
  [10233.31968890708, "10233.31968890708", "10233.32"],
  [48.86, "48.86", "48.86"],
  [1e-5, "1e-05", "0.00"],
  [0.0001, "0.0001", "0.00"],
  [0.00012345, "0.00012345", "0.00"],
  [1e16, "1e+16", "10000000000000000.00"],
  [1.5e16, "1.5e+16", "15000000000000000.00"],
  [9999999999999998.0, "9999999999999998.0", "9999999999999998.00"],
  [1234567890123456.0, "1234567890123456.0", "1234567890123456.00"],
  [1.2345678901234568e17, "1.2345678901234568e+17", "123456789012345680.00"],
  [1e21, "1e+21", "1000000000000000000000.00"],
  [5e-324, "5e-324", "0.00"],
  [-12.345, "-12.345", "-12.35"],
  [-0.001, "-0.001", "-0.00"],
  [8500.0, "8500.0", "8500.00"],
  [1e22, "1e+22", "10000000000000000000000.00"],
  [0.5, "0.5", "0.50"],
  [1.5, "1.5", "1.50"],
  [2.5, "2.5", "2.50"],
  [3.125, "3.125", "3.12"],
  [1e15, "1000000000000000.0", "1000000000000000.00"],
  [12.0, "12.0", "12.00"],
  [100.0, "100.0", "100.00"],
];

describe("Python-compatible number formatting", () => {
  it.each(PYTHON)("repr(%s) is %s", (value, repr) => {
    expect(floatRepr(value)).toBe(repr);
  });

  it.each(PYTHON)("format(%s, '.2f') is %s (%s)", (value, _repr, fixed) => {
    expect(fixed2(value)).toBe(fixed);
  });

  it("rounds exact ties to even, where JavaScript's toFixed rounds up", () => {
    expect((0.125).toFixed(2)).toBe("0.13");
    expect(fixed2(0.125)).toBe("0.12");
    expect(fixed2(0.625)).toBe("0.62");
    expect(fixed2(0.875)).toBe("0.88");
    expect(fixed2(-0.125)).toBe("-0.12");
  });

  it("prints ints and floats as Python's str does", () => {
    expect(pyStr(5)).toBe("5");
    expect(pyStr(new PyFloat(5))).toBe("5.0");
    expect(pyStr(null)).toBe("None");
    expect(pyStr(true)).toBe("True");
  });

  it("escapes HTML as html.escape does", () => {
    expect(htmlEscape(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;");
  });

  it("dumps JSON as json.dumps(indent=2) does, ensure_ascii included", () => {
    const value = { s: 'héllo \u007f "q" \n', n: 5, f: new PyFloat(8500), list: [], obj: {}, nested: [1, { a: null }] };
    expect(pyJsonDumps(value)).toBe(
      '{\n  "s": "h\\u00e9llo \\u007f \\"q\\" \\n",\n  "n": 5,\n  "f": 8500.0,\n  "list": [],\n  "obj": {},\n' +
        '  "nested": [\n    1,\n    {\n      "a": null\n    }\n  ]\n}',
    );
  });
});
