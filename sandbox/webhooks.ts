/**
 * Webhook deliveries as GitHub sends them: the real `workflow_run` payloads of
 * @octokit/webhooks-examples, pointed at an emulated run, and signed.
 */
import { sign } from "@octokit/webhooks-methods";
import examples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };
import { API, type EmulatedRun, type GitHubEmulator } from "./github.ts";

type Example = { name: string; examples: Record<string, any>[] };

const workflowRunExamples = (examples as unknown as Example[]).find((e) => e.name === "workflow_run")!.examples;
const issueLabeledExample = (examples as unknown as Example[])
  .find((e) => e.name === "issues")!
  .examples.find((e) => e.action === "labeled")!;
const commentCreatedExample = (examples as unknown as Example[])
  .find((e) => e.name === "issue_comment")!
  .examples.find((e) => e.action === "created" && !e.issue.pull_request)!;
const pingExample = (examples as unknown as Example[]).find((e) => e.name === "ping")!.examples[0];

/** The example payloads as published: `requested` (queued) and `completed` (success). */
const REQUESTED = workflowRunExamples.find((e) => e.action === "requested" && e.workflow_run.conclusion === null)!;
const COMPLETED = workflowRunExamples.find(
  (e) => e.action === "completed" && e.workflow_run.conclusion === "success" && e.workflow_run.path,
)!;

export type Action = "requested" | "in_progress" | "completed";

/**
 * A workflow_run payload for a run of the emulator. GitHub publishes no `in_progress`
 * example; it is the `requested` one with the action and status GitHub sends.
 */
export function workflowRunPayload(
  emulator: GitHubEmulator,
  run: EmulatedRun,
  action: Action,
  attempt?: number,
): string {
  const payload = structuredClone(action === "completed" ? COMPLETED : REQUESTED);
  payload.action = action;
  payload.repository.full_name = emulator.repository;
  payload.repository.name = emulator.repository.split("/")[1];
  payload.workflow.path = `.github/workflows/${run.workflow}`;
  Object.assign(payload.workflow_run, emulator.runJson(run, attempt), {
    status: action === "in_progress" ? "in_progress" : emulator.runJson(run, attempt).status,
  });
  return JSON.stringify(payload);
}

/** An `issues` `labeled` payload: `sender` added `label` to the emulator's issue `number`. */
export function issueLabeledPayload(emulator: GitHubEmulator, number: number, label: string, sender: string): string {
  const payload = structuredClone(issueLabeledExample);
  pointAt(payload, emulator, number, sender);
  payload.label.name = label;
  payload.issue.labels = [...(emulator.issues.get(number)?.labels ?? []), label].map((name) => ({
    ...payload.label,
    name,
  }));
  return JSON.stringify(payload);
}

/** An `issue_comment` `created` payload: `sender` commented `body` (comment `id`) on the emulator's issue `number`. */
export function issueCommentPayload(
  emulator: GitHubEmulator,
  number: number,
  body: string,
  sender: string,
  id: number,
  senderType: "User" | "Bot" = "User",
): string {
  const payload = structuredClone(commentCreatedExample);
  pointAt(payload, emulator, number, sender, senderType);
  Object.assign(payload.comment, { id, body, user: { ...payload.comment.user, login: sender, type: senderType } });
  return JSON.stringify(payload);
}

function pointAt(
  payload: Record<string, any>,
  emulator: GitHubEmulator,
  number: number,
  sender: string,
  type = "User",
) {
  payload.repository.full_name = emulator.repository;
  payload.repository.name = emulator.repository.split("/")[1];
  payload.issue.number = number;
  payload.issue.title = emulator.issues.get(number)?.title ?? payload.issue.title;
  payload.sender = { ...payload.sender, login: sender, type };
}

export function pingPayload(): string {
  return JSON.stringify(pingExample);
}

export async function deliveryHeaders(secret: string, event: string, body: string, id: string = crypto.randomUUID()) {
  return {
    "content-type": "application/json",
    "user-agent": "GitHub-Hookshot/0b1c2d3",
    "x-github-event": event,
    "x-github-delivery": id,
    "x-github-hook-id": "485302981",
    "x-hub-signature-256": await sign(secret, body),
  };
}

/**
 * An issue_comment `created` payload for a comment on a pull request of the emulator. GitHub
 * publishes examples on issues only; on a pull request the issue carries `pull_request` links.
 */
export function pullRequestCommentPayload(
  emulator: GitHubEmulator,
  comment: { pr: number; body: string; login: string; id: number },
): string {
  const payload = structuredClone(commentCreatedExample);
  pointAt(payload, emulator, comment.pr, comment.login);
  const web = `https://github.com/${emulator.repository}`;
  const api = `${API}/repos/${emulator.repository}`;
  payload.repository.owner.login = emulator.repository.split("/")[0];
  Object.assign(payload.issue, {
    html_url: `${web}/pull/${comment.pr}`,
    pull_request: {
      url: `${api}/pulls/${comment.pr}`,
      html_url: `${web}/pull/${comment.pr}`,
      diff_url: `${web}/pull/${comment.pr}.diff`,
      patch_url: `${web}/pull/${comment.pr}.patch`,
      merged_at: null,
    },
  });
  Object.assign(payload.comment, {
    id: comment.id,
    body: comment.body,
    html_url: `${web}/pull/${comment.pr}#issuecomment-${comment.id}`,
  });
  payload.comment.user.login = comment.login;
  return JSON.stringify(payload);
}
