/** Reading a /metrics exposition in tests, on Workers and Deno alike. */
import parsePrometheusTextFormat from "parse-prometheus-text-format";

/** A metric family as the parser gives it (Deno sees no types for the package, so they are written here). */
export interface Family {
  name: string;
  type: string;
  metrics: { labels?: Record<string, string>; value: string }[];
}

export type Families = Family[];

export const parseExposition = (text: string): Families => parsePrometheusTextFormat(text) as Families;

/** A family's type and its samples as `labels → value`, labels written `k=v,k=v`. */
export function samples(families: Families, name: string) {
  const family = families.find((f) => f.name === name);
  if (!family) throw new Error(`no ${name} in the exposition`);
  const values = Object.fromEntries(
    family.metrics.map((m) => [
      Object.entries(m.labels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
      Number(m.value),
    ]),
  );
  return { type: family.type, values };
}
