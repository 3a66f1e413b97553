/**
 * Number and JSON formatting that reproduces Python's, byte for byte.
 *
 * Firewood's summaries are written by a Python script (`tools/perf_smoke_summary.py`):
 * `f"{x:.2f}"`, `str(float)` and `json.dumps(..., indent=2)`. JavaScript differs from
 * each of them at the edges (ties in rounding, `5.0` vs `5`, `1e+16` vs `10000000000000000`,
 * `ensure_ascii`), and no maintained library reproduces Python's formatting, so it lives here.
 */

/** A number Python holds as a `float`: printed as `5.0`, not `5`. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** Python's `format(x, ".2f")`: correctly rounded, ties to even. */
export function fixed2(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const a = Math.abs(x);
  if (a >= 1e21) return `${sign}${BigInt(a)}.00`;
  // A tie at two decimals is only possible for exact multiples of 1/8 with an odd numerator
  // of 1/8ths that is not a multiple of 1/4 (x.125, x.375, x.625, x.875). JavaScript's
  // toFixed rounds those up; Python rounds them to even.
  const eighths = a * 8;
  if (Number.isInteger(eighths) && eighths % 2 === 1 && a < 2 ** 45) {
    const hundredths = a * 100; // exact: an odd multiple of 12.5
    const down = Math.floor(hundredths);
    const cents = down % 2 === 0 ? down : down + 1;
    return `${sign}${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
  }
  return sign + a.toFixed(2);
}

/** Python's `repr(float)` (which `str(float)` and `json.dumps` use). */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  // toExponential() without an argument gives the shortest digits that round-trip,
  // which is also what Python's repr picks.
  const [mantissa, exp] = x.toExponential().split("e");
  const e = Number(exp);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = negative ? "-" : "";
  if (e < -4 || e >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ee = Math.abs(e) < 10 ? `0${Math.abs(e)}` : String(Math.abs(e));
    return `${sign}${m}e${e < 0 ? "-" : "+"}${ee}`;
  }
  if (e < 0) return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
  const whole = digits.slice(0, e + 1).padEnd(e + 1, "0");
  const fraction = digits.slice(e + 1);
  return `${sign}${whole}.${fraction || "0"}`;
}

/** Python's `str(value)` for the values a summary holds. */
export function pyStr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value instanceof PyFloat) return floatRepr(value.value);
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : floatRepr(value);
  return String(value);
}

/** Python's `html.escape(s, quote=True)`. */
export function htmlEscape(s: string): string {
  return s
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#x27;");
}

/** Python's `json.dumps(value, indent=2)` (so `ensure_ascii=True`). */
export function pyJsonDumps(value: unknown, indent = 2): string {
  return dump(value, indent, 0);
}

function dump(value: unknown, indent: number, depth: number): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof PyFloat) return jsonFloat(value.value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : jsonFloat(value);
  if (typeof value === "string") return jsonString(value);
  const pad = " ".repeat(indent * (depth + 1));
  const end = " ".repeat(indent * depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => pad + dump(v, indent, depth + 1)).join(",\n")}\n${end}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, v]) => `${pad}${jsonString(k)}: ${dump(v, indent, depth + 1)}`).join(",\n")}\n${end}}`;
}

function jsonFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  return floatRepr(x);
}

const JSON_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

function jsonString(s: string): string {
  // Python escapes every code unit outside printable ASCII as \uXXXX (surrogates stay pairs).
  return `"${s.replace(/["\\\u0000-\u001f\u007f-\uffff]/g, (c) => {
    return JSON_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  })}"`;
}
