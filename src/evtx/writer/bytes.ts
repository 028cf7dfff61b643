// A growable byte buffer with explicit little-endian writes: every multi-byte EVTX field is LE.

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;

  constructor(initialCapacity = 4096) {
    this.buf = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.len;
  }

  private ensure(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.view.setUint8(this.len, v);
    this.len += 1;
  }

  i8(v: number): void {
    this.ensure(1);
    this.view.setInt8(this.len, v);
    this.len += 1;
  }

  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.len, v, true);
    this.len += 2;
  }

  i16(v: number): void {
    this.ensure(2);
    this.view.setInt16(this.len, v, true);
    this.len += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.len, v, true);
    this.len += 4;
  }

  i32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.len, v, true);
    this.len += 4;
  }

  u64(v: bigint): void {
    this.ensure(8);
    this.view.setBigUint64(this.len, v, true);
    this.len += 8;
  }

  i64(v: bigint): void {
    this.ensure(8);
    this.view.setBigInt64(this.len, v, true);
    this.len += 8;
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.len, v, true);
    this.len += 8;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  zeros(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
  }

  /** UTF-16LE code units of `s`, no terminator. JS strings already are UTF-16, so no transcoding. */
  utf16(s: string): void {
    this.ensure(s.length * 2);
    for (let i = 0; i < s.length; i++) this.view.setUint16(this.len + i * 2, s.charCodeAt(i), true);
    this.len += s.length * 2;
  }

  /** Writes a zero u32 and returns its position, for sizes known only later. */
  reserveU32(): number {
    const pos = this.len;
    this.u32(0);
    return pos;
  }

  patchU16(pos: number, v: number): void {
    this.view.setUint16(pos, v, true);
  }

  patchU32(pos: number, v: number): void {
    this.view.setUint32(pos, v, true);
  }

  /** The written bytes (a view, valid until the next write). */
  written(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}
