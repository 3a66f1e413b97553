/**
 * A GitHub emulator: the REST endpoints chimney calls, with GitHub's status codes, headers,
 * redirects and zips, as a Hono app that chimney reaches through its injected fetch.
 * Artifact zips are made by a real zip encoder and served behind a 302 to a "storage" host
 * that refuses an Authorization header, as GitHub's blob storage does.
 * One file past 300 lines: one emulator, every endpoint beside the state they share.
 */
import { zipSync } from "fflate";
import { Hono, type Context } from "hono";
import smokeBaseline from "../baselines/smoke.json" with { type: "json" };
import { baselineFileText, type Baseline } from "../src/core/baseline.ts";

export const API = "https://api.github.test";
export const STORAGE = "https://blobs.github-storage.test";
export const WEB = "https://github.com";
/** Where the smoke suite lives (perf.yml, its baseline): the repository an emulator serves by default. */
export const REPO = "HUBId/chain";
/** Firewood's own repository (benchmarks.yaml): a second emulator serves it where a test needs two. */
export const FIREWOOD_REPO = "ava-labs/firewood";
export const TOKEN = "github_pat_emulated_0123456789";
/** Whose token TOKEN is: what `GET /user` answers, and who its comments are by. */
export const TOKEN_USER = "perf-keeper";
/** The App's slug: its comments are by `chimney-perf[bot]`, performed via the App. */
export const APP_SLUG = "chimney-perf";
/** The commit a run is at when no commit was added: the root of the emulated history. */
export const ROOT_COMMIT = "1f0e9d8c7b6a59483726150f1e2d3c4b5a697887";
/** Where Firewood keeps the smoke baseline; the root commit holds chimney's bundled copy there. */
export const BASELINE_PATH = "benchmark/baselines/smoke.json";

export interface EmulatedStep {
  name: string;
  conclusion: "success" | "failure" | "skipped" | "cancelled" | null;
}

export interface EmulatedAttempt {
  attempt: number;
  status: "queued" | "in_progress" | "completed";
  conclusion: string | null;
  created_at: string;
  updated_at: string;
  steps: EmulatedStep[];
}

export interface EmulatedRun {
  id: number;
  workflow: string;
  display_title: string;
  head_branch: string;
  head_sha: string;
  event: string;
  /** The workflow_dispatch inputs it was started with. */
  inputs: Record<string, string>;
  attempts: EmulatedAttempt[];
  /** Artifact ids of the latest attempt. */
  artifacts: number[];
}

export interface EmulatedArtifact {
  id: number;
  name: string;
  zip: Uint8Array;
  expired: boolean;
}

export interface EmulatedIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: "open" | "closed";
  state_reason: string | null;
  pull_request: boolean;
  comments: string[];
  /** Who wrote each comment, by its place in `comments`; missing, the token's user. */
  authors?: EmulatedAuthor[];
  /** A pull request's head: its branch, commit and the repository it comes from (another one for a fork). */
  head?: { ref: string; sha: string; repository: string };
}

/** A comment's author: someone's login, or the App (a comment performed via it, by its bot). */
export type EmulatedAuthor = { login: string } | "app";

export interface EmulatedCommit {
  sha: string;
  message: string;
  author: string;
}

interface Fault {
  method: string;
  path: RegExp;
  remaining: number;
  /** How many requests it answered. */
  fired: number;
  /**
   * Answer with this instead; with "lose-answer", do the work and drop the connection; with
   * "time-out", fail as a request chimney gave up waiting for.
   */
  respond: (() => Response) | "lose-answer" | "time-out";
}

function zipOf(files: Record<string, string | Uint8Array>): Uint8Array {
  return zipSync(
    Object.fromEntries(
      Object.entries(files).map(([name, content]) => [
        name,
        typeof content === "string" ? new TextEncoder().encode(content) : content,
      ]),
    ),
  );
}

/** perf.yml's steps, in order. */
export const PERF_STEPS = [
  "Set up job",
  "Checkout repository",
  "Install nightly toolchain",
  "Cache Cargo artifacts",
  "Run smoke benchmark",
  "Summarize metrics",
  "Upload artifacts",
];

