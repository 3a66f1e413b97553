/** Body size limits, enforced as the body streams in, before it is read whole. */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { invalidInput } from "./problem.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

/** Refuses a body over `maxSize` bytes with a 413 naming the limit and, when given, what it is for. */
export function limitBody(maxSize: number, what?: string): MiddlewareHandler {
  const size = maxSize >= MiB ? `${maxSize / MiB} MiB` : `${maxSize / KiB} KiB`;
  const issue = { field: "(body)", message: `is larger than ${size}${what ? `, the limit for ${what}` : ""}` };
  return bodyLimit({
    maxSize,
    onError: () => {
      throw invalidInput(413, [issue]);
    },
  });
}
