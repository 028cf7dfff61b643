// FILETIME: 100 ns ticks since 1601-01-01 UTC, the timestamp unit of EVTX records.

/** Milliseconds between 1601-01-01 and 1970-01-01. */
const EPOCH_DIFF_MS = 11_644_473_600_000n;

/** FILETIME ticks for `d` (Date has millisecond precision, so the last 4 digits are zero). */
export function filetimeFromDate(d: Date): bigint {
  const ms = d.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('filetimeFromDate: invalid Date');
  const ticks = (BigInt(ms) + EPOCH_DIFF_MS) * 10_000n;
  if (ticks < 0n) throw new RangeError('filetimeFromDate: date before 1601');
  return ticks;
}
