/** Talking to a chimney deployment from the command line: retries, and its problem answers. */

export const ATTEMPTS = 5;

export type Answer =
  | { kind: "answered"; res: Response }
  | { kind: "refused"; status: number; detail: string }
  | { kind: "gave_up"; reason: string };

/**
 * Sends a request to chimney, retrying network errors, timeouts, 5xx and 429 (honouring
 * `retry-after`) with backoff, ATTEMPTS in all; a 4xx is chimney refusing, with its reason.
 */
export async function callChimney(target: string, init: () => RequestInit, timeoutMs = 60_000): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    let res: Response | null = null;
    let reason: string;
    try {
      res = await fetch(target, { ...init(), signal: AbortSignal.timeout(timeoutMs) });
      reason = `HTTP ${res.status}`;
    } catch (error) {
      reason = (error as Error).name === "TimeoutError" ? "timed out" : `network error (${(error as Error).message})`;
    }
    if (res && res.status < 400) return { kind: "answered", res };
    const transient = !res || res.status >= 500 || res.status === 429;
    if (res && !transient) {
      const problem = (await res.json().catch(() => null)) as { detail?: string } | null;
      return { kind: "refused", status: res.status, detail: problem?.detail ?? "no reason given" };
    }
    if (attempt >= ATTEMPTS) return { kind: "gave_up", reason: `gave up after ${ATTEMPTS} attempts (last: ${reason})` };
    const retryAfter = Number(res?.headers.get("retry-after"));
    const wait =
      Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 60) * 1000 : 1000 * 2 ** (attempt - 1);
    console.error(`chimney: ${reason}; trying again in ${wait / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

export function chimneyUrl(value: string | undefined, path: string): string | null {
  if (!value || !/^https?:\/\/[^/]+/.test(value)) return null;
  return `${value.replace(/\/+$/, "")}${path}`;
}
