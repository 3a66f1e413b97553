/**
 * GitHub requests counted by outcome in this isolate, until they are added to the shared
 * counters (`HealthStore.add`) once per request or tick: one ledger call per job, not one per
 * request, which would spend the subrequests GitHub's budget leaves.
 */
import { COUNTERS, githubOutcome, type CounterValue, type GitHubOutcome } from "../core/health.ts";

export class RequestTally {
  readonly #counts = new Map<GitHubOutcome, number>();

  /** `fetch`, counting each answer (or failure to answer) by outcome. */
  counting(fetch: typeof globalThis.fetch): typeof globalThis.fetch {
    return async (input, init) => {
      let response: Response;
      try {
        response = await fetch(input, init);
      } catch (error) {
        this.#add("network_error");
        throw error;
      }
      this.#add(githubOutcome(response));
      return response;
    };
  }

  /** The counts since the last `take`, as counter increments; the tally starts again from zero. */
  take(): CounterValue[] {
    const deltas = [...this.#counts].map(([outcome, value]) => ({
      name: COUNTERS.github,
      labels: { outcome },
      value,
    }));
    this.#counts.clear();
    return deltas;
  }

  #add(outcome: GitHubOutcome): void {
    this.#counts.set(outcome, (this.#counts.get(outcome) ?? 0) + 1);
  }
}
