import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { TEST_BINDINGS } from "./test/bindings.ts";

export default defineConfig({
  test: {
    projects: [
      {
        // Core, jobs, HTTP and the Worker itself, inside workerd with real KV, R2 and Durable Objects.
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" }, miniflare: { bindings: TEST_BINDINGS } })],
        test: { name: "workerd", include: ["test/**/*.test.ts"], exclude: ["test/cli/**"] },
      },
      {
        // The command line, run as a real subprocess.
        test: { name: "node", include: ["test/cli/**/*.test.ts"], environment: "node", testTimeout: 30_000 },
      },
    ],
  },
});
