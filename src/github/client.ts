/**
 * A small GitHub REST client over an injected `fetch` and clock: the few Actions endpoints
 * chimney needs, with GitHub's headers, bounded retries, rate-limit handling and a budget of
 * requests per invocation (Workers cap subrequests).
 */
import * as v from "valibot";

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export type GitHubErrorKind =
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "gone"
  | "invalid"
  | "rate_limited"
  | "server"
  | "network"
  | "timeout"
  | "budget"
  | "unexpected";

/** A failed GitHub call. `retryAt` says when trying again makes sense (rate limits). */
export class GitHubError extends Error {
  constructor(
    readonly kind: GitHubErrorKind,
    message: string,
    readonly status: number | null = null,
    readonly retryAt: number | null = null,
  ) {
    super(message);
    this.name = "GitHubError";
  }
}

/** A budget or rate limit: asking about anything else now would only fail the same way. */
export function isThrottled(error: unknown): boolean {
  return error instanceof GitHubError && (error.kind === "budget" || error.kind === "rate_limited");
}

/** Produces the Authorization header value; the token never leaves it except in that header. */
export interface Auth {
  authorization(client: GitHubClient): Promise<string>;
}

export interface GitHubClientOptions {
  apiUrl: string;
  repository: string;
  auth: Auth;
  fetch: typeof fetch;
  clock: Clock;
  /** Requests this invocation may still make, retries included. */
  budget?: number;
  maxAttempts?: number;
  timeoutMs?: number;
  /** The longest a rate limit is waited out in place; longer ones fail with `retryAt`. */
  maxWaitMs?: number;
}

export interface RequestOptions {
  body?: unknown;
  authorization?: string | null;
  accept?: string;
  /** False for requests that must not be repeated blindly; true by default. */
  idempotent?: boolean;
}

export const USER_AGENT = "chimney (Firewood performance watch)";
const API_VERSION = "2022-11-28";

export class GitHubClient {
  readonly repository: string;
  /** Shared with the clients `for` makes: one job, one budget, whichever repositories it reads. */
  private readonly budget: { left: number };
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private readonly maxWaitMs: number;

  constructor(
    private readonly options: GitHubClientOptions,
    budget?: { left: number },
  ) {
    this.repository = options.repository;
    this.budget = budget ?? { left: options.budget ?? 40 };
    this.maxAttempts = options.maxAttempts ?? 4;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.maxWaitMs = options.maxWaitMs ?? 20_000;
  }

  /** The same client bound to `repository`, spending this one's budget. */
  for(repository: string): GitHubClient {
    return repository === this.repository ? this : new GitHubClient({ ...this.options, repository }, this.budget);
  }

  /** Which GitHub this client talks to; the links in its answers must point to that GitHub's pages. */
  get apiUrl(): string {
    return this.options.apiUrl;
  }

  get remainingBudget(): number {
    return this.budget.left;
  }

  /**
   * One API call with retries: 5xx, network errors and timeouts back off exponentially;
   * 403/429 rate limits wait for `retry-after` or `x-ratelimit-reset` when that is soon.
   * `authorization: null` sends none (the artifact storage refuses one); a string replaces it.
   * A request that is not `idempotent` (creating an issue or a comment) is repeated only after
   * a rate limit, which GitHub answers before doing anything: after a 5xx or a lost answer it
   * may have been done, and the caller's outbox decides.
   */
  async request(method: string, path: string, init: RequestOptions = {}): Promise<Response> {
    const url = absoluteUrl(this.options.apiUrl, path);
    if (url === null) {
      throw new GitHubError(
        "unexpected",
        `${method} ${JSON.stringify(path.slice(0, 200))}: not an http(s) URL or an API path`,
      );
    }
    let lastError: GitHubError | null = null;
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      if (attempt > 0 && lastError) await this.pause(lastError, attempt);
      if (this.budget.left <= 0)
        throw new GitHubError("budget", `no GitHub requests left in this invocation (${method} ${redactUrl(url)})`);
      this.budget.left--;
      const headers = new Headers({
        accept: init.accept ?? "application/vnd.github+json",
        "x-github-api-version": API_VERSION,
        "user-agent": USER_AGENT,
      });
      const authorization =
        init.authorization === undefined ? await this.options.auth.authorization(this) : init.authorization;
      if (authorization) headers.set("authorization", authorization);
      if (init.body !== undefined) headers.set("content-type", "application/json");
      let res: Response;
      try {
        res = await this.options.fetch(url, {
          method,
          headers,
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
          redirect: "manual",
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        const timeout = (error as Error).name === "TimeoutError" || (error as Error).name === "AbortError";
        lastError = new GitHubError(
          timeout ? "timeout" : "network",
          `${method} ${redactUrl(url)}: ${timeout ? "timed out" : "network error"}`,
        );
        if (init.idempotent === false) throw lastError;
        continue;
      }
      if (res.status < 400) return res;
      lastError = await this.classify(method, url, res);
      if (!["server", "rate_limited"].includes(lastError.kind)) throw lastError;
      if (init.idempotent === false && lastError.kind !== "rate_limited") throw lastError;
      if (
        lastError.kind === "rate_limited" &&
        lastError.retryAt !== null &&
        lastError.retryAt - this.options.clock.now() > this.maxWaitMs
      ) {
        throw lastError;
      }
    }
    throw lastError ?? new GitHubError("unexpected", `${method} ${redactUrl(url)} failed`);
  }

  /**
   * Every page of a list endpoint, following GitHub's `Link: <…>; rel="next"` (only to this API's
   * own origin), at most `maxPages` of them: the request budget bounds the rest.
   */
  async *pages<T>(schema: v.GenericSchema<unknown, T[]>, path: string, maxPages = 20): AsyncGenerator<T[]> {
    let next: string | null = path;
    for (let page = 0; next !== null && page < maxPages; page++) {
      const res = await this.request("GET", next);
      const parsed = v.safeParse(schema, await res.json());
      if (!parsed.success)
        throw new GitHubError("unexpected", `GET ${redactUrl(next)}: the answer is not the list expected`);
      yield parsed.output;
      next = nextPage(res.headers.get("link"), this.options.apiUrl);
    }
  }

  async json<T>(
    schema: v.GenericSchema<unknown, T>,
    method: string,
    path: string,
    init: RequestOptions = {},
  ): Promise<T> {
    const res = await this.request(method, path, init);
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new GitHubError("unexpected", `${method} ${path}: the answer is not JSON`, res.status);
    }
    const parsed = v.safeParse(schema, body);
    if (!parsed.success) {
      throw new GitHubError(
        "unexpected",
        `${method} ${path}: unexpected answer (${v.getDotPath(parsed.issues[0]) ?? "body"}: ${parsed.issues[0].message})`,
        res.status,
      );
    }
    return parsed.output;
  }

