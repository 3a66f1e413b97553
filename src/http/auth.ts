/** Bearer-token guards for the write routes. */
import type { MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { problem } from "./problem.ts";

/**
 * Requires `Authorization: Bearer <token>`, compared in constant time (hono hashes both sides).
 * Missing, malformed and wrong tokens all get the same 401, so the answer hints at nothing.
 * With no token configured the route is off (503) rather than open.
 */
export function requireBearer(token: string | null, setting: string): MiddlewareHandler {
  if (!token) {
    return async () => {
      throw problem(503, `this route is off: ${setting} is not configured`);
    };
  }
  const unauthorized = () => {
    throw problem(401, "Authorization: a valid bearer token is required", {
      headers: { "www-authenticate": 'Bearer realm="chimney"' },
    });
  };
  return bearerAuth({
    token,
    noAuthenticationHeader: { message: unauthorized },
    invalidAuthenticationHeader: { message: unauthorized },
    invalidToken: { message: unauthorized },
  });
}
