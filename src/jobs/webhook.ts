/**
 * GitHub webhook deliveries, once their signature is verified: which ones concern the
 * benchmark, deduplication by delivery id, and the processing done after the answer.
 */
import * as v from "valibot";
import { parseJson, parseWith, type Parsed } from "../core/validation.ts";
import { isWorkflowFile, sameRepository } from "../core/workflow.ts";
import { workflowRunSchema, type WorkflowRun } from "../github/actions.ts";
import { readersOfRun, seriesSuitesOf, watchedRepositories, type SeriesSuite } from "../core/suite-results.ts";
import { takeDelivery, type Delivery, type Reception } from "./delivery-intake.ts";
import { messageOf, type LoopDeps } from "./deps.ts";
import { actOnCommand, commandOf, ISSUE_EVENTS, readIssueEvent, type Command } from "./issue-command.ts";
import { isPullRequestComment, receivePullRequestComment, retryPullRequestComment } from "./pr-bench.ts";
import { handleFollowedRun } from "./suite-run.ts";
import { handleWorkflowRun } from "./workflow-run.ts";

/** A workflow_run event; its run's links must point to the GitHub that `apiUrl` belongs to. */
const workflowRunEvent = (apiUrl: string) =>
  v.object({
    action: v.string("must be a string"),
    workflow_run: workflowRunSchema(apiUrl),
    repository: v.object({ full_name: v.string("must be a string") }),
  });

type WorkflowRunEvent = v.InferOutput<ReturnType<typeof workflowRunEvent>>;

export type { Delivery, Reception } from "./delivery-intake.ts";

const HANDLED_ACTIONS = ["requested", "in_progress", "completed"] as const;

export async function receiveDelivery(deps: LoopDeps, delivery: Delivery): Promise<Reception> {
  if (delivery.event === "ping") return { kind: "pong" };
  // A pull request's comment is a `/chimney bench`; any other issue event, a command on an alert issue.
  if (isPullRequestComment(delivery.event, delivery.body)) return receivePullRequestComment(deps, delivery);
  if ((ISSUE_EVENTS as readonly string[]).includes(delivery.event)) return receiveIssueDelivery(deps, delivery);
  if (delivery.event !== "workflow_run")
    return { kind: "ignored", reason: `chimney does not handle ${delivery.event} events` };
  const payload = readEvent(deps, delivery.body);
  if (!payload.ok) return { kind: "invalid", issues: payload.issues };
  const event = payload.value;
  const verdict = routeOf(deps, event);
  if (typeof verdict === "string") return { kind: "ignored", reason: verdict };
  return takeDelivery(deps, delivery, () => processDelivery(deps, delivery.id, event));
}

/** An `issues` or `issue_comment` delivery: a maintainer's command on an alert issue, or ignored with the reason. */
async function receiveIssueDelivery(deps: LoopDeps, delivery: Delivery): Promise<Reception> {
  const payload = readIssueEvent(delivery.body);
  if (!payload.ok) return { kind: "invalid", issues: payload.issues };
  const command = commandOf(deps, delivery.id, delivery.event, payload.value);
  if (typeof command === "string") {
    deps.log({ event: "issue_event_ignored", delivery: delivery.id, reason: command });
    return { kind: "ignored", reason: command };
  }
  return takeDelivery(deps, delivery, () => processCommand(deps, delivery.id, command));
}

async function processCommand(deps: LoopDeps, id: string, command: Command): Promise<void> {
  try {
    await actOnCommand(deps, command);
    await deps.deliveries.finish(id, { state: "done", error: null }, deps.now().toISOString());
  } catch (error) {
    deps.log({ event: "delivery_failed", delivery: id, command: command.id, error: messageOf(error) });
    await deps.deliveries.finish(id, { state: "failed", error: messageOf(error) }, deps.now().toISOString());
  }
}

/** Takes up a stored delivery again (the reconcile tick). */
export async function retryDelivery(deps: LoopDeps, id: string, event: string): Promise<void> {
  const body = await deps.inbox.get(id);
  if (body && (await retryPullRequestComment(deps, id, event, body))) return;
  if ((ISSUE_EVENTS as readonly string[]).includes(event)) return retryCommand(deps, id, event, body);
  const payload = body ? readEvent(deps, body) : null;
  if (!payload?.ok) {
    await deps.deliveries.finish(
      id,
      { state: "done", error: "the stored body is missing or unreadable" },
      deps.now().toISOString(),
    );
    return;
  }
  if (!(await deps.deliveries.claim(id, "workflow_run", deps.now().toISOString()))) return;
  if (id.startsWith(FOLLOWED_RUN))
    await retryFollowedRun(deps, id, payload.value.workflow_run, payload.value.repository.full_name);
  else await processDelivery(deps, id, payload.value);
}

