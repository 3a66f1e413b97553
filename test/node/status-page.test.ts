/**
 * The status page as a maintainer sees it: chimney under `wrangler dev`, loaded in a real
 * headless Chromium (driven by playwright-core; found, or installed, by ./chromium.ts).
 * Screenshots go to test-output/.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWranglerDev, type DevServer } from "../../scripts/wrangler-dev.ts";
import { ensureChromium } from "./chromium.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const OUTPUT = join(ROOT, "test-output");
const TOKEN = "page-test-token-0123456789abcdef";
const passing = JSON.parse(readFileSync(join(ROOT, "test/fixtures/smoke-metrics.json"), "utf8"));
const regressed = JSON.parse(readFileSync(join(ROOT, "test/fixtures/smoke-metrics-regressed.json"), "utf8"));
const RUNS = 12;

let server: DevServer;
let state: string;
let browser: Browser;
let chromiumPath: string;

beforeAll(async () => {
  chromiumPath = ensureChromium();
  state = mkdtempSync(join(tmpdir(), "chimney-page-"));
  server = await startWranglerDev({
    persistTo: state,
    vars: { PERF_DASHBOARD_TOKEN: TOKEN, ADMIN_TOKEN: TOKEN, GITHUB_REPOSITORY: "ava-labs/firewood" },
  });
  for (let i = 1; i <= RUNS; i++) {
    const res = await fetch(
      `${server.url}/api/results?run_id=${700 + i}&sha=${String(i).padStart(2, "0").repeat(20)}&ref=main`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify(i === 9 ? regressed : passing),
      },
    );
    expect(res.status).toBe(201);
  }
  const imported = await fetch(`${server.url}/api/import`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}` },
    body: readFileSync(join(ROOT, "test/fixtures/firewood-bench-history.json")),
  });
  expect(imported.status).toBe(200);
  browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
  mkdirSync(OUTPUT, { recursive: true });
  // Time for apt-get too, where the machine has no Chromium yet.
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (state) rmSync(state, { recursive: true, force: true });
});

describe("the status page in Chromium", () => {
  it("shows the state, three charts whose points link to their runs, the runs, and the imported history", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const res = await page.goto(server.url);
    expect(res?.status()).toBe(200);
    expect(await page.title()).toBe("chimney: passing");
    expect(await page.locator("#state").textContent()).toBe("passing");

    const charts = page.locator("figure.chart svg[role=img]");
    expect(await charts.count()).toBe(3 + 10);
    for (let i = 0; i < 3; i++) {
      const chart = charts.nth(i);
      expect(await chart.locator('a[href^="/runs/"]').count()).toBe(RUNS);
      expect(await chart.locator("path.bad").count()).toBe(1);
      // The text alternative is there and says something.
      const [titleId, descId] = (await chart.getAttribute("aria-labelledby"))!.split(" ");
      expect(await page.locator(`[id="${titleId}"]`).textContent()).toMatch(/is better$/);
      expect(await page.locator(`[id="${descId}"]`).textContent()).toMatch(
        /over the last 12 runs.*1 run out of the band/,
      );
    }
    expect(await page.locator("table tbody tr").count()).toBe(RUNS);
    expect(await page.locator("table th[scope=col]").count()).toBe(8);

    await page.screenshot({ path: join(OUTPUT, "status-page.png"), fullPage: true });
    console.log(`screenshot: ${join(OUTPUT, "status-page.png")}`);

    await charts.nth(0).locator('a[href="/runs/709-1"]').click();
    await page.waitForURL(`${server.url}/runs/709-1`);
    expect(await page.locator("h2").first().textContent()).toBe("Run 709-1: regressed");
    await page.screenshot({ path: join(OUTPUT, "run-page.png"), fullPage: true });
    await page.close();
  });

  it("fits a phone: nothing wider than the screen but the table, which scrolls in its box", async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 800 }, isMobile: true });
    await page.goto(server.url);
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      screen: window.innerWidth,
    }));
    expect(widths.page).toBeLessThanOrEqual(widths.screen);
    const chart = await page.locator("figure.chart svg").first().boundingBox();
    expect(chart!.width).toBeLessThanOrEqual(375);
    await page.screenshot({ path: join(OUTPUT, "status-page-phone.png"), fullPage: true });
    await page.close();
  });

  it("works without JavaScript", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(server.url);
    expect(await page.locator("figure.chart svg").count()).toBe(13);
    expect(await page.locator("script").count()).toBe(0);
    await context.close();
  });
});
