// Recognising an input's format from its first bytes, never from its name: exports arrive
// renamed, compressed and concatenated.

import type { InputFormat } from './types.js';

export function sniffFormat(head: Buffer): InputFormat | null {
  if (head.length >= 8 && head.toString('latin1', 0, 7) === 'ElfFile') return 'evtx';
  if (head.length >= 8 && head.toString('latin1', 0, 7) === 'ElfChnk') return 'evtx';
  // UTF-16 exports (PowerShell's Out-File default, Excel's "Unicode text") carry a BOM.
  const utf16 = head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff));
  let text = utf16
    ? new TextDecoder(head[0] === 0xff ? 'utf-16le' : 'utf-16be').decode(head.subarray(0, Math.min(head.length, 8192) & ~1))
    : head.toString('utf8', 0, Math.min(head.length, 4096));
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // evtxexport prints a banner line before its XML.
  text = text.replace(/^evtxexport [^\n]*\n/, '');
  const first = text.trimStart();
  if (first.startsWith('<')) return 'xml';
  if (first.startsWith('[')) return 'json';
  if (first.startsWith('{')) {
    // One document per line, or one (possibly pretty-printed) document.
    const line = first.split('\n', 1)[0]!.trim();
    try {
      JSON.parse(line);
      return 'ndjson';
    } catch {
      return 'json';
    }
  }
  const headerLine = first.split(/\r?\n/, 1)[0] ?? '';
  if (headerLine.includes(',') && !headerLine.includes('\0')) return 'csv';
  return null;
}
