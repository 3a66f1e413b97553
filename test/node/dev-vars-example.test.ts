/** .dev.vars.example names every variable and secret of README.md's configuration table. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const readme = readFileSync(resolve(ROOT, "README.md"), "utf8");
const example = readFileSync(resolve(ROOT, ".dev.vars.example"), "utf8");
const table = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("## Deploy to Cloudflare"));
const NAMES = [...table.matchAll(/^\| ((?:`[A-Z0-9_]+`(?:, )?)+) +\|/gm)].flatMap((m) =>
  [...m[1].matchAll(/`([A-Z0-9_]+)`/g)].map((n) => n[1]),
);

describe(".dev.vars.example", () => {
  it("has a line for every name of the configuration table", () => {
    expect(NAMES.length).toBeGreaterThan(25);
    for (const name of NAMES) expect(example, name).toMatch(new RegExp(`^(# )?${name}=.+$`, "m"));
  });

  it("leaves the GitHub credentials commented out, so that npm start keeps the sandbox on when it is copied", () => {
    for (const name of ["GITHUB_TOKEN", "GITHUB_APP_ID"]) expect(example).not.toMatch(new RegExp(`^${name}=`, "m"));
  });
});
