/** Publishing the status page: as often as its data changes, never once per racing writer. */
import { describe, expect, it } from "vitest";
import { publishStatusPage } from "../../src/http/pages/publish.ts";
import { memoryDeps } from "../support/memory.ts";

describe("publishing the status page", () => {
  it("renders once for writers that ask while a render is under way, and once more after it for them", async () => {
    const { deps } = memoryDeps({});
    const saved: string[] = [];
    const save = deps.pages.save.bind(deps.pages);
    deps.pages.save = async (page) => {
      saved.push(page.rendered_at);
      await save(page);
    };
    // A burst of uploads: each answer's background work asks for the page at once.
    await Promise.all(Array.from({ length: 12 }, () => publishStatusPage(deps)));
    expect(saved.length).toBeGreaterThanOrEqual(1);
    expect(saved.length).toBeLessThanOrEqual(2);
    // Asked again once they are done: rendered again.
    await publishStatusPage(deps);
    expect(saved.length).toBeLessThanOrEqual(3);
    expect(await deps.pages.latest()).not.toBe(null);
  });
});
