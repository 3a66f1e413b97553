/**
 * The Deno entry: `Deno.serve` for HTTP and `Deno.cron` for the two ticks, registered at the top
 * level of this module (Deno Deploy finds them there, and in no conditional or callback).
 *
 *   deno run --unstable-kv --unstable-cron --allow-net --allow-env --deny-write src/deno.ts
 *
 * Configuration comes from environment variables with the same names as on Workers, plus
 * PORT (default 8000), HOST, RECONCILE_CRON and CHIMNEY_KV_PATH (the Deno KV database to open:
 * none is Deno Deploy's own, or Deno's default one elsewhere; `:memory:` keeps nothing).
 */
import { parseConfig } from "./core/config.ts";
import { createDenoChimney, denoTick } from "./deno-chimney.ts";

const env = Deno.env.toObject();
const starting = createDenoChimney(env);
Deno.cron("chimney nightly", parseConfig(env).config.NIGHTLY_CRON, async () => denoTick(await starting, "nightly"));
Deno.cron("chimney reconcile", env.RECONCILE_CRON ?? "*/30 * * * *", async () => denoTick(await starting, "reconcile"));
const { app, deps } = await starting;
Deno.serve(
  {
    port: Number(env.PORT ?? 8000),
    hostname: env.HOST ?? "0.0.0.0",
    onListen: ({ hostname, port }) => deps.log({ event: "listening", url: `http://${hostname}:${port}` }),
  },
  app.fetch,
);
