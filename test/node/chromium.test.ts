/** Which Chromium the status-page test drives, decided from facts about the machine. */
import { describe, expect, it } from "vitest";
import { type MachineFacts, whichChromium } from "./chromium.ts";

const machine = (over: Partial<MachineFacts>): MachineFacts => ({
  env: {},
  platform: "linux",
  uid: 1000,
  executable: () => false,
  ...over,
});
const at =
  (...paths: string[]) =>
  (path: string) =>
    paths.includes(path);

describe("whichChromium", () => {
  it("takes CHROMIUM_PATH first, over any Chromium on PATH", () => {
    const facts = machine({
      env: { CHROMIUM_PATH: "/opt/chrome/chrome", PATH: "/usr/bin" },
      executable: at("/opt/chrome/chrome", "/usr/bin/chromium"),
    });
    expect(whichChromium(facts)).toEqual({ kind: "found", path: "/opt/chrome/chrome" });
  });

  it("stops when CHROMIUM_PATH names nothing runnable, rather than quietly using another", () => {
    const facts = machine({ env: { CHROMIUM_PATH: "/nope", PATH: "/usr/bin" }, executable: at("/usr/bin/chromium") });
    const decision = whichChromium(facts);
    expect(decision.kind).toBe("missing");
    expect(decision.kind === "missing" && decision.reason).toContain("CHROMIUM_PATH=/nope");
  });

  it("finds chromium, chromium-browser or google-chrome on PATH, in that order", () => {
    const facts = machine({
      env: { PATH: "/home/me/bin:/usr/local/bin" },
      executable: at("/usr/local/bin/google-chrome", "/home/me/bin/chromium-browser"),
    });
    expect(whichChromium(facts)).toEqual({ kind: "found", path: "/home/me/bin/chromium-browser" });
  });

  it("looks in the usual places when PATH has none", () => {
    expect(whichChromium(machine({ env: { PATH: "/bin" }, executable: at("/usr/bin/chromium") }))).toEqual({
      kind: "found",
      path: "/usr/bin/chromium",
    });
    const mac = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome";
    expect(whichChromium(machine({ platform: "darwin", executable: at(mac) }))).toEqual({ kind: "found", path: mac });
  });

  it("installs Debian's chromium where it can: as root, with apt-get", () => {
    const facts = machine({ env: { PATH: "/usr/sbin:/usr/bin" }, uid: 0, executable: at("/usr/bin/apt-get") });
    expect(whichChromium(facts)).toEqual({
      kind: "install",
      commands: [
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
      ],
      installs: "/usr/bin/chromium",
    });
  });

  it("elsewhere stops with one line saying how to get one", () => {
    for (const facts of [
      machine({ env: { PATH: "/usr/bin" }, uid: 1000, executable: at("/usr/bin/apt-get") }),
      machine({ env: { PATH: "/usr/bin" }, uid: 0 }),
      machine({ platform: "darwin", uid: 0, executable: at("/usr/bin/apt-get") }),
    ]) {
      const decision = whichChromium(facts);
      expect(decision.kind).toBe("missing");
      if (decision.kind !== "missing") continue;
      expect(decision.reason).not.toContain("\n");
      expect(decision.reason).toContain("apt-get install chromium");
      expect(decision.reason).toContain("CHROMIUM_PATH");
    }
  });
});
