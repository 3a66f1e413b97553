/** What every chimney command shares: options, files, and errors that are one clear line. */
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { parseJson, type Parsed } from "../core/validation.ts";

/** A user error: printed as one line naming the file and field, no stack, exit 2. */
export class UsageError extends Error {}

export function options<T extends NonNullable<ParseArgsConfig["options"]>>(
  args: string[],
  spec: T,
  positionals = false,
) {
  try {
    return parseArgs({ args, options: spec, allowPositionals: positionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UsageError(`${path}: ${code === "ENOENT" ? "no such file" : `cannot be read (${code ?? "error"})`}`);
  }
}

export async function readBytes(path: string): Promise<Uint8Array<ArrayBuffer>> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UsageError(`${path}: ${code === "ENOENT" ? "no such file" : `cannot be read (${code ?? "error"})`}`);
  }
}

export async function writeText(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (error) {
    throw new UsageError(`${path}: cannot be written (${(error as { code?: string }).code ?? "error"})`);
  }
}

/** The value of a parse, or a UsageError naming the file and the field. */
export function orFail<T>(path: string, parsed: Parsed<T>): T {
  if (parsed.ok) return parsed.value;
  const [first] = parsed.issues;
  throw new UsageError(`${path}: ${first.field}: ${first.message}`);
}

export async function readJsonFile<T>(path: string, parse: (value: unknown) => Parsed<T>): Promise<T> {
  return orFail(path, parse(orFail(path, parseJson(await readText(path)))));
}

export function suiteOption(value: string | undefined): "smoke" | "pruning" {
  if (value === undefined || value === "smoke" || value === "pruning") return value ?? "smoke";
  throw new UsageError(`--suite must be smoke or pruning, not ${JSON.stringify(value)}`);
}
