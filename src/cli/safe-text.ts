// Text from logs (paths, names, messages quoting them) may carry terminal escape sequences.
// Everything the CLI prints to a terminal about input passes through here.

// C0 controls (tab kept), DEL, C1 controls, the Unicode line/paragraph separators, and the
// bidirectional marks, embeddings, overrides and isolates (U+202E turns `exe.txt` into `txt.exe`).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Replaces control characters with visible `\xNN` / `\uNNNN` escapes. */
export function safeText(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