async function retryCommand(deps: LoopDeps, id: string, event: string, body: Uint8Array | null): Promise<void> {
  const payload = body ? readIssueEvent(body) : null;
  const command = payload?.ok ? commandOf(deps, id, event, payload.value) : "the stored body is missing or unreadable";
  if (typeof command === "string") {
    await deps.deliveries.finish(id, { state: "done", error: command }, deps.now().toISOString());
    return;
  }
  if (!(await deps.deliveries.claim(id, event, deps.now().toISOString()))) return;
  await processCommand(deps, id, command);
}

async function processDelivery(deps: LoopDeps, id: string, event: WorkflowRunEvent): Promise<void> {
  const route = routeOf(deps, event);
  if (typeof route === "string") {
    // Accepted when it arrived, but the configuration has changed since: nothing to do now.
    await deps.deliveries.finish(id, { state: "done", error: route }, deps.now().toISOString());
    return;
  }
  try {
    if (route.kind === "suites") {
      await readFollowedRun(deps, route.suites, event);
      await deps.deliveries.finish(id, { state: "done", error: null }, deps.now().toISOString());
      return;
    }
    const handled = await handleWorkflowRun(deps, event.action as (typeof HANDLED_ACTIONS)[number], event.workflow_run);
    // A completed run that could not be read is recorded, and read again by the reconcile tick: the delivery is done.
    const error = handled.ok ? null : messageOf(handled.error);
    // The suites that follow the smoke workflow read the same run after it, under the run's own delivery.
    if (route.followed.length > 0) await readFollowedRun(deps, route.followed, event);
    await deps.deliveries.finish(id, { state: "done", error }, deps.now().toISOString());
  } catch (error) {
    deps.log({ event: "delivery_failed", delivery: id, run: event.workflow_run.id, error: messageOf(error) });
    await deps.deliveries.finish(id, { state: "failed", error: messageOf(error) }, deps.now().toISOString());
  }
}

/**
 * A completed run is read for the suites following its workflow under a delivery of its own,
 * `followed-run-<id>-<attempt>`, whichever path brings it first: its webhook, or the reconcile
 * tick finding it after the webhook was lost (jobs/discover.ts). Claiming that delivery makes
 * the two agree, so the run is read once; its body (the run, as a completed event) is kept in
 * the inbox, so a read GitHub failed is retried by the tick like any failed delivery.
 */
const FOLLOWED_RUN = "followed-run-";

function followedRunDelivery(run: WorkflowRun, repository: string): { id: string; body: Uint8Array } {
  const event = { action: "completed", workflow_run: run, repository: { full_name: repository } };
  return { id: `${FOLLOWED_RUN}${run.id}-${run.run_attempt}`, body: new TextEncoder().encode(JSON.stringify(event)) };
}

/** The webhook's path: reads the run unless another path has it, or read it already. */
async function readFollowedRun(deps: LoopDeps, suites: SeriesSuite[], event: WorkflowRunEvent): Promise<void> {
  const run = event.workflow_run;
  const delivery = followedRunDelivery(run, event.repository.full_name);
  await deps.inbox.keep(delivery.id, delivery.body);
  if (!(await deps.deliveries.claim(delivery.id, "workflow_run", deps.now().toISOString()))) return;
  await readClaimed(deps, delivery.id, suites, run, event.repository.full_name);
}

/**
 * The reconcile tick's path, for a run it found: reads it only when no path has taken it up
 * before (its body is not kept), so a run read, refused or failing is not read again here; a
 * failed read is the delivery's to retry. Returns null when the run was taken up before,
 * `unaffordable` when it was not and `affordable()` says there is no budget to read it now.
 */
