/** Zips that lie: fflate writes honest ones, and these helpers patch their headers. */

/** Patches an entry's declared size or CRC-32 into both its local header and its central record. */
export function lie(zip: Uint8Array, name: string, change: { size?: number; crc?: number }): Uint8Array {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  for (let at = 0; at + 4 <= zip.byteLength; at++) {
    const signature = view.getUint32(at, true);
    const offset = signature === 0x04034b50 ? 0 : signature === 0x02014b50 ? 2 : null;
    const nameAt = signature === 0x04034b50 ? at + 30 : at + 46;
    if (offset === null || new TextDecoder().decode(zip.subarray(nameAt, nameAt + name.length)) !== name) continue;
    if (change.crc !== undefined) view.setUint32(at + 14 + offset, change.crc, true);
    if (change.size !== undefined) view.setUint32(at + 22 + offset, change.size, true);
  }
  return zip;
}
