// Times from any source to one form: ISO 8601 UTC with 7 fractional digits (FILETIME precision).

const ISO = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:[.,](\d+))?(Z|[+-]\d\d:?\d\d)?$/;

/**
 * A time in any of the forms exports use (`2020-10-22T01:54:20.493Z`, `… 01:54:20.493`,
 * 9 digits, offsets) as ISO 8601 UTC with 7 fractional digits; null when it is not a time.
 */
export function normalizeTime(text: string): string | null {
  const m = ISO.exec(text.trim());
  if (m === null) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? null : new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
  }
  const frac = (m[3] ?? '').padEnd(7, '0').slice(0, 7);
  const zone = m[4];
  if (zone === undefined || zone === 'Z' || /^[+-]00:?00$/.test(zone)) return `${m[1]}T${m[2]}.${frac}Z`;
  const ms = Date.parse(`${m[1]}T${m[2]}${zone.length === 5 ? zone.slice(0, 3) + ':' + zone.slice(3) : zone}`);
  if (Number.isNaN(ms)) return null;
  return new Date(ms).toISOString().slice(0, 19) + '.' + frac + 'Z';
}
