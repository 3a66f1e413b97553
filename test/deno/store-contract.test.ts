/** The store contract (test/contract/stores.ts) against the Deno adapters and the memory stores. */
import { denoStores } from "../../src/deno-chimney.ts";
import { memoryStores } from "../../src/store/memory.ts";
import { storeContract } from "../contract/stores.ts";

for (const c of storeContract) {
  Deno.test(`memory: ${c.name}`, () => c.run(memoryStores));

  // A Deno KV database in memory for each case, as Deno Deploy's stands in: no disk.
  Deno.test(`deno: ${c.name}`, async () => {
    const kv = await Deno.openKv(":memory:");
    try {
      await c.run(() => denoStores(kv));
    } finally {
      kv.close();
    }
  });
}
