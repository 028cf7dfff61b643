// INF files come as UTF-16 (with or without a byte-order mark; setupapi writes UTF-16LE) or as
// "ANSI" text in the system code page. Decoding picks one of those and says which.

export type InfEncoding = 'utf-16le' | 'utf-16be' | 'utf-8' | 'windows-1252';

export interface Decoded {
  text: string;
  encoding: InfEncoding;
  /** Whether a byte-order mark was present (and removed). */
  bom: boolean;
}

/** UTF-16 without a BOM: most ASCII text has a NUL in every other byte. */
function looksUtf16(bytes: Uint8Array, nulAt: 0 | 1): boolean {
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 4) return false;
  let nuls = 0;
  let other = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i + nulAt] === 0) nuls++;
    if (bytes[i + (1 - nulAt)] === 0) other++;
  }
  return nuls >= (n / 2) * 0.6 && other < nuls / 8;
}

function utf16be(bytes: Uint8Array): string {
  const swapped = new Uint8Array(bytes.length & ~1);
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    swapped[i] = bytes[i + 1]!;
    swapped[i + 1] = bytes[i]!;
  }
  return new TextDecoder('utf-16le').decode(swapped);
}

/** Windows-1252's 0x80–0x9F (the rest is Latin-1); 0 marks the five unassigned bytes, kept as C1. */
const CP1252_HIGH = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
  0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
];

/** Windows-1252 text, decoded here: some Node builds decode the label as plain Latin-1. */
function ansi(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    const codes = Array.from(bytes.subarray(i, i + 8192), (b) => (b >= 0x80 && b <= 0x9f && CP1252_HIGH[b - 0x80] !== 0 ? CP1252_HIGH[b - 0x80]! : b));
    out += String.fromCharCode(...codes);
  }
  return out;
}

/** Decodes INF bytes. Invalid sequences become U+FFFD; nothing throws. */
export function decodeInf(bytes: Uint8Array): Decoded {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le', bom: true };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: utf16be(bytes.subarray(2)), encoding: 'utf-16be', bom: true };
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8', bom: true };
  if (looksUtf16(bytes, 1)) return { text: new TextDecoder('utf-16le').decode(bytes), encoding: 'utf-16le', bom: false };
  if (looksUtf16(bytes, 0)) return { text: utf16be(bytes), encoding: 'utf-16be', bom: false };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8', bom: false };
  } catch {
    // Not UTF-8: the ANSI code page; Western Windows installs use 1252.
    return { text: ansi(bytes), encoding: 'windows-1252', bom: false };
  }
}
