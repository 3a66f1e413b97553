/** The store contract (test/contract/stores.ts) against the Deno adapters and the memory stores. */
import { denoStores } from "../../src/deno.ts";
import { memoryStores } from "../../src/store/memory.ts";
import { storeContract } from "../contract/stores.ts";

for (const c of storeContract) {
  Deno.test(`memory: ${c.name}`, () => c.run(memoryStores));

  // A Deno KV database in memory and a data directory of its own for each case.
  Deno.test(`deno: ${c.name}`, async () => {
    const kv = await Deno.openKv(":memory:");
    const dir = await Deno.makeTempDir({ prefix: "chimney-contract-" });
    try {
      await c.run(() => denoStores(kv, dir));
    } finally {
      kv.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
