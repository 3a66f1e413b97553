/**
 * `/chimney bench` on a pull request (an issue_comment webhook): a collaborator with write
 * permission asks chimney to benchmark the pull request's head commit; a fork's commit runs on
 * the self-hosted runner only once a maintainer approved that exact sha. What a command does is
 * decided in core/pr-bench.ts; this job reads GitHub and acts.
 */
import * as v from "valibot";
import { newDispatch } from "../core/dispatch.ts";
import { approvalRequest } from "../core/issue/pr-bench.ts";
import { benchBranch, decideCommand, refusedRole, parseCommand, type BenchCommand } from "../core/pr-bench.ts";
import { parseJson, parseWith } from "../core/validation.ts";
import { pullRequestCorrelationId, sameRepository } from "../core/workflow.ts";
import { comment, hasComment } from "../github/issues.ts";
import { collaboratorRole } from "../github/collaborators.ts";
import { getPullRequest } from "../github/pulls.ts";
import { takeDelivery, type Delivery, type Reception } from "./delivery-intake.ts";
import { messageOf, type LoopDeps } from "./deps.ts";
import { performDispatch } from "./dispatch.ts";

const CommentEvent = v.object({
  action: v.string(),
  issue: v.object({ number: v.pipe(v.number(), v.integer(), v.minValue(1)), pull_request: v.optional(v.unknown()) }),
  comment: v.object({
    id: v.pipe(v.number(), v.integer(), v.minValue(1)),
    body: v.nullish(v.string(), ""),
    user: v.object({ login: v.string() }),
  }),
  repository: v.object({ full_name: v.string() }),
});

type CommentEvent = v.InferOutput<typeof CommentEvent>;

/** Whether a delivery is a comment on a pull request: the deliveries this job takes. */
export function isPullRequestComment(event: string, body: Uint8Array): boolean {
  if (event !== "issue_comment") return false;
  const json = parseJson(new TextDecoder().decode(body));
  const issue = json.ok ? (json.value as { issue?: { pull_request?: unknown } } | null)?.issue : undefined;
  return typeof issue === "object" && issue !== null && issue.pull_request != null;
}

function readComment(body: Uint8Array) {
  const json = parseJson(new TextDecoder().decode(body));
  return json.ok ? parseWith(CommentEvent, json.value) : json;
}

export async function receivePullRequestComment(deps: LoopDeps, delivery: Delivery): Promise<Reception> {
  const parsed = readComment(delivery.body);
  if (!parsed.ok) return { kind: "invalid", issues: parsed.issues };
  const event = parsed.value;
  const command = parseCommand(event.comment.body);
  if (event.action !== "created" || command === null)
    return { kind: "ignored", reason: "not a /chimney bench command" };
  if (!deps.github)
    return { kind: "ignored", reason: "GitHub is not configured (GITHUB_REPOSITORY and a token or App)" };
  if (!sameRepository(event.repository.full_name, deps.github.repository))
    return {
      kind: "ignored",
      reason: `the comment is on ${event.repository.full_name}, not ${deps.github.repository}`,
    };
  return takeDelivery(deps, delivery, () => processComment(deps, delivery.id, event, command));
}

/** Takes up a stored comment delivery again (the reconcile tick); false when the delivery is not one. */
export async function retryPullRequestComment(
  deps: LoopDeps,
  id: string,
  event: string,
  body: Uint8Array,
): Promise<boolean> {
  if (!isPullRequestComment(event, body)) return false;
  const parsed = readComment(body);
  const command = parsed.ok ? parseCommand(parsed.value.comment.body) : null;
  if (!parsed.ok || !command) {
    await deps.deliveries.finish(
      id,
      { state: "done", error: "not a /chimney bench command" },
      deps.now().toISOString(),
    );
    return true;
  }
  if (await deps.deliveries.claim(id, "issue_comment", deps.now().toISOString()))
    await processComment(deps, id, parsed.value, command);
  return true;
}

async function processComment(deps: LoopDeps, id: string, event: CommentEvent, command: BenchCommand): Promise<void> {
  const finish = (state: "done" | "failed", error: string | null) =>
    deps.deliveries.finish(id, { state, error }, deps.now().toISOString());
  const github = deps.github;
  if (!github) return finish("done", "GitHub is not configured");
  const number = event.issue.number;
  const login = event.comment.user.login;
  try {
    const client = github.client();
    const ignore = (reason: string) => {
      deps.log({ event: "pr_command_ignored", pr: number, comment: event.comment.id, reason });
      return finish("done", reason);
    };
    const role = await collaboratorRole(client, login);
    const refused = refusedRole(command, login, role);
    if (refused) return ignore(refused);
    const pr = await getPullRequest(client, number);
    const decision = decideCommand(command, login, role, pr);
    switch (decision.kind) {
      case "ignore":
        return ignore(decision.reason);
      case "ask_approval": {
        const marker = `chimney:pr-bench-approval=${decision.sha}`;
        if (!(await hasComment(client, number, marker, await github.identity(client))))
          await comment(client, number, approvalRequest(decision.sha));
        deps.log({ event: "pr_bench_awaits_approval", pr: number, sha: decision.sha });
        return finish("done", null);
      }
      case "dispatch": {
        const dispatch = newDispatch(
          {
            kind: "manual",
            night: null,
            correlation_id: pullRequestCorrelationId(number, event.comment.id),
            ref: benchBranch(pr, deps.trackedRef),
            pr_number: number,
            sha: decision.sha,
            confirms: null,
          },
          deps.now().toISOString(),
        );
        // One dispatch per comment: a delivery under a new id, or a retry, finds it claimed.
        if (await deps.dispatches.claim(dispatch)) {
          const done = await performDispatch(deps, dispatch);
          deps.log({ event: "pr_bench_dispatched", pr: number, sha: decision.sha, by: login, state: done.state });
        }
        return finish("done", null);
      }
    }
  } catch (error) {
    deps.log({ event: "delivery_failed", delivery: id, pr: number, error: messageOf(error) });
    return finish("failed", messageOf(error));
  }
}
