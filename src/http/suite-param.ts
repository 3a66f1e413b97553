/** `?suite=`: the watched suite a request names. */
import type { Suite } from "../core/suites.ts";
import type { AppDeps } from "./deps.ts";
import { problem } from "./problem.ts";

/** The watched suite named `name`; a name no suite has is a 404 naming `suite` and the suites there are. */
export function suiteNamed(deps: Pick<AppDeps, "config">, name: string): Suite {
  const suite = deps.config.CHIMNEY_SUITES.find((s) => s.name === name);
  if (suite) return suite;
  const known = deps.config.CHIMNEY_SUITES.map((s) => s.name).join(", ");
  throw problem(404, `suite: no suite is named ${JSON.stringify(name.slice(0, 40))}; the suites are ${known}`);
}
