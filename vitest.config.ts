import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { TEST_BINDINGS } from "./test/bindings.ts";

export default defineConfig({
  test: {
    projects: [
      {
        // Core, jobs, HTTP and the Worker itself, inside workerd with real KV, R2 and Durable Objects.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            // `npm run chaos` asks for more seeds of the chaos run than `npm test` runs.
            miniflare: { bindings: { ...TEST_BINDINGS, CHAOS_SEEDS: process.env.CHAOS_SEEDS ?? "3" } },
          }),
        ],
        test: {
          name: "workerd",
          include: ["test/**/*.test.ts"],
          exclude: ["test/node/**", "test/deno/**"],
          // Many tests live through weeks of nights, each a request and a drain: on a busy
          // two-core machine one may take longer than vitest's 5 s without anything being wrong.
          testTimeout: 30_000,
        },
      },
      {
        // The command line as a real subprocess, and the files chimney ships for Firewood.
        test: {
          name: "node",
          include: ["test/node/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
