/**
 * A maintainer's command on one of chimney's alert issues, from an `issues` (labeled) or
 * `issue_comment` (created) delivery: accept the episode's level, or snooze chimney's comments.
 * Only someone with write, maintain or admin permission commands; chimney's own comments
 * (core/own-comment.ts: its marker, written by chimney), bots', other repositories' issues and issues chimney did not open are ignored, with the reason logged.
 * The decision is planned into the outbox like a verdict, so its comment is sent (and retried)
 * as every alert write is, once per command.
 */
import * as v from "valibot";
import { acceptanceOf, episodeNights } from "../core/acceptance.ts";
import { fingerprintOf, KIND_LABELS, type Alert, type AlertDecision, type AlertKind } from "../core/alert.ts";
import { DRIFT_FINGERPRINT } from "../core/drift.ts";
import { refusedComment } from "../core/issue/decision.ts";
import { isChimneysComment, type Authored } from "../core/own-comment.ts";
import { commandOfComment, commandOfLabel, mayCommand, type IssueCommand } from "../core/issue-command.ts";
import { parseJson, parseWith, type Parsed } from "../core/validation.ts";
import { sameRepository } from "../core/workflow.ts";
import { permissionOf } from "../github/collaborators.ts";
import { comment, hasComment, PerformedViaApp } from "../github/issues.ts";
import type { LoopDeps } from "./deps.ts";

export const ISSUE_EVENTS = ["issues", "issue_comment"] as const;

const user = v.object({ login: v.string(), type: v.optional(v.string(), "User") });

const issueEvent = v.object({
  action: v.string(),
  issue: v.object({ number: v.number(), pull_request: v.optional(v.unknown()) }),
  label: v.optional(v.object({ name: v.string() })),
  comment: v.optional(
    v.object({
      id: v.number(),
      body: v.nullish(v.string(), ""),
      user,
      performed_via_github_app: PerformedViaApp,
    }),
  ),
  sender: user,
  repository: v.object({ full_name: v.string() }),
});

/** The alerts whose episodes are a level of the smoke nights, which a maintainer may accept. */
const ACCEPTABLE = [fingerprintOf("regression", "smoke"), DRIFT_FINGERPRINT];

type IssueEvent = v.InferOutput<typeof issueEvent>;

/** What a delivery asks of chimney, once the event is chimney's to hear. */
export interface Command {
  /** The comment or the label event: one command, acted on once. */
  id: string;
  issue: number;
  by: string;
  command: IssueCommand;
  /** The comment that says it; null for a label. */
  comment: Authored | null;
}

export function readIssueEvent(body: Uint8Array): Parsed<IssueEvent> {
  const json = parseJson(new TextDecoder().decode(body));
  return json.ok ? parseWith(issueEvent, json.value) : json;
}

/** The command a delivery carries, or why chimney does not hear it. */
export function commandOf(deps: LoopDeps, deliveryId: string, event: string, e: IssueEvent): Command | string {
  if (!deps.github) return "GitHub is not configured (GITHUB_REPOSITORY and a token or App)";
  if (!sameRepository(e.repository.full_name, deps.github.repository))
    return `the event is about ${e.repository.full_name}, not ${deps.github.repository}`;
  if (e.issue.pull_request !== undefined) return `#${e.issue.number} is a pull request, not an alert issue`;
  if (event === "issues") {
    if (e.action !== "labeled" || !e.label) return `chimney does not handle the issues ${e.action} action`;
    const command = commandOfLabel(e.label.name);
    if (!command) return `the label ${e.label.name} is not chimney's`;
    return { id: `label-${deliveryId}`, issue: e.issue.number, by: e.sender.login, command, comment: null };
  }
  if (e.action !== "created" || !e.comment) return `chimney does not handle the issue_comment ${e.action} action`;
  // Bots (chimney's App among them) have no permission to check: only people command chimney.
  if (e.comment.user.type === "Bot") return "the comment is a bot's: only people command chimney";
  const command = commandOfComment(e.comment.body ?? "");
  if (!command) return "the comment holds no /chimney command";
  return {
    id: `comment-${e.comment.id}`,
    issue: e.issue.number,
    by: e.comment.user.login,
    command,
    comment: e.comment,
  };
}

