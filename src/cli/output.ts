// Buffered output to stdout or a file, with back-pressure and a quiet end when the reader goes
// away (`cmstp-hunt dump … | head`).

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';

const FLUSH_AT = 1 << 20;

export class Output {
  private readonly stream: Writable;
  private buffer = '';
  /** Set when the consumer closed the pipe; writing stops without an error. */
  closed = false;
  private failure: Error | null = null;

  constructor(path?: string) {
    this.stream = path === undefined || path === '-' ? process.stdout : createWriteStream(path);
    this.stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') this.closed = true;
      else this.failure = err;
    });
  }

  /** Appends text; resolves once the buffer has been handed on when it grew large. */
  async write(text: string): Promise<void> {
    if (this.closed) return;
    this.buffer += text;
    if (this.buffer.length >= FLUSH_AT) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.failure !== null) throw this.failure;
    if (this.buffer === '' || this.closed) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.stream.write(chunk)) await this.drained();
  }

  /** Resolves on 'drain' or 'close', removing both listeners either way. */
  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('close', done);
    });
  }

  async end(): Promise<void> {
    await this.flush();
    if (this.stream !== process.stdout && !this.closed) {
      this.stream.end();
      await once(this.stream, 'finish');
    }
    if (this.failure !== null) throw this.failure;
  }
}
