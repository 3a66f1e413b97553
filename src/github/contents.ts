/** Reading a file of the repository at a ref, exactly as committed (GitHub's contents API, raw). */
import { GitHubError, type GitHubClient } from "./client.ts";

/** The file's bytes, or null when it does not exist at that ref. */
export async function readRepositoryFile(client: GitHubClient, path: string, ref: string): Promise<Uint8Array | null> {
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  try {
    const res = await client.request(
      "GET",
      `/repos/${client.repository}/contents/${encoded}?ref=${encodeURIComponent(ref)}`,
      {
        accept: "application/vnd.github.raw+json",
      },
    );
    return new Uint8Array(await res.arrayBuffer());
  } catch (error) {
    if (error instanceof GitHubError && error.kind === "not_found") return null;
    throw error;
  }
}
