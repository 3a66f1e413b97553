/**
 * The Deno entry as its tests drive it: on a Deno KV database in memory, against the sandbox's
 * GitHub emulator, on a clock the test moves.
 */
import { createDenoChimney } from "../../src/deno-chimney.ts";
import { type EmulatedRun, GitHubEmulator, REPO } from "../../sandbox/github.ts";
import { deliveryHeaders, workflowRunPayload } from "../../sandbox/webhooks.ts";

export const TOKEN = "deno-upload-token-0123456789";
export const ADMIN = "deno-admin-token-0123456789";
export const SECRET = "deno-webhook-secret";

/** chimney at 2026-11-29T03:00Z; `more` adds to its environment, `advance` moves its clock. */
export async function denoChimney(more: Record<string, string> = {}) {
  let now = Date.parse("2026-11-29T03:00:00Z");
  const github = new GitHubEmulator(() => now);
  const env = {
    GITHUB_REPOSITORY: REPO,
    GITHUB_API_URL: "https://api.github.test",
    GITHUB_TOKEN: "github_pat_emulated_0123456789",
    GITHUB_WEBHOOK_SECRET: SECRET,
    PERF_DASHBOARD_TOKEN: TOKEN,
    ADMIN_TOKEN: ADMIN,
    CHIMNEY_KV_PATH: ":memory:",
    ...more,
  };
  const made = await createDenoChimney(env, {
    fetch: github.fetch,
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    write: () => {},
  });
  return { ...made, github, advance: (ms: number) => (now += ms) };
}

export type Chimney = Awaited<ReturnType<typeof denoChimney>>;

/** Delivers the run's signed `workflow_run` webhook as GitHub does once it completed. */
export async function deliverCompleted(c: Chimney, run: EmulatedRun): Promise<Response> {
  const body = workflowRunPayload(c.github, run, "completed");
  return c.app.request("/webhooks/github", {
    method: "POST",
    headers: await deliveryHeaders(SECRET, "workflow_run", body),
    body,
  });
}

/** On Deno the processing goes on after the answer: waits until `done`, two seconds at most. */
export async function until(done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100 && !(await done()); i++) await new Promise((r) => setTimeout(r, 20));
}
