/** The store contract (test/contract/stores.ts) against the memory stores and the Workers adapters. */
import { env } from "cloudflare:workers";
import { beforeEach, describe, it } from "vitest";
import { memoryStores } from "../../src/store/memory.ts";
import { workersStores } from "../../src/worker.ts";
import { storeContract } from "../contract/stores.ts";
import { resetStorage } from "./harness.ts";

describe("the memory stores keep the store contract", () => {
  for (const c of storeContract) it(c.name, () => c.run(memoryStores));
});

describe("the Workers adapters keep the store contract", () => {
  // Every case starts on empty KV and R2 and a new ledger (the pool's own reset).
  beforeEach(() => resetStorage());
  // No isolate cache: every read sees the writes before it, as in the other adapters.
  const make = () => workersStores(env, { statusCacheMs: 0, now: Date.now });
  for (const c of storeContract) it(c.name, () => c.run(make));
});