/**
 * Acts on a command: ignored (and logged) when the issue is no open alert's or its author may
 * not command; a command chimney cannot take is answered with what it takes. A GitHub failure
 * (the permission answer, the reply) is thrown, so the delivery fails and the tick retries it.
 */
export async function actOnCommand(deps: LoopDeps, cmd: Command): Promise<void> {
  const github = deps.github;
  if (!github) return;
  const ignored = (reason: string) =>
    deps.log({ event: "issue_command_ignored", command: cmd.id, issue: cmd.issue, by: cmd.by, reason });
  const client = github.client();
  // chimney's replies quote the commands they take; a token's user is chimney's author too.
  if (cmd.comment && isChimneysComment(cmd.comment, await github.identity(client)))
    return ignored("the comment is chimney's own");
  const alert = await alertOfIssue(deps, cmd.issue);
  if (alert?.state !== "open" || alert.issue_number !== cmd.issue)
    return ignored(`#${cmd.issue} is not the issue of an open alert chimney opened`);
  const permission = await permissionOf(client, cmd.by);
  if (!mayCommand(permission))
    return ignored(
      `${cmd.by} has ${permission.role_name ?? permission.permission} permission, not write, maintain or admin`,
    );
  if (cmd.command.kind === "refused") {
    const marker = `chimney:reply=${cmd.id}`;
    if (!(await hasComment(client, cmd.issue, marker, await github.identity(client))))
      await comment(client, cmd.issue, refusedComment(cmd.command.reason, marker));
    deps.log({ event: "issue_command_refused", command: cmd.id, issue: cmd.issue, by: cmd.by });
    return;
  }
  if (cmd.command.kind === "accept" && !ACCEPTABLE.includes(alert.fingerprint))
    return ignored(`${alert.fingerprint} has no level to accept: only the smoke regression and drift alerts do`);
  const decision = await decisionOf(deps, alert, cmd);
  if (!decision) return ignored(`${alert.fingerprint} has no night with a result to accept`);
  const now = deps.now().toISOString();
  await deps.alerts.plan({ id: `${decision.kind}@${cmd.id}`, at: now, verdicts: [], pr_number: null, decision }, now);
  deps.log({
    event: "issue_command",
    command: cmd.id,
    kind: decision.kind,
    fingerprint: alert.fingerprint,
    by: cmd.by,
  });
}

/**
 * The alert whose issue this is, read from the record of truth (not the projection /status
 * reads, which may not show an alert opened a moment ago): every fingerprint chimney can have.
 */
async function alertOfIssue(deps: LoopDeps, issue: number): Promise<Alert | null> {
  const kinds = Object.keys(KIND_LABELS) as AlertKind[];
  const fingerprints = [
    ...["smoke", ...deps.config.CHIMNEY_SUITES.map((s) => s.name)].flatMap((name) =>
      kinds.map((k) => fingerprintOf(k, name)),
    ),
    DRIFT_FINGERPRINT,
  ];
  const alerts = await Promise.all([...new Set(fingerprints)].map((f) => deps.alerts.alert(f)));
  return alerts.find((a) => a?.issue_number === issue) ?? null;
}

async function decisionOf(deps: LoopDeps, alert: Alert, cmd: Command): Promise<AlertDecision | null> {
  const now = deps.now();
  if (cmd.command.kind === "snooze") {
    const until = new Date(now.getTime() + cmd.command.ms).toISOString();
    return { kind: "snooze", fingerprint: alert.fingerprint, snooze: { until, by: cmd.by, command: cmd.id } };
  }
  const { runs } = await deps.runs.history(100, null);
  const drifts = alert.fingerprint === DRIFT_FINGERPRINT ? ((await deps.changes.latest())?.drifts ?? []) : [];
  const driftSince = drifts.length > 0 ? drifts.map((c) => c.at).sort()[0] : null;
  const acceptance = acceptanceOf(alert, episodeNights(runs, alert, driftSince), cmd.by, now.toISOString());
  return acceptance && { kind: "accept", fingerprint: alert.fingerprint, acceptance };
}
