/**
 * Opens an artifact zip within fixed caps. The central directory is read first, so every entry's
 * name and declared sizes are checked before anything is inflated. Then each entry is inflated a
 * little at a time and refused as soon as it passes the size it declared, so a lying header costs
 * a few kilobytes of work, not gigabytes; and its CRC-32 is checked.
 *
 * The zip structure is read here by hand because fflate's `unzipSync` inflates an entry in one
 * call, cuts it silently at its declared size and checks no CRC, and its streaming `Unzip` reads
 * the local headers, whose sizes a streaming writer leaves out. fflate's `Inflate` does the rest.
 */
import { Inflate, strFromU8 } from "fflate";
import { runnerFileName } from "../core/artifact.ts";

export interface ArchiveLimits {
  /** Largest zip accepted, in bytes. */
  compressed: number;
  /** Largest total of the entries' sizes. */
  uncompressed: number;
  entries: number;
}

/** The zip and its files are in memory together: 96 MiB at most, within a 128 MB isolate. */
export const ARTIFACT_LIMITS: ArchiveLimits = {
  compressed: 32 * 1024 * 1024,
  uncompressed: 64 * 1024 * 1024,
  entries: 64,
};

export class ArchiveRejected extends Error {}

/** A plain file name: no directories, no `..`, nothing absolute, no control characters, not `__proto__`. */
const PLAIN_NAME = /^(?!\.{1,2}$)(?!__proto__$)[^/\\\x00-\x1f\x7f:]{1,200}$/;

/** A relative path of plain names (a tree such as Criterion's target/criterion): nothing can climb out of it. */
function isPlainPath(name: string): boolean {
  return name.length <= 400 && name.split("/").every((part) => PLAIN_NAME.test(part));
}

const SIGNATURE = { local: 0x04034b50, central: 0x02014b50, end: 0x06054b50 } as const;

interface Entry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeader: number;
}

/** The artifact's files, under the names they are kept as: never one of chimney's own. */
export function openArchive(
  zip: Uint8Array,
  limits: ArchiveLimits = ARTIFACT_LIMITS,
  options: { paths: boolean } = { paths: false },
): Map<string, Uint8Array> {
  if (zip.byteLength > limits.compressed)
    throw new ArchiveRejected(`the zip is ${zip.byteLength} bytes, over the ${limits.compressed}-byte limit`);
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  try {
    const files = new Map<string, Uint8Array>();
    for (const entry of centralDirectory(zip, view, limits, options.paths))
      files.set(runnerFileName(entry.name), extract(zip, view, entry));
    return files;
  } catch (error) {
    if (error instanceof ArchiveRejected) throw error;
    throw new ArchiveRejected(`not a readable zip (${(error as Error).message})`);
  }
}

