/** `?suite=`: the watched suite a request names. */
import type { Suite } from "../core/suites.ts";
import type { AppDeps } from "./deps.ts";
import { problem, type ProblemStatus } from "./problem.ts";

/**
 * The watched suite named `name`; a name no suite has is a problem naming `suite` and the suites
 * there are: 404 for a resource's path or query, 400 for a field of a request's body.
 */
export function suiteNamed(deps: Pick<AppDeps, "config">, name: string, status: ProblemStatus = 404): Suite {
  const suite = deps.config.CHIMNEY_SUITES.find((s) => s.name === name);
  if (suite) return suite;
  const known = deps.config.CHIMNEY_SUITES.map((s) => s.name).join(", ");
  throw problem(status, `suite: no suite is named ${JSON.stringify(name.slice(0, 40))}; the suites are ${known}`);
}
