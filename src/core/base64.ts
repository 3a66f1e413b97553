/**
 * Bytes as base64 and back. By hand because `Uint8Array.prototype.toBase64` and
 * `Uint8Array.fromBase64` are not in Node 20, one of the runtimes chimney's core runs on.
 */

export function base64Of(bytes: Uint8Array): string {
  let binary = "";
  // fromCharCode takes its arguments on the stack: a chunk at a time.
  for (let i = 0; i < bytes.length; i += 0x2000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x2000));
  return btoa(binary);
}

/** The bytes `text` encodes, or null when it is not base64. */
export function bytesOfBase64(text: string): Uint8Array<ArrayBuffer> | null {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return null;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
