/** The Worker as `wrangler deploy` would upload it: minified, and its gzip size. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

/** Calls `use` with the minified bundle's files (name and bytes), built in a directory removed after. */
export async function withBundle<T>(use: (files: { name: string; bytes: Buffer }[]) => T | Promise<T>): Promise<T> {
  const out = mkdtempSync(join(tmpdir(), "chimney-bundle-"));
  try {
    execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--minify", "--outdir", out], {
      stdio: "pipe",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    const files = readdirSync(out)
      .filter((f) => f.endsWith(".js"))
      .map((name) => ({ name, bytes: readFileSync(join(out, name)) }));
    return await use(files);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export function sizes(files: { bytes: Buffer }[]) {
  const bytes = files.reduce((n, f) => n + f.bytes.byteLength, 0);
  const gzip = files.reduce((n, f) => n + gzipSync(f.bytes).byteLength, 0);
  return { kib: Math.round((bytes / 1024) * 10) / 10, gzip_kib: Math.round((gzip / 1024) * 10) / 10 };
}

export function bundleSize() {
  return withBundle((files) => ({ files: files.map((f) => f.name), ...sizes(files) }));
}
