/**
 * The Chromium the status-page test drives: `CHROMIUM_PATH`, else one on PATH or where browsers
 * usually live; where there is none, Debian's `chromium` is installed when this process can
 * (root with apt-get, as on CI machines), and otherwise the test stops with how to get one.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export interface MachineFacts {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  /** null where there are no user ids (Windows). */
  uid: number | null;
  executable(path: string): boolean;
}

export type ChromiumDecision =
  | { kind: "found"; path: string }
  | { kind: "install"; commands: string[][]; installs: string }
  | { kind: "missing"; reason: string };

const NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
const USUAL: Partial<Record<NodeJS.Platform, string[]>> = {
  linux: ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/snap/bin/chromium"],
  darwin: [
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
  ],
};
const DEBIAN_CHROMIUM = "/usr/bin/chromium";
const HOW =
  "install one (Debian or Ubuntu: sudo apt-get install chromium; or Google Chrome) or set CHROMIUM_PATH to its executable";

export function whichChromium(facts: MachineFacts): ChromiumDecision {
  const chosen = facts.env.CHROMIUM_PATH;
  if (chosen)
    return facts.executable(chosen)
      ? { kind: "found", path: chosen }
      : { kind: "missing", reason: `CHROMIUM_PATH=${chosen} is not an executable: ${HOW}` };
  const dirs = (facts.env.PATH ?? "").split(delimiter).filter(Boolean);
  const onPath = NAMES.flatMap((name) => dirs.map((dir) => join(dir, name)));
  const found = [...onPath, ...(USUAL[facts.platform] ?? [])].find((path) => facts.executable(path));
  if (found) return { kind: "found", path: found };
  const aptGet = facts.platform === "linux" && dirs.some((dir) => facts.executable(join(dir, "apt-get")));
  if (aptGet && facts.uid === 0)
    return {
      kind: "install",
      commands: [
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
      ],
      installs: DEBIAN_CHROMIUM,
    };
  return { kind: "missing", reason: `no Chromium found (CHROMIUM_PATH, ${NAMES.join(", ")}): ${HOW}` };
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** This machine's Chromium, installing Debian's where the decision says so; throws one line otherwise. */
export function ensureChromium(): string {
  const decision = whichChromium({
    env: process.env,
    platform: process.platform,
    uid: process.getuid?.() ?? null,
    executable,
  });
  if (decision.kind === "found") return decision.path;
  if (decision.kind === "missing") throw new Error(decision.reason);
  console.error("No Chromium on this machine: installing Debian's chromium for the status-page test…");
  for (const [command, ...args] of decision.commands) {
    const run = spawnSync(command, args, {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    if (run.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (exit ${run.status}): ${HOW}`);
  }
  if (!executable(decision.installs))
    throw new Error(`installed chromium, yet ${decision.installs} is missing: ${HOW}`);
  return decision.installs;
}