/** The file entries, every one checked against the caps. ZIP64 is never needed within them. */
function centralDirectory(zip: Uint8Array, view: DataView, limits: ArchiveLimits, paths: boolean): Entry[] {
  // The end record closes the zip, followed only by a comment of at most 65 535 bytes.
  let end = zip.byteLength - 22;
  const earliest = Math.max(0, end - 0xffff);
  while (end >= earliest && view.getUint32(end, true) !== SIGNATURE.end) end--;
  if (end < earliest) throw new Error("no end of central directory record");
  const count = view.getUint16(end + 10, true);
  if (count > limits.entries) throw new ArchiveRejected(`the zip has more than ${limits.entries} entries`);

  const entries: Entry[] = [];
  const names = new Set<string>();
  let total = 0;
  let at = view.getUint32(end + 16, true);
  for (let i = 0; i < count; i++) {
    if (view.getUint32(at, true) !== SIGNATURE.central) throw new Error("a central directory record is damaged");
    const flags = view.getUint16(at + 8, true);
    const nameLength = view.getUint16(at + 28, true);
    // Like fflate: UTF-8 when the entry says so (bit 11), otherwise one character per byte.
    const name = strFromU8(zip.subarray(at + 46, at + 46 + nameLength), (flags & 0x800) === 0);
    const entry: Entry = {
      name,
      method: view.getUint16(at + 10, true),
      crc: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localHeader: view.getUint32(at + 42, true),
    };
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    if (name.endsWith("/")) continue;
    if (paths ? !isPlainPath(name) : !PLAIN_NAME.test(name))
      throw new ArchiveRejected(
        `entry ${JSON.stringify(name.slice(0, 100))} is not a plain ${paths ? "relative path" : "file name"}`,
      );
    if (names.has(name)) throw new ArchiveRejected(`the zip holds ${JSON.stringify(name)} twice`);
    names.add(name);
    total += entry.size;
    if (total > limits.uncompressed)
      throw new ArchiveRejected(`the entries add up to more than ${limits.uncompressed} bytes`);
    if (entry.method !== 0 && entry.method !== 8)
      throw new ArchiveRejected(`entry ${name} uses compression method ${entry.method}`);
    if (flags & 1) throw new ArchiveRejected(`entry ${name} is encrypted`);
    entries.push(entry);
  }
  return entries;
}

/** An entry's bytes, exactly its declared size and checksum, in a buffer of its own (not a view of the zip). */
function extract(zip: Uint8Array, view: DataView, entry: Entry): Uint8Array {
  if (view.getUint32(entry.localHeader, true) !== SIGNATURE.local)
    throw new Error(`entry ${entry.name} has no local header`);
  const start =
    entry.localHeader +
    30 +
    view.getUint16(entry.localHeader + 26, true) +
    view.getUint16(entry.localHeader + 28, true);
  if (start + entry.compressedSize > zip.byteLength) throw new Error(`entry ${entry.name} runs past the end`);
  const data = zip.subarray(start, start + entry.compressedSize);
  const name = JSON.stringify(entry.name);
  if (entry.method === 0 && data.byteLength !== entry.size)
    throw new ArchiveRejected(`entry ${name} holds ${data.byteLength} bytes, not the ${entry.size} it declares`);
  const file = entry.method === 0 ? data.slice() : inflate(data, entry.size, name);
  if (crc32(file) !== entry.crc) throw new ArchiveRejected(`entry ${name} fails its CRC-32 check`);
  return file;
}

/**
 * DEFLATE turns one byte into at most 1032. Feeding the inflater no more than the room left
 * (divided by that) means it overshoots the declared size by at most about 1032 × 64 bytes before
 * the count refuses the entry; the 4 KiB ceiling keeps each step's output near 4 MiB at most.
 */
const STEP = { min: 64, max: 4096, ratio: 1032 } as const;

function inflate(data: Uint8Array, size: number, name: string): Uint8Array {
  const file = new Uint8Array(size);
  let produced = 0;
  const inflater = new Inflate((chunk) => {
    if (produced + chunk.byteLength > size)
      throw new ArchiveRejected(`entry ${name} inflates past the ${size} bytes it declares`);
    file.set(chunk, produced);
    produced += chunk.byteLength;
  });
  let at = 0;
  do {
    const step = Math.min(STEP.max, Math.max(STEP.min, Math.ceil((size - produced) / STEP.ratio)));
    inflater.push(data.subarray(at, at + step), at + step >= data.byteLength);
    at += step;
  } while (at < data.byteLength);
  if (produced !== size)
    throw new ArchiveRejected(`entry ${name} inflates to ${produced} bytes, not the ${size} it declares`);
  return file;
}

/** The zip's CRC-32 (polynomial 0xEDB88320): fflate computes it but does not export it. */
const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

function crc32(bytes: Uint8Array): number {
  // Locals, not property reads, in the loop: four times faster in V8.
  const table = CRC_TABLE;
  let crc = -1;
  for (let i = 0, n = bytes.length; i < n; i++) crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
