/**
 * Opens an artifact zip within fixed caps. fflate reads the central directory first, so every
 * entry's name and declared sizes are checked before anything is inflated, and an entry never
 * inflates past its declared size: memory stays bounded by the caps, whatever the zip claims.
 */
import { unzipSync } from "fflate";

export interface ArchiveLimits {
  /** Largest zip accepted, in bytes. */
  compressed: number;
  /** Largest total of the entries' sizes. */
  uncompressed: number;
  entries: number;
}

export const ARTIFACT_LIMITS: ArchiveLimits = {
  compressed: 64 * 1024 * 1024,
  uncompressed: 96 * 1024 * 1024,
  entries: 64,
};

export class ArchiveRejected extends Error {}

/**
 * A plain file name: no directories, no `..`, nothing absolute, no control characters; and not
 * `__proto__`, which fflate's result object cannot hold (the entry would vanish silently).
 */
const PLAIN_NAME = /^(?!\.{1,2}$)(?!__proto__$)[^/\\\x00-\x1f\x7f:]{1,200}$/;

export function openArchive(zip: Uint8Array, limits: ArchiveLimits = ARTIFACT_LIMITS): Map<string, Uint8Array> {
  if (zip.byteLength > limits.compressed)
    throw new ArchiveRejected(`the zip is ${zip.byteLength} bytes, over the ${limits.compressed}-byte limit`);
  let entries = 0;
  let total = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip, {
      filter(file) {
        if (++entries > limits.entries) throw new ArchiveRejected(`the zip has more than ${limits.entries} entries`);
        if (file.name.endsWith("/")) return false;
        if (!PLAIN_NAME.test(file.name))
          throw new ArchiveRejected(`entry ${JSON.stringify(file.name.slice(0, 100))} is not a plain file name`);
        total += file.originalSize;
        if (total > limits.uncompressed)
          throw new ArchiveRejected(`the entries add up to more than ${limits.uncompressed} bytes`);
        if (file.compression !== 0 && file.compression !== 8)
          throw new ArchiveRejected(`entry ${file.name} uses compression method ${file.compression}`);
        return true;
      },
    });
  } catch (error) {
    if (error instanceof ArchiveRejected) throw error;
    throw new ArchiveRejected(`not a readable zip (${(error as Error).message})`);
  }
  return new Map(Object.entries(files));
}
