/** chimney's one log format: a JSON line per event, stamped, with every configured secret scrubbed. */
import { redactSecrets, type Config } from "./config.ts";

export type Log = (event: Record<string, unknown>) => void;

export function structuredLog(config: Config, write: (line: string) => void, now: () => number): Log {
  return (event) => write(redactSecrets(JSON.stringify({ at: new Date(now()).toISOString(), ...event }), config));
}
