// A progress line for stderr while a scan reads its inputs: bytes and events per second, the
// share done and an ETA when the total size is known. It draws only on a TTY (otherwise every
// call is a no-op, so logs and pipes stay clean), at most once per `intervalMs`, and erases itself
// when done. Input names are never shown: they may carry escapes, and the line must stay short.

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): unknown;
}

export interface ProgressOptions {
  /** Total bytes to read, when known (enables the bar, the percentage and the ETA). */
  totalBytes?: number;
  /** Inputs to read, when known. */
  totalFiles?: number;
  /** Minimum time between redraws (default 100 ms). */
  intervalMs?: number;
  /** The clock, in milliseconds (tests pass a fake one). */
  now?: () => number;
  /** Draw even when the stream is not a TTY (tests). */
  force?: boolean;
}

export interface ProgressState {
  bytes: number;
  events: number;
  files: number;
  findings: number;
}

export function formatBytes(n: number): string {
  if (n < 1000) return `${Math.round(n)} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

export function formatCount(n: number): string {
  if (n < 10_000) return String(Math.round(n));
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The progress line for a state, `elapsedMs` after the start, fitted to `width` columns. */
export function progressLine(state: ProgressState, elapsedMs: number, width: number, totals: { bytes?: number; files?: number } = {}): string {
  const secs = Math.max(elapsedMs / 1000, 0.001);
  const bps = state.bytes / secs;
  const eps = state.events / secs;
  const files = totals.files !== undefined ? `${state.files}/${totals.files} files` : `${state.files} files`;
  const tail = [
    totals.bytes !== undefined ? `${formatBytes(state.bytes)}/${formatBytes(totals.bytes)}` : formatBytes(state.bytes),
    `${formatBytes(bps)}/s`,
    `${formatCount(state.events)} events (${formatCount(eps)}/s)`,
    files,
    `${formatCount(state.findings)} findings`,
  ];
  let head = '';
  if (totals.bytes !== undefined && totals.bytes > 0) {
    const frac = Math.min(1, state.bytes / totals.bytes);
    const eta = bps > 0 ? (totals.bytes - state.bytes) / bps : Infinity;
    tail.push(`ETA ${formatDuration(eta)}`);
    const pct = `${Math.floor(frac * 100)}%`.padStart(4);
    const text = tail.join(' · ');
    // The bar takes what is left, between 10 and 30 cells; it goes when the line is too narrow.
    const room = width - text.length - pct.length - 6;
    const cells = Math.min(30, room);
    if (cells >= 10) {
      const full = Math.round(frac * cells);
      head = `[${'#'.repeat(full)}${'.'.repeat(cells - full)}] ${pct} · `;
    } else head = `${pct} · `;
  }
  const line = head + tail.join(' · ');
  return line.length > width ? line.slice(0, Math.max(0, width - 1)) + '…' : line;
}

export class Progress {
  private readonly stream: ProgressStream;
  private readonly active: boolean;
  private readonly now: () => number;
  private readonly interval: number;
  private readonly totals: { bytes?: number; files?: number };
  private readonly start: number;
  private last = -Infinity;
  private drawn = false;
  private state: ProgressState = { bytes: 0, events: 0, files: 0, findings: 0 };

  constructor(stream: ProgressStream, options: ProgressOptions = {}) {
    this.stream = stream;
    this.active = options.force === true || stream.isTTY === true;
    this.now = options.now ?? (() => performance.now());
    this.interval = options.intervalMs ?? 100;
    this.totals = {};
    if (options.totalBytes !== undefined) this.totals.bytes = options.totalBytes;
    if (options.totalFiles !== undefined) this.totals.files = options.totalFiles;
    this.start = this.now();
  }

  /** True when the stream is a terminal and lines are drawn. */
  get enabled(): boolean {
    return this.active;
  }

  /** Records new totals (absolute values, not increments); redraws when the interval has passed. */
  update(state: Partial<ProgressState>): void {
    if (!this.active) return;
    this.state = { ...this.state, ...state };
    const t = this.now();
    if (t - this.last < this.interval) return;
    this.last = t;
    this.draw(t);
  }

  private draw(t: number): void {
    const width = Math.max(20, (this.stream.columns ?? 80) - 1);
    // \r, the line, then erase to the end of the line (what a shorter line leaves behind).
    this.stream.write(`\r${progressLine(this.state, t - this.start, width, this.totals)}\x1b[K`);
    this.drawn = true;
  }

  /** Erases the line (call before printing anything else to the stream, and at the end). */
  clear(): void {
    if (!this.active || !this.drawn) return;
    this.stream.write('\r\x1b[K');
    this.drawn = false;
    this.last = -Infinity;
  }

  done(): void {
    this.clear();
  }
}
