/**
 * The `/status` answer, built once while what it shows stays the same: its reads are kept for a
 * few seconds (`ReadCache`) and come back as the same objects, so a burst of readers shares one
 * body and one ETag instead of building the JSON and hashing it on every request.
 */
import { latestChanges } from "../core/drift.ts";
import { overallSignal } from "../core/status.ts";
import { currentStatus, currentSuiteSignals, type CurrentStatus, type SuiteSignal } from "../jobs/status.ts";
import { linksFor, type AppDeps } from "./deps.ts";
import { etagOf } from "./validators.ts";
import { changeView, entryView, runUrl } from "./views.ts";

export interface StatusAnswer {
  body: string;
  etag: string;
}

interface Built {
  /** What the answer was built from: the kept reads themselves, and the values that move with time. */
  inputs: readonly unknown[];
  answer: StatusAnswer;
}

/** The last answer built, per deployment the isolate serves. */
const built = new WeakMap<AppDeps, Built>();

export async function statusAnswer(deps: AppDeps): Promise<StatusAnswer> {
  const status = await currentStatus(deps);
  const suites = await currentSuiteSignals(deps, status.signal, status.alerts);
  const { doc, signal, alerts, accepted, dashboards, changes } = status;
  // The signal is compared by its words: it moves with the clock (a night goes stale) with no new read.
  const inputs = [doc, alerts, accepted, dashboards, changes, signal.state, signal.reason, JSON.stringify(suites)];
  const last = built.get(deps);
  if (last?.inputs.every((input, i) => input === inputs[i])) return last.answer;
  const body = JSON.stringify(statusView(deps, status, suites));
  const answer = { body, etag: await etagOf(body) };
  built.set(deps, { inputs, answer });
  return answer;
}

function statusView(deps: AppDeps, status: CurrentStatus, suites: SuiteSignal[]) {
  const { doc, signal, alerts, accepted, dashboards, changes } = status;
  const overall = overallSignal(suites);
  const links = linksFor(deps);
  return {
    state: signal.state,
    reason: signal.reason,
    latest_night: doc?.night ? entryView(links, doc.night) : null,
    in_progress: doc?.in_progress
      ? {
          id: doc.in_progress.id,
          kind: doc.in_progress.dispatch_kind ?? "external",
          since: doc.in_progress.at,
          url: runUrl(links, doc.in_progress.id),
        }
      : null,
    latest_run: doc?.latest ? entryView(links, doc.latest) : null,
    last_completed_run: doc?.last_completed ? entryView(links, doc.last_completed) : null,
    runs: doc?.runs ?? 0,
    dashboards: dashboards && {
      checked_at: dashboards.checked_at,
      in_sync: dashboards.in_sync,
      grafana: dashboards.grafana,
      out_of_sync: dashboards.dashboards.filter((d) => !d.in_sync).map((d) => d.uid),
      problem: dashboards.problem,
    },
    change_points: changes && {
      computed_at: changes.computed_at,
      runs: changes.runs,
      latest: latestChanges(changes).map((ch) => changeView(links, ch)),
      drifts: changes.drifts.map((ch) => ch.metric),
    },
    open_alerts: alerts.map((a) => ({
      kind: a.kind,
      fingerprint: a.fingerprint,
      issue_number: a.issue_number,
      issue_url: a.issue_url,
      opened_at: a.opened_at,
      opened_by: a.opened_by,
      last_run_id: a.last_run_id,
      snoozed_until: a.snooze?.until ?? null,
    })),
    accepted_alerts: accepted.map((a) => ({
      kind: a.kind,
      fingerprint: a.fingerprint,
      issue_number: a.accepted?.issue_number ?? null,
      accepted_by: a.accepted?.by ?? null,
      accepted_at: a.accepted?.at ?? null,
      baseline: a.accepted?.baseline ?? null,
    })),
    suites: deps.config.CHIMNEY_SUITES.map(({ name, repository, workflow, start, format }, i) => ({
      name,
      repository,
      workflow,
      start,
      format,
      state: suites[i].signal.state,
      reason: suites[i].signal.reason,
      ...(suites[i].bands !== undefined ? { bands: suites[i].bands } : {}),
    })),
    overall: { state: overall.state, reason: overall.reason },
    stale_after_hours: deps.config.STALE_AFTER_HOURS,
    config_problems: deps.configProblems,
  };
}
