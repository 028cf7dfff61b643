// Hashes the EVTX chunk tables are keyed by, plus the stable template GUIDs this writer derives.

/**
 * MS-EVEN6 name hash over UTF-16 code units: h = h * 65599 + unit (mod 2^32).
 * Name structures store the low 16 bits; the string table bucket is that value % 64.
 */
export function utf16Hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 65599) + s.charCodeAt(i)) >>> 0;
  return h;
}

/** The 16-bit name hash stored in a name structure. */
export function nameHash(name: string): number {
  return utf16Hash(name) & 0xffff;
}

/**
 * Template table bucket hash: the same 65599 hash over the GUID's 16 bytes read as eight u16 LE
 * units. Not documented; it matches every template in the minor-version-1 sample files (% 32).
 */
export function guidHash(guid: Uint8Array): number {
  let h = 0;
  for (let i = 0; i + 1 < guid.length; i += 2) {
    const unit = (guid[i] ?? 0) | ((guid[i + 1] ?? 0) << 8);
    h = (Math.imul(h, 65599) + unit) >>> 0;
  }
  return h;
}

/**
 * A GUID (16 raw bytes) derived from `key` by four FNV-1a-32 passes with different seeds, so the
 * same template shape always gets the same GUID, in every chunk and every run.
 */
export function stableGuid(key: string): Uint8Array {
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  for (let part = 0; part < 4; part++) {
    let h = (0x811c9dc5 ^ Math.imul(part + 1, 0x9e3779b1)) >>> 0;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      h = Math.imul(h ^ (c & 0xff), 0x01000193) >>> 0;
      h = Math.imul(h ^ (c >>> 8), 0x01000193) >>> 0;
    }
    view.setUint32(part * 4, h, true);
  }
  return out;
}