  private async pause(error: GitHubError, attempt: number): Promise<void> {
    const now = this.options.clock.now();
    const wait = error.retryAt !== null ? Math.max(0, error.retryAt - now) : Math.min(8_000, 500 * 2 ** (attempt - 1));
    await this.options.clock.sleep(wait);
  }

  private async classify(method: string, url: string, res: Response): Promise<GitHubError> {
    const what = `${method} ${redactUrl(url)}: ${res.status}`;
    const message = await res.text().then(
      (t) => firstLine(t),
      () => "",
    );
    const now = this.options.clock.now();
    if (res.status === 403 || res.status === 429) {
      const retryAfter = Number(res.headers.get("retry-after"));
      if (res.headers.has("retry-after") && Number.isFinite(retryAfter)) {
        return new GitHubError(
          "rate_limited",
          `${what} rate limited (retry after ${retryAfter} s)`,
          res.status,
          now + retryAfter * 1000,
        );
      }
      if (res.headers.get("x-ratelimit-remaining") === "0") {
        const reset = Number(res.headers.get("x-ratelimit-reset")) * 1000;
        return new GitHubError(
          "rate_limited",
          `${what} rate limit exhausted until ${new Date(reset).toISOString()}`,
          res.status,
          Number.isFinite(reset) ? reset : now + 60_000,
        );
      }
      if (res.status === 429 || /secondary rate limit/i.test(message)) {
        // GitHub asks for at least a minute; that is never waited out inside one invocation.
        return new GitHubError("rate_limited", `${what} secondary rate limit`, res.status, now + 60_000);
      }
      return new GitHubError("forbidden", `${what} forbidden${message ? ` (${message})` : ""}`, res.status);
    }
    if (res.status >= 500) return new GitHubError("server", `${what} server error`, res.status);
    if (res.status === 401)
      return new GitHubError("unauthorized", `${what} unauthorized: check the GitHub token or App`, res.status);
    if (res.status === 404) return new GitHubError("not_found", `${what} not found`, res.status);
    if (res.status === 410) return new GitHubError("gone", `${what} gone${message ? ` (${message})` : ""}`, res.status);
    return new GitHubError("invalid", `${what}${message ? ` (${message})` : ""}`, res.status);
  }
}

/** Signed storage URLs carry credentials in their query: never repeat those. */
function redactUrl(url: string): string {
  const q = url.indexOf("?");
  return q < 0 ? url : `${url.slice(0, q)}?…`;
}

function firstLine(text: string): string {
  try {
    const json = JSON.parse(text) as { message?: unknown };
    if (typeof json.message === "string") return json.message.slice(0, 200);
  } catch {
    // not JSON
  }
  return text.split("\n")[0].slice(0, 200);
}

/** An API path (`/repos/…`) under the API URL, or an absolute http(s) URL as GitHub gives them; null for anything else. */
function absoluteUrl(apiUrl: string, path: string): string | null {
  if (path.startsWith("/") && !path.startsWith("//")) return `${apiUrl}${path}`;
  return isHttpUrl(path) ? path : null;
}

/** Whether a string is an absolute http(s) URL. */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "https:" || url.protocol === "http:") && /^https?:\/\//i.test(text);
  } catch {
    return false;
  }
}

/** The `rel="next"` URL of a Link header, when it is on the API's own origin. */
function nextPage(link: string | null, apiUrl: string): string | null {
  const next = link?.split(",").find((part) => /;\s*rel="next"/.test(part));
  const url = next?.match(/<([^>]+)>/)?.[1];
  return url && isHttpUrl(url) && new URL(url).origin === new URL(apiUrl).origin ? url : null;
}
