/**
 * The status page is rendered when what it shows changes, not on every request: after a write
 * is drained (a result, a webhook, an import), after each tick (the dashboard check, and the
 * signal going stale with time), and once when none is kept yet. `GET /` then answers with one
 * read and the page's own ETag.
 */
import type { PublishedPage } from "../../core/published-page.ts";
import { repositoryUrl } from "../../core/links.ts";
import { currentOverview, judgedBaseline } from "../../jobs/status.ts";
import { runTick, type Tick } from "../../jobs/ticks.ts";
import type { AppDeps } from "../../wiring.ts";
import { flushHealth } from "../health.ts";
import { CHARTED_RUNS, LISTED_RUNS, statusPage } from "./status-page.ts";

async function renderStatusPage(deps: AppDeps): Promise<string> {
  const [overview, judged] = await Promise.all([
    currentOverview(deps, { charted: CHARTED_RUNS, listed: LISTED_RUNS }),
    judgedBaseline(deps),
  ]);
  const repo = deps.config.GITHUB_REPOSITORY;
  // The template's answer is a String object; the page is kept, and compared, as a string.
  const html = await statusPage({
    ...overview,
    runs: overview.doc?.runs ?? 0,
    baseline: judged,
    baselineSource: judged.source,
    configProblems: deps.configProblems,
    repositoryUrl: repo ? repositoryUrl(deps.config.GITHUB_API_URL, repo) : null,
  });
  return String(html);
}

interface Publishing {
  rendering: Promise<PublishedPage> | null;
  /** Asked for since the render under way began. */
  stale: boolean;
  last: PublishedPage | null;
}

/** What this isolate is publishing, per deployment it serves. */
const publishing = new WeakMap<AppDeps, Publishing>();

/**
 * Renders the status page and keeps it for `GET /`. Writers asking while a render is under way
 * share the next one: a burst of fifty uploads renders the page twice, not fifty times, and
 * each writer still returns after a page that began after it asked.
 */
export async function publishStatusPage(deps: AppDeps): Promise<PublishedPage> {
  let state = publishing.get(deps);
  if (!state) {
    state = { rendering: null, stale: false, last: null };
    publishing.set(deps, state);
  }
  const self = state;
  self.stale = true;
  while (self.rendering) await self.rendering.catch(() => undefined);
  if (!self.stale && self.last) return self.last;
  self.stale = false;
  self.rendering = render(deps, self.last)
    .then((page) => {
      self.last = page;
      return page;
    })
    .finally(() => {
      self.rendering = null;
    });
  return self.rendering;
}

/**
 * Renders the page and keeps it. Its ETag is made for the render, not hashed from it: a strong
 * validator must change whenever the page does (RFC 9110 §8.8.1), which a random one does, and
 * hashing 60 KB took a fifth of a publish. A render the same as this isolate's `last` keeps its
 * ETag, so a tick that changed nothing leaves readers their 304s.
 */
async function render(deps: AppDeps, last: PublishedPage | null): Promise<PublishedPage> {
  const html = await renderStatusPage(deps);
  const etag = last?.html === html ? last.etag : `"${crypto.randomUUID().replaceAll("-", "")}"`;
  const page = { html, etag, rendered_at: deps.now().toISOString() };
  await deps.pages.save(page);
  return page;
}

/** A tick, then the page it may have changed; what the entries' cron handlers run. */
export async function tickAndPublish(deps: AppDeps, tick: Tick, at: Date): Promise<Record<string, unknown>> {
  const report = await runTick(deps, tick, at);
  await publishStatusPage(deps).catch((error: unknown) =>
    deps.log({ event: "page_not_published", error: error instanceof Error ? error.message : String(error) }),
  );
  await flushHealth(deps);
  return report;
}

/**
 * The page as UTF-8, encoded once per page read rather than on every request: its arrows and
 * marks make it a two-byte string, which the runtime would otherwise encode for each answer.
 */
const encodedPages = new WeakMap<PublishedPage, Uint8Array<ArrayBuffer>>();

export function pageBytes(page: PublishedPage): Uint8Array<ArrayBuffer> {
  const kept = encodedPages.get(page);
  if (kept) return kept;
  const bytes = new TextEncoder().encode(page.html) as Uint8Array<ArrayBuffer>;
  encodedPages.set(page, bytes);
  return bytes;
}
