/**
 * The alert-quality benchmark: how often each alerting policy cries wolf, and how soon it
 * catches a real slowdown, on identical seeded histories built from Firewood's own noise
 * (bench/alerts/world.ts). chimney runs through its own settle stage; the peers' rules are
 * written from their documentation (bench/alerts/peers.ts).
 *
 * - A false alert is an alert with no injected step in the 3 nights before it (a lone outlier
 *   is noise, not a change); reported per 1 000 nights.
 * - A step is caught when a policy alerts from its first night on; the share caught within 2
 *   nights and at all (before the history ends), and the median nights from the step to the
 *   first alert, per step size.
 * A policy that alerts on every failing night is counted once per stretch of failing nights.
 * The false alerts are split three ways: with no step before them at all (noise), the first
 * alert of a step that came later than 3 nights (late), and a further one after it (repeat).
 */
import { chimneyNights } from "./alerts/chimney.ts";
import { bencher, conbench, githubActionBenchmark, otava, seedRule, type Rule } from "./alerts/peers.ts";
import {
  bandAroundFixture,
  firewoodResiduals,
  history,
  random,
  type History,
  type WorldOptions,
} from "./alerts/world.ts";

export const STEP_SIZES = [0.05, 0.1, 0.2, 0.3] as const;
const FALSE_WINDOW = 3;
const CAUGHT_WITHIN = 2;

export interface AlertBenchOptions extends WorldOptions {
  histories: number;
  seed: number;
}

export const FULL: AlertBenchOptions = {
  histories: 250,
  seed: 20261130,
  nights: 90,
  outlierRate: 0.03,
  outlierSizes: [0.1, 0.2, 0.3, 0.4],
};

interface Tally {
  nights: number;
  alerts: number;
  false_alerts: number;
  false_split: { noise: number; late: number; repeat: number };
  steps: Record<string, { injected: number; within_2: number; caught: number; delays: number[] }>;
}

const newTally = (): Tally => ({
  nights: 0,
  alerts: 0,
  false_alerts: 0,
  false_split: { noise: 0, late: 0, repeat: 0 },
  steps: Object.fromEntries(STEP_SIZES.map((s) => [String(s), { injected: 0, within_2: 0, caught: 0, delays: [] }])),
});

/** Adds one history's alert nights (night index → alerts that night) to a tally. */
function count(tally: Tally, h: History, alerts: number[]): void {
  tally.nights += h.nights.length;
  let first: number | null = null;
  alerts.forEach((n, i) => {
    if (n === 0) return;
    tally.alerts += n;
    const sinceStep = h.step !== null && i >= h.step.at ? i - h.step.at : null;
    if (sinceStep === null || sinceStep > FALSE_WINDOW) {
      tally.false_alerts += n;
      const split = sinceStep === null ? "noise" : first === null ? "late" : "repeat";
      tally.false_split[split] += split === "late" ? 1 : n;
      if (split === "late" && n > 1) tally.false_split.repeat += n - 1;
    }
    if (sinceStep !== null && first === null) first = sinceStep;
  });
  if (h.step) {
    const s = tally.steps[String(h.step.size)];
    s.injected++;
    if (first !== null) {
      s.caught++;
      s.delays.push(first);
      if (first <= CAUGHT_WITHIN) s.within_2++;
    }
  }
}

function ruleNights(rule: Rule, h: History): number[] {
  return h.nights.map((n) => (rule.night(n.measurements) ? 1 : 0));
}

const per1000 = (count: number, nights: number) => Math.round((count / nights) * 1000 * 100) / 100;

const median = (xs: number[]) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function alertBench(options: AlertBenchOptions = FULL) {
  const residuals = firewoodResiduals();
  const baseline = bandAroundFixture();
  const draw = random(options.seed);
  const peers: [string, () => Rule][] = [
    ["seed", () => seedRule(baseline)],
    ["github_action_benchmark", () => githubActionBenchmark()],
    ["bencher", () => bencher()],
    ["conbench", () => conbench()],
    ["otava", () => otava(baseline)],
  ];
  const tallies = new Map<string, Tally>([...peers.map(([k]) => [k, newTally()] as const), ["chimney", newTally()]]);
  const names = new Map<string, string>();
  let reruns = 0;
  for (let i = 0; i < options.histories; i++) {
    // One history in five has no step; the others a step of each size in turn, somewhere in the last half.
    const size = i % 5 === 0 ? null : STEP_SIZES[(i % 5) - 1];
    const step = size === null ? null : { size, at: Math.floor(options.nights * (0.5 + draw() * 0.4)) };
    const h = history(options.seed + i, residuals, step, options);
    for (const [key, make] of peers) {
      const rule = make();
      names.set(key, rule.name);
      count(tallies.get(key) as Tally, h, ruleNights(rule, h));
    }
    const nights = await chimneyNights(h, baseline);
    reruns += nights.filter((n) => n.reran).length;
    count(
      tallies.get("chimney") as Tally,
      h,
      nights.map((n) => n.opened.length),
    );
  }
  names.set("chimney", "chimney (bands, change points, confirming reruns, drift)");
  const policies = Object.fromEntries(
    [...tallies].map(([key, t]) => [
      key,
      {
        name: names.get(key),
        false_alerts_per_1000_nights: per1000(t.false_alerts, t.nights),
        false_split_per_1000_nights: {
          noise: per1000(t.false_split.noise, t.nights),
          late: per1000(t.false_split.late, t.nights),
          repeat: per1000(t.false_split.repeat, t.nights),
        },
        alerts: t.alerts,
        steps: Object.fromEntries(
          Object.entries(t.steps).map(([size, s]) => [
            size,
            {
              injected: s.injected,
              share_within_2_nights: Math.round((s.within_2 / s.injected) * 1000) / 1000,
              share_caught: Math.round((s.caught / s.injected) * 1000) / 1000,
              median_nights_to_alert: median(s.delays),
            },
          ]),
        ),
      },
    ]),
  );
  return {
    histories: options.histories,
    nights_per_history: options.nights,
    nights: options.histories * options.nights,
    outlier_rate: options.outlierRate,
    outlier_sizes: options.outlierSizes,
    residuals_resampled: residuals.length,
    chimney_reruns_per_1000_nights: Math.round((reruns / (options.histories * options.nights)) * 1000 * 100) / 100,
    policies,
  };
}

export type AlertBench = Awaited<ReturnType<typeof alertBench>>;

/** The Markdown table of a run. */
export function alertTable(r: AlertBench): string {
  const rows = Object.values(r.policies).map((p) => {
    const step = (size: string) => {
      const s = p.steps[size];
      return `${Math.round(s.share_within_2_nights * 100)}% / ${Math.round(s.share_caught * 100)}% (${s.median_nights_to_alert ?? "–"})`;
    };
    const split = p.false_split_per_1000_nights;
    return `| ${p.name} | ${p.false_alerts_per_1000_nights} (${split.noise} / ${split.late} / ${split.repeat}) | ${STEP_SIZES.map((s) => step(String(s))).join(" | ")} |`;
  });
  return [
    `| policy | false alerts / 1 000 nights (noise / late / repeat) | ${STEP_SIZES.map((s) => `${s * 100}% step: within 2 nights / at all (median nights)`).join(" | ")} |`,
    `|---|---|${STEP_SIZES.map(() => "---").join("|")}|`,
    ...rows,
  ].join("\n");
}
