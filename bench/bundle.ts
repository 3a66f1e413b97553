/** The Worker as `wrangler deploy` would upload it: minified, and its gzip size. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

export function bundleSize() {
  const out = mkdtempSync(join(tmpdir(), "chimney-bundle-"));
  try {
    execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--minify", "--outdir", out], {
      stdio: "pipe",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    const files = readdirSync(out).filter((f) => f.endsWith(".js"));
    const bytes = files.reduce((n, f) => n + readFileSync(join(out, f)).byteLength, 0);
    const gzip = files.reduce((n, f) => n + gzipSync(readFileSync(join(out, f))).byteLength, 0);
    return { files, kib: Math.round((bytes / 1024) * 10) / 10, gzip_kib: Math.round((gzip / 1024) * 10) / 10 };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