export class GitHubEmulator {
  readonly app = new Hono();
  readonly runs = new Map<number, EmulatedRun>();
  readonly artifacts = new Map<number, EmulatedArtifact>();
  readonly requests: { method: string; url: string; authorization: string | null }[] = [];
  /** How dispatch answers: GitHub since 2026-02, an older server, or one that refuses the new field. */
  dispatchStyle: "details" | "no-content" | "refuses-field" = "details";
  /** Installation tokens minted for the App, and the public key its JWTs must verify with. */
  appPublicKey: CryptoKey | null = null;
  readonly appId = "424242";
  readonly installationId: number;
  readonly repository: string;
  readonly mintedTokens = new Set<string>();
  readonly issues = new Map<number, EmulatedIssue>();
  /**
   * The default branch's files at its head, by path: what the contents API serves for a branch
   * (or no ref). Each commit keeps a copy of them as they were when it was added (`trees`).
   */
  readonly files = new Map<string, string>([[BASELINE_PATH, baselineFileText(smokeBaseline as Baseline)]]);
  /** Each commit's files, by sha: what the contents API serves at `?ref={sha}`. */
  readonly trees = new Map<string, Map<string, string>>([[ROOT_COMMIT, new Map(this.files)]]);
  /** The default branch's history, oldest first: what compare answers from. */
  readonly commits: EmulatedCommit[] = [];
  private nextIssue = 1;
  /** Webhooks registered with POST /repos/{owner}/{repo}/hooks, delivered by `emit`. */
  readonly hooks: { url: string; secret: string; events: string[] }[] = [];
  /** Called for every run a dispatch creates: the sandbox's runner starts it. */
  onDispatch: ((run: EmulatedRun) => void) | null = null;
  readonly api: string;
  readonly storage: string;
  readonly web: string;
  private faults: Fault[] = [];
  private nextRunId = 9_000_000_001;
  private nextArtifactId = 7_000_001;

  /**
   * The origins it answers for: by default made-up hosts that only its `fetch` reaches. It serves
   * one repository (`REPO` by default): any other is not found, as GitHub answers a token that
   * cannot see it; `repositories` puts several emulators behind one API.
   */
  constructor(
    private readonly now: () => number,
    origins: { api?: string; storage?: string; web?: string } = {},
    serves: { repository?: string; installationId?: number; firstRunId?: number } = {},
  ) {
    this.api = origins.api ?? API;
    this.storage = origins.storage ?? STORAGE;
    this.web = origins.web ?? WEB;
    this.repository = serves.repository ?? REPO;
    this.installationId = serves.installationId ?? 4242;
    // Run ids are unique across GitHub, not per repository.
    this.nextRunId = serves.firstRunId ?? this.nextRunId;
    this.routes();
  }

  fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    this.requests.push({
      method: request.method,
      url: request.url,
      authorization: request.headers.get("authorization"),
    });
    const url = new URL(request.url);
    const fault = this.faults.find((f) => f.remaining > 0 && f.method === request.method && f.path.test(url.pathname));
    if (fault) {
      fault.remaining--;
      fault.fired++;
      if (fault.respond === "lose-answer") {
        await this.app.fetch(request);
        throw new TypeError("Network connection lost.");
      }
      if (fault.respond === "time-out")
        throw new DOMException("The operation was aborted due to timeout", "TimeoutError");
      return fault.respond();
    }
    return this.app.fetch(request);
  };

  /** The next `times` requests matching answer with `respond()` instead (or are done, and their answer lost). */
  fail(method: string, path: RegExp, times: number, respond: Fault["respond"]): void {
    this.faults.push({ method, path, remaining: times, respond, fired: 0 });
  }

  /** The faults planned so far that no request met: a test that injects one expects it to fire. */
  unfired(): string[] {
    return this.faults.filter((f) => f.fired === 0).map((f) => `${f.method} ${f.path}`);
  }

  /** Every fault still planned is dropped: GitHub is well again. */
  heal(): void {
    this.faults = [];
  }

  calls(method: string, path: RegExp): number {
    return this.requests.filter((r) => r.method === method && path.test(new URL(r.url).pathname)).length;
  }

  /** A run as if some earlier dispatch or push had made it. */
  addRun(
    init: Partial<Omit<EmulatedRun, "id" | "attempts">> & { status?: EmulatedAttempt["status"] } = {},
  ): EmulatedRun {
    const at = new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
    const run: EmulatedRun = {
      id: this.nextRunId++,
      workflow: init.workflow ?? "perf.yml",
      display_title: init.display_title ?? "Performance smoke benchmark",
      head_branch: init.head_branch ?? "main",
      head_sha: init.head_sha ?? this.commits.at(-1)?.sha ?? ROOT_COMMIT,
      event: init.event ?? "workflow_dispatch",
      inputs: init.inputs ?? {},
      attempts: [
        { attempt: 1, status: init.status ?? "queued", conclusion: null, created_at: at, updated_at: at, steps: [] },
      ],
      artifacts: [],
    };
    this.runs.set(run.id, run);
    return run;
  }

  latest(run: EmulatedRun): EmulatedAttempt {
    return run.attempts.at(-1)!;
  }

  start(runId: number): void {
    const attempt = this.latest(this.runs.get(runId)!);
    attempt.status = "in_progress";
    attempt.updated_at = new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  /**
   * Completes the latest attempt. `failAt` names the step that fails (the later ones are
   * skipped); `files` become the artifact zip, `"expired"` an expired artifact, null none.
   */
  complete(
    runId: number,
    outcome: {
      conclusion: string;
      failAt?: string;
      files?: Record<string, string | Uint8Array> | "expired" | null;
      zip?: Uint8Array;
      /** Artifacts by name, each its files (a followed suite's run uploads several, named as it likes). */
      artifacts?: Record<string, Record<string, string | Uint8Array>>;
    },
  ): void {
    const run = this.runs.get(runId)!;
    const attempt = this.latest(run);
    attempt.status = "completed";
    attempt.conclusion = outcome.conclusion;
    attempt.updated_at = new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
    const failAt = outcome.failAt ? PERF_STEPS.indexOf(outcome.failAt) : -1;
    attempt.steps = PERF_STEPS.map((name, i) => ({
      name,
      conclusion:
        failAt < 0
          ? outcome.conclusion === "success"
            ? "success"
            : null
          : i < failAt
            ? "success"
            : i === failAt
              ? "failure"
              : "skipped",
    }));
    run.artifacts = [];
    for (const [name, files] of Object.entries(outcome.artifacts ?? {})) {
      const id = this.nextArtifactId++;
      this.artifacts.set(id, { id, name, zip: zipOf(files), expired: false });
      run.artifacts.push(id);
    }
    if (outcome.files === undefined && !outcome.zip) return;
    if (outcome.files === null) return;
    const id = this.nextArtifactId++;
    const zip = outcome.zip ?? (outcome.files === "expired" ? new Uint8Array() : zipOf(outcome.files!));
    this.artifacts.set(id, { id, name: "smoke-benchmark", zip, expired: outcome.files === "expired" });
    run.artifacts.push(id);
  }

  /** Collaborators' roles (`role_name`), by login; anyone else reads, as on a public repository. */
  readonly roles = new Map<
    string,
    "admin" | "maintain" | "write" | "triage" | "read" | { custom: string; permission: "admin" | "write" | "read" }
  >();

  addPullRequest(
    title = "Make commits faster",
    head: { ref?: string; sha?: string; repository?: string } = {},
  ): number {
    const number = this.nextIssue++;
    const sha =
      head.sha ??
      Array.from(crypto.getRandomValues(new Uint8Array(20)), (b) => b.toString(16).padStart(2, "0")).join("");
    this.issues.set(number, {
      number,
      title,
      body: "",
      labels: [],
      state: "open",
      state_reason: null,
      pull_request: true,
      comments: [],
      head: { ref: head.ref ?? "feature/faster-commit", sha, repository: head.repository ?? this.repository },
    });
    return number;
  }

  /** Someone's comment, written in the web UI. */
  commentAs(number: number, login: string, body: string): void {
    this.addComment(this.issues.get(number)!, body, { login });
  }

  /** A comment at the end of the issue's, and who wrote it; its place in `comments`. */
  private addComment(issue: EmulatedIssue, body: string, author: EmulatedAuthor): number {
    issue.comments.push(body);
    const authors = issue.authors ?? [];
    authors[issue.comments.length - 1] = author;
    issue.authors = authors;
    return issue.comments.length - 1;
  }

  /** What a maintainer does in the web UI. */
  closeByHand(number: number): void {
    Object.assign(this.issues.get(number)!, { state: "closed", state_reason: "not_planned" });
  }

  reopenByHand(number: number): void {
    Object.assign(this.issues.get(number)!, { state: "open", state_reason: "reopened" });
  }

  /** Issues (not pull requests) chimney opened. */
  alertIssues(): EmulatedIssue[] {
    return [...this.issues.values()].filter((i) => !i.pull_request);
  }

  /**
   * A commit on the default branch. Its files are the branch's (`files`) with `options.files`
   * applied (text to write, null to delete), inherited by later commits. `branch: false` makes a
   * commit off the branch, as a pull request's head: its files are not the branch's.
   */
  addCommit(
    message: string,
    options: string | { author?: string; files?: Record<string, string | null>; branch?: boolean } = {},
  ): string {
    const {
      author = "octocat",
      files = {},
      branch = true,
    } = typeof options === "string" ? { author: options } : options;
    const sha = Array.from(crypto.getRandomValues(new Uint8Array(20)), (b) => b.toString(16).padStart(2, "0")).join("");
    const tree = new Map(this.files);
    for (const [path, text] of Object.entries(files)) {
      if (text === null) tree.delete(path);
      else tree.set(path, text);
    }
    this.trees.set(sha, tree);
    if (branch) {
      this.commits.push({ sha, message, author });
      this.files.clear();
      for (const [path, text] of tree) this.files.set(path, text);
    }
    return sha;
  }

  private issueJson(issue: EmulatedIssue) {
    return {
      number: issue.number,
      html_url: `${this.web}/${this.repository}/${issue.pull_request ? "pull" : "issues"}/${issue.number}`,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      state_reason: issue.state_reason,
      labels: issue.labels.map((name) => ({ name })),
      ...(issue.pull_request
        ? { pull_request: { url: `${this.api}/repos/${this.repository}/pulls/${issue.number}` } }
        : {}),
    };
  }

  /** The REST representation of a run attempt. */
  runJson(run: EmulatedRun, attemptNumber?: number) {
    const attempt = attemptNumber ? run.attempts.find((a) => a.attempt === attemptNumber)! : this.latest(run);
    return {
      id: run.id,
      name: "Performance smoke benchmark",
      display_title: run.display_title,
      path: `.github/workflows/${run.workflow}`,
      head_branch: run.head_branch,
      head_sha: run.head_sha,
      run_number: run.id % 1000,
      run_attempt: attempt.attempt,
      event: run.event,
      status: attempt.status,
      conclusion: attempt.conclusion,
      html_url: `${this.web}/${this.repository}/actions/runs/${run.id}`,
      url: `${this.api}/repos/${this.repository}/actions/runs/${run.id}`,
      jobs_url: `${this.api}/repos/${this.repository}/actions/runs/${run.id}/jobs`,
      artifacts_url: `${this.api}/repos/${this.repository}/actions/runs/${run.id}/artifacts`,
      created_at: run.attempts[0].created_at,
      run_started_at: attempt.created_at,
      updated_at: attempt.updated_at,
    };
  }

  /** Who a request's token acts as: the App for an installation token, else the token's user. */
  private actor(c: Context): EmulatedAuthor {
    const token = (c.req.header("authorization") ?? "").replace(/^Bearer /, "");
    return this.mintedTokens.has(token) ? "app" : { login: TOKEN_USER };
  }

  /** A comment in GitHub's wire format: who wrote it, and the App it was performed via. */
  private commentJson(issue: EmulatedIssue, at: number) {
    const id = issue.number * 1000 + at + 1;
    const author = issue.authors?.[at] ?? { login: TOKEN_USER };
    const app = {
      id: Number(this.appId),
      client_id: "Iv23liChimneyPerf",
      slug: APP_SLUG,
      node_id: "A_kwHOAAnWaA",
      name: "chimney perf",
      owner: { login: this.repository.split("/")[0], type: "Organization" },
    };
    return {
      id,
      html_url: `${this.web}/${this.repository}/issues/${issue.number}#issuecomment-${id}`,
      body: issue.comments[at],
      user:
        author === "app"
          ? { login: `${APP_SLUG}[bot]`, id: 290000001, type: "Bot" }
          : { login: author.login, id: 100000 + author.login.length, type: "User" },
      author_association: author === "app" ? "NONE" : "MEMBER",
      performed_via_github_app: author === "app" ? app : null,
    };
  }

  private authorized(c: Context): boolean {
    const header = c.req.header("authorization") ?? "";
    const token = header.replace(/^Bearer /, "");
    return token === TOKEN || this.mintedTokens.has(token);
  }

  private routes(): void {
    const app = this.app;
    const repo = "/repos/:owner/:repo";
    const json = (c: Context, body: unknown, status = 200) =>
      c.json(body as object, status as 200, {
        "x-ratelimit-remaining": "4999",
        "x-github-api-version-selected": "2022-11-28",
      });

    app.use("*", async (c, next) => {
      const url = new URL(c.req.url);
      const named = url.pathname.match(/^\/repos\/([^/]+\/[^/]+)\//)?.[1];
      if (named !== undefined && named.toLowerCase() !== this.repository.toLowerCase())
        return c.json({ message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" }, 404);
      if (url.origin === this.storage || url.pathname.startsWith("/app/") || url.pathname.endsWith("/installation"))
        return next();
      if (!this.authorized(c))
        return c.json(
          { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" },
          401,
        );
      if (!/^(\d{4}-\d{2}-\d{2})$/.test(c.req.header("x-github-api-version") ?? "") || !c.req.header("user-agent")) {
        return c.json(
          {
            message: "Request forbidden by administrative rules. Please make sure your request has a User-Agent header",
          },
          403,
        );
      }
      return next();
    });

    app.post(`${repo}/actions/workflows/:workflow/dispatches`, async (c) => {
      const body = (await c.req.json()) as {
        ref: string;
        inputs?: Record<string, string>;
        return_run_details?: boolean;
      };
      if (this.dispatchStyle === "refuses-field" && "return_run_details" in body) {
        return c.json(
          {
            message: 'Invalid request.\n\n"return_run_details" is not a permitted key.',
            documentation_url: "https://docs.github.com/rest",
            status: "422",
          },
          422,
        );
      }
      const correlation = body.inputs?.correlation_id ?? "";
      const run = this.addRun({
        workflow: c.req.param("workflow"),
        head_branch: body.ref,
        display_title: `Firewood smoke benchmark ${correlation}`.trim(),
        inputs: body.inputs ?? {},
      });
      this.onDispatch?.(run);
      if (this.dispatchStyle === "details" && body.return_run_details) {
        return json(c, {
          workflow_run_id: run.id,
          run_url: `${this.api}/repos/${this.repository}/actions/runs/${run.id}`,
          html_url: `${this.web}/${this.repository}/actions/runs/${run.id}`,
        });
      }
      return c.body(null, 204);
    });

    app.get(`${repo}/actions/workflows/:workflow/runs`, (c) => {
      const created = c.req.query("created")?.replace(/^>=/, "") ?? "1970-01-01T00:00:00Z";
      const runs = [...this.runs.values()]
        .filter(
          (r) =>
            r.workflow === c.req.param("workflow") &&
            r.event === (c.req.query("event") ?? r.event) &&
            r.head_branch === (c.req.query("branch") ?? r.head_branch) &&
            this.latest(r).status === (c.req.query("status") ?? this.latest(r).status) &&
            r.attempts[0].created_at >= created,
        )
        .reverse()
        .map((r) => this.runJson(r));
      return json(c, { total_count: runs.length, workflow_runs: runs });
    });

    app.get(`${repo}/actions/runs/:id/attempts/:attempt/jobs`, (c) => {
      const run = this.runs.get(Number(c.req.param("id")));
      const attempt = run?.attempts.find((a) => a.attempt === Number(c.req.param("attempt")));
      if (!run || !attempt) return c.json({ message: "Not Found", status: "404" }, 404);
      const job = {
        id: run.id * 10 + attempt.attempt,
        name: "Firewood smoke benchmark",
        status: attempt.status,
        conclusion: attempt.conclusion,
        html_url: `${this.web}/${this.repository}/actions/runs/${run.id}/job/${run.id * 10 + attempt.attempt}`,
        steps: attempt.steps.map((s, i) => ({
          name: s.name,
          status: "completed",
          conclusion: s.conclusion,
          number: i + 1,
        })),
      };
      return json(c, { total_count: 1, jobs: [job] });
    });

    app.get(`${repo}/actions/runs/:id/attempts/:attempt`, (c) => {
      const run = this.runs.get(Number(c.req.param("id")));
      if (!run?.attempts.some((a) => a.attempt === Number(c.req.param("attempt"))))
        return c.json({ message: "Not Found", status: "404" }, 404);
      return json(c, this.runJson(run, Number(c.req.param("attempt"))));
    });

    app.get(`${repo}/actions/runs/:id/artifacts`, (c) => {
      const run = this.runs.get(Number(c.req.param("id")));
      if (!run) return c.json({ message: "Not Found", status: "404" }, 404);
      const artifacts = run.artifacts.map((id) => {
        const a = this.artifacts.get(id)!;
        return {
          id,
          name: a.name,
          size_in_bytes: a.zip.byteLength,
          expired: a.expired,
          archive_download_url: `${this.api}/repos/${this.repository}/actions/artifacts/${id}/zip`,
        };
      });
      return json(c, { total_count: artifacts.length, artifacts });
    });

    app.get(`${repo}/actions/artifacts/:id/zip`, (c) => {
      const artifact = this.artifacts.get(Number(c.req.param("id")));
      if (!artifact) return c.json({ message: "Not Found", status: "404" }, 404);
      if (artifact.expired) return c.json({ message: "Artifact has expired", status: "410" }, 410);
      return c.body(null, 302, {
        location: `${this.storage}/artifacts/${artifact.id}.zip?sv=2025-01-05&se=2026-12-01&sig=c2lnbmF0dXJl`,
      });
    });

    app.get("/artifacts/:file", (c) => {
      if (new URL(c.req.url).origin !== this.storage) return c.notFound();
      if (c.req.header("authorization")) {
        return c.body(
          '<?xml version="1.0" encoding="utf-8"?><Error><Code>InvalidAuthenticationInfo</Code></Error>',
          400,
          { "content-type": "application/xml" },
        );
      }
      const artifact = this.artifacts.get(Number(c.req.param("file").replace(".zip", "")));
      if (!artifact) return c.body(null, 404);
      return c.body(artifact.zip as Uint8Array<ArrayBuffer>, 200, {
        "content-type": "application/zip",
        "content-length": String(artifact.zip.byteLength),
      });
    });

    app.post(`${repo}/actions/runs/:id/rerun-failed-jobs`, (c) => {
      const run = this.runs.get(Number(c.req.param("id")));
      if (!run) return c.json({ message: "Not Found", status: "404" }, 404);
      const at = new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
      run.attempts.push({
        attempt: run.attempts.length + 1,
        status: "queued",
        conclusion: null,
        created_at: at,
        updated_at: at,
        steps: [],
      });
      run.artifacts = [];
      return json(c, {}, 201);
    });

    app.post(`${repo}/issues`, async (c) => {
      const body = (await c.req.json()) as { title?: string; body?: string; labels?: string[] };
      if (!body.title)
        return c.json(
          {
            message: "Validation Failed",
            errors: [{ resource: "Issue", code: "missing_field", field: "title" }],
            status: "422",
          },
          422,
        );
      const issue: EmulatedIssue = {
        number: this.nextIssue++,
        title: body.title,
        body: body.body ?? "",
        labels: body.labels ?? [],
        state: "open",
        state_reason: null,
        pull_request: false,
        comments: [],
      };
      this.issues.set(issue.number, issue);
      return json(c, this.issueJson(issue), 201);
    });

    /** One page of a list, as GitHub pages: `per_page` (30, at most 100), `page`, and a Link header. */
    const paged = (c: Context, items: unknown[]) => {
      const perPage = Math.min(100, Math.max(1, Number(c.req.query("per_page") ?? 30)));
      const page = Math.max(1, Number(c.req.query("page") ?? 1));
      const last = Math.max(1, Math.ceil(items.length / perPage));
      const res = json(c, items.slice((page - 1) * perPage, page * perPage));
      if (page < last) {
        const at = (n: number) => {
          const url = new URL(c.req.url);
          url.searchParams.set("page", String(n));
          return url.toString();
        };
        res.headers.set("link", `<${at(page + 1)}>; rel="next", <${at(last)}>; rel="last"`);
      }
      return res;
    };

    app.get(`${repo}/issues`, (c) => {
      const labels = (c.req.query("labels") ?? "").split(",").filter(Boolean);
      const state = c.req.query("state") ?? "open";
      const found = [...this.issues.values()]
        .filter((i) => (state === "all" || i.state === state) && labels.every((l) => i.labels.includes(l)))
        .reverse()
        .map((i) => this.issueJson(i));
      return paged(c, found);
    });

    app.get(`${repo}/issues/:number`, (c) => {
      const issue = this.issues.get(Number(c.req.param("number")));
      return issue ? json(c, this.issueJson(issue)) : c.json({ message: "Not Found", status: "404" }, 404);
    });

    app.patch(`${repo}/issues/:number`, async (c) => {
      const issue = this.issues.get(Number(c.req.param("number")));
      if (!issue) return c.json({ message: "Not Found", status: "404" }, 404);
      const body = (await c.req.json()) as { state?: "open" | "closed"; state_reason?: string };
      if (body.state) issue.state = body.state;
      if (body.state_reason) issue.state_reason = body.state_reason;
      return json(c, this.issueJson(issue));
    });

    app.post(`${repo}/issues/:number/comments`, async (c) => {
      const issue = this.issues.get(Number(c.req.param("number")));
      if (!issue) return c.json({ message: "Not Found", status: "404" }, 404);
      const body = (await c.req.json()) as { body: string };
      const at = this.addComment(issue, body.body, this.actor(c));
      return json(c, this.commentJson(issue, at), 201);
    });

    app.get(`${repo}/issues/:number/comments`, (c) => {
      const issue = this.issues.get(Number(c.req.param("number")));
      if (!issue) return c.json({ message: "Not Found", status: "404" }, 404);
      return paged(
        c,
        issue.comments.map((_, i) => this.commentJson(issue, i)),
      );
    });

    /** Comment ids are the issue's number × 1000 plus the comment's place. */
    app.patch(`${repo}/issues/comments/:id`, async (c) => {
      const id = Number(c.req.param("id"));
      const issue = this.issues.get(Math.floor(id / 1000));
      const at = (id % 1000) - 1;
      if (!issue || at < 0 || at >= issue.comments.length) return c.json({ message: "Not Found", status: "404" }, 404);
      const body = (await c.req.json()) as { body?: string };
      if (typeof body.body !== "string") return c.json({ message: "Invalid request.", status: "422" }, 422);
      issue.comments[at] = body.body;
      return json(c, this.commentJson(issue, at));
    });

    /** The token's user; an installation token is no user's, and GitHub says so. */
    app.get("/user", (c) => {
      const actor = this.actor(c);
      if (actor === "app") return c.json({ message: "Resource not accessible by integration", status: "403" }, 403);
      return json(c, { login: actor.login, id: 100000 + actor.login.length, type: "User" });
    });

    app.get(`${repo}/pulls/:number`, (c) => {
      const issue = this.issues.get(Number(c.req.param("number")));
      if (!issue?.head) return c.json({ message: "Not Found", status: "404" }, 404);
      const head = issue.head;
      const owner = (full: string) => ({ login: full.split("/")[0] });
      const repository = (full: string) => ({
        full_name: full,
        name: full.split("/")[1],
        owner: owner(full),
        fork: full !== this.repository,
      });
      return json(c, {
        url: `${this.api}/repos/${this.repository}/pulls/${issue.number}`,
        html_url: `${this.web}/${this.repository}/pull/${issue.number}`,
        number: issue.number,
        state: issue.state,
        title: issue.title,
        head: {
          label: `${owner(head.repository).login}:${head.ref}`,
          ref: head.ref,
          sha: head.sha,
          repo: repository(head.repository),
        },
        base: {
          label: `${owner(this.repository).login}:main`,
          ref: "main",
          sha: this.commits.at(-1)?.sha ?? ROOT_COMMIT,
          repo: repository(this.repository),
        },
      });
    });

    app.get(`${repo}/collaborators/:username/permission`, (c) => {
      const login = c.req.param("username");
      const role = this.roles.get(login) ?? "read";
      // An organisation's custom role is named by `role_name`; `permission` is the base one it grants.
      if (typeof role === "object")
        return json(c, { permission: role.permission, role_name: role.custom, user: { login, type: "User" } });
      // The legacy `permission` folds maintain into write and triage into read.
      const permission = role === "maintain" ? "write" : role === "triage" ? "read" : role;
      return json(c, { permission, role_name: role, user: { login, type: "User" } });
    });

    app.get(`${repo}/contents/:path{.+}`, async (c) => {
      const path = decodeURIComponent(c.req.param("path"));
      const ref = c.req.query("ref");
      const notFound = (message: string) =>
        c.json({ message, documentation_url: "https://docs.github.com/rest/repos/contents", status: "404" }, 404);
      // A sha names a commit; anything else (or nothing) the default branch.
      const tree = ref && /^[0-9a-f]{40}$/.test(ref) ? this.trees.get(ref) : this.files;
      if (!tree) return notFound(`No commit found for the ref ${ref}`);
      const text = tree.get(path);
      if (text === undefined) return notFound("Not Found");
      if ((c.req.header("accept") ?? "").includes("raw"))
        return c.body(text, 200, { "content-type": "application/vnd.github.raw+json; charset=utf-8" });
      const bytes = new TextEncoder().encode(text);
      const sha = await blobSha(bytes);
      const at = ref ?? "main";
      const large = bytes.byteLength > 1024 * 1024;
      return json(c, {
        name: path.split("/").at(-1),
        path,
        sha,
        size: bytes.byteLength,
        url: `${this.api}/repos/${this.repository}/contents/${path}?ref=${at}`,
        html_url: `${this.web}/${this.repository}/blob/${at}/${path}`,
        git_url: `${this.api}/repos/${this.repository}/git/blobs/${sha}`,
        download_url: `https://raw.githubusercontent.com/${this.repository}/${at}/${path}`,
        type: "file",
        // GitHub's base64 breaks a line after every 60 characters; over 1 MB it sends none.
        content: large ? "" : `${(base64(bytes).match(/.{1,60}/g) ?? []).join("\n")}\n`,
        encoding: large ? "none" : "base64",
        _links: {
          self: `${this.api}/repos/${this.repository}/contents/${path}?ref=${at}`,
          git: `${this.api}/repos/${this.repository}/git/blobs/${sha}`,
          html: `${this.web}/${this.repository}/blob/${at}/${path}`,
        },
      });
    });

    // The history is one branch: a branch name stands for its head. Like GitHub, `status` says
    // where head is from base: ahead, behind (an ancestor of base) or identical.
    app.get(`${repo}/compare/:range`, (c) => {
      const [base, head] = c.req.param("range").split("...");
      const at = (ref: string) =>
        /^[0-9a-f]{40}$/.test(ref) ? this.commits.findIndex((k) => k.sha === ref) : this.commits.length - 1;
      const from = at(base);
      const to = at(head);
      if (from < 0 || to < 0) return c.json({ message: "Not Found", status: "404" }, 404);
      const commits = this.commits.slice(from + 1, to + 1).map((k) => ({
        sha: k.sha,
        html_url: `${this.web}/${this.repository}/commit/${k.sha}`,
        commit: { message: k.message, author: { name: k.author } },
        author: { login: k.author },
      }));
      const status = to > from ? "ahead" : to < from ? "behind" : "identical";
      return json(c, {
        status,
        ahead_by: commits.length,
        behind_by: Math.max(0, from - to),
        total_commits: commits.length,
        commits,
      });
    });

    app.post(`${repo}/hooks`, async (c) => {
      const body = (await c.req.json()) as {
        config?: { url?: string; secret?: string; content_type?: string };
        events?: string[];
      };
      if (!body.config?.url || body.config.content_type !== "json") {
        return c.json(
          {
            message: "Validation Failed",
            errors: [{ resource: "Hook", code: "custom", message: "config.url and content_type json are required" }],
            status: "422",
          },
          422,
        );
      }
      this.hooks.push({ url: body.config.url, secret: body.config.secret ?? "", events: body.events ?? ["push"] });
      return json(
        c,
        {
          id: this.hooks.length,
          type: "Repository",
          active: true,
          events: body.events,
          config: { url: body.config.url, content_type: "json", insecure_ssl: "0" },
        },
        201,
      );
    });

    app.get(`${repo}/installation`, async (c) => {
      if (!(await this.validJwt(c.req.header("authorization"))))
        return c.json({ message: "A JSON web token could not be decoded", status: "401" }, 401);
      return json(c, { id: this.installationId, app_id: Number(this.appId) });
    });

    app.post("/app/installations/:id/access_tokens", async (c) => {
      if (!(await this.validJwt(c.req.header("authorization"))))
        return c.json({ message: "A JSON web token could not be decoded", status: "401" }, 401);
      if (Number(c.req.param("id")) !== this.installationId)
        return c.json({ message: "Not Found", status: "404" }, 404);
      const token = `ghs_${crypto.randomUUID().replaceAll("-", "")}`;
      this.mintedTokens.add(token);
      return json(
        c,
        { token, expires_at: new Date(this.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z") },
        201,
      );
    });
  }

  /** An App JWT as GitHub checks it: RS256, issued by this app, iat in the past, at most 10 minutes long. */
  private async validJwt(header: string | undefined): Promise<boolean> {
    if (!header?.startsWith("Bearer ") || !this.appPublicKey) return false;
    const [h, p, s] = header.slice(7).split(".");
    if (!h || !p || !s) return false;
    const decode = (x: string) =>
      Uint8Array.from(atob(x.replaceAll("-", "+").replaceAll("_", "/")), (ch) => ch.charCodeAt(0));
    const head = JSON.parse(new TextDecoder().decode(decode(h)));
    const claims = JSON.parse(new TextDecoder().decode(decode(p)));
    const nowSeconds = Math.floor(this.now() / 1000);
    if (
      head.alg !== "RS256" ||
      String(claims.iss) !== this.appId ||
      claims.iat > nowSeconds ||
      claims.exp - claims.iat > 660 ||
      claims.exp < nowSeconds
    )
      return false;
    return crypto.subtle.verify(
      "RSASSA-PKCS1-v1_5",
      this.appPublicKey,
      decode(s),
      new TextEncoder().encode(`${h}.${p}`),
    );
  }
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Git's blob sha: SHA-1 of `blob {size}\0` and the bytes. */
async function blobSha(bytes: Uint8Array): Promise<string> {
  const header = new TextEncoder().encode(`blob ${bytes.byteLength}\0`);
  const whole = new Uint8Array(header.byteLength + bytes.byteLength);
  whole.set(header);
  whole.set(bytes, header.byteLength);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", whole));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Several repositories behind one API, each served by its own emulator: a request naming a
 * repository goes to that repository's, an artifact download to the one whose storage it is, an
 * installation's token to the one installed there; a repository none serves is not found.
 */
export function repositories(...emulators: GitHubEmulator[]): typeof fetch {
  return async (input, init) => {
    const url = new URL(new Request(input, init).url);
    const named = url.pathname.match(/^\/repos\/([^/]+\/[^/]+)\//)?.[1]?.toLowerCase();
    const installation = Number(url.pathname.match(/^\/app\/installations\/(\d+)\//)?.[1]);
    const emulator =
      emulators.find((e) => e.repository.toLowerCase() === named) ??
      emulators.find((e) => url.origin === new URL(e.storage).origin) ??
      emulators.find((e) => e.installationId === installation) ??
      emulators[0];
    return emulator.fetch(input, init);
  };
}