export async function readFoundRun(
  deps: LoopDeps,
  suites: SeriesSuite[],
  run: WorkflowRun,
  repository: string,
  affordable: () => boolean,
): Promise<{ error: unknown } | "unaffordable" | null> {
  const delivery = followedRunDelivery(run, repository);
  if ((await deps.inbox.get(delivery.id)) !== null) return null;
  if (!affordable()) return "unaffordable";
  if ((await deps.inbox.keep(delivery.id, delivery.body)) !== "kept") return null;
  if (!(await deps.deliveries.claim(delivery.id, "workflow_run", deps.now().toISOString()))) return null;
  return { error: await readClaimed(deps, delivery.id, suites, run, repository) };
}

async function retryFollowedRun(deps: LoopDeps, id: string, run: WorkflowRun, repository: string): Promise<void> {
  const suites = deps.github
    ? readersOfRun(deps.config.CHIMNEY_SUITES, repository, deps.config.GITHUB_WORKFLOW, run)
    : [];
  if (suites.length === 0) {
    // The configuration has changed since the run was found: nothing reads it now.
    const error = "no suite follows the run's workflow on its branch any more";
    await deps.deliveries.finish(id, { state: "done", error }, deps.now().toISOString());
    return;
  }
  await readClaimed(deps, id, suites, run, repository);
}

/** Reads a run whose delivery is claimed, and finishes it: failed (to be retried) when GitHub failed, with the error. */
async function readClaimed(
  deps: LoopDeps,
  id: string,
  suites: SeriesSuite[],
  run: WorkflowRun,
  repository: string,
): Promise<unknown> {
  try {
    await handleFollowedRun(deps, suites, run, repository);
    await deps.deliveries.finish(id, { state: "done", error: null }, deps.now().toISOString());
    return null;
  } catch (error) {
    deps.log({ event: "delivery_failed", delivery: id, run: run.id, error: messageOf(error) });
    await deps.deliveries.finish(id, { state: "failed", error: messageOf(error) }, deps.now().toISOString());
    return error;
  }
}

function readEvent(deps: LoopDeps, body: Uint8Array): Parsed<WorkflowRunEvent> {
  const json = parseJson(new TextDecoder().decode(body));
  return json.ok ? parseWith(workflowRunEvent(deps.config.GITHUB_API_URL), json.value) : json;
}

/**
 * Who handles a run: the smoke suite's nightly loop (and, once a run of its workflow has
 * completed, the suites that follow that workflow on the run's branch), or the suites that
 * follow another workflow.
 */
type Route = { kind: "smoke"; followed: SeriesSuite[] } | { kind: "suites"; suites: SeriesSuite[] };

/**
 * Who handles an event, or why it is not about any suite. The smoke suite's nightly loop is
 * GITHUB_REPOSITORY's; the suites read through their series hear their own repository's events.
 */
function routeOf(deps: LoopDeps, event: WorkflowRunEvent): Route | string {
  if (!deps.github) return "GitHub is not configured (GITHUB_REPOSITORY and a token or App)";
  const repository = event.repository.full_name;
  const watched = watchedRepositories(deps.config.CHIMNEY_SUITES, deps.github.repository);
  if (!watched.some((r) => sameRepository(r, repository)))
    return `the event is about ${repository}, not ${watched.join(" or ")}`;
  const run = event.workflow_run;
  const smoke =
    sameRepository(repository, deps.github.repository) && isWorkflowFile(run.path, deps.config.GITHUB_WORKFLOW);
  const followed = seriesSuitesOf(deps.config.CHIMNEY_SUITES, repository, run.path);
  if (!smoke && followed.length === 0)
    return `the run is of ${run.path ?? "an unnamed workflow"}, not ${deps.config.GITHUB_WORKFLOW}`;
  if (!(HANDLED_ACTIONS as readonly string[]).includes(event.action))
    return `chimney does not handle the ${event.action} action`;
  const readers = () => readersOfRun(deps.config.CHIMNEY_SUITES, repository, deps.config.GITHUB_WORKFLOW, run);
  // The smoke workflow is the nightly loop's; the suites following it too read its completed runs.
  if (smoke) return { kind: "smoke", followed: event.action === "completed" ? readers() : [] };
  if (event.action !== "completed") return `chimney reads a followed suite's run once it has completed`;
  const onBranch = readers();
  if (onBranch.length === 0) {
    const reason = `the run is of branch ${run.head_branch ?? "(none)"}; ${followed
      .map((s) => `${s.name} follows ${s.branch}`)
      .join(", ")}`;
    deps.log({ event: "suite_run_ignored", run: run.id, reason });
    return reason;
  }
  return { kind: "suites", suites: onBranch };
}
