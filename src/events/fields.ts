// An ordered set of named values. Names come from logs (attacker-controlled), so this is not a
// plain object: nothing can reach a prototype, and the order of the source is kept.

export type FieldScalar = string | number | boolean | null;
export type FieldValue = FieldScalar | readonly FieldScalar[];

/** Up to this many names a scan is as fast as hashing; beyond it a name index is built. */
const LINEAR_MAX = 24;

export class Fields {
  private readonly names: string[];
  private readonly vals: FieldValue[];
  private index: Map<string, number> | null = null;

  constructor(names: string[] = [], values: FieldValue[] = []) {
    this.names = names;
    this.vals = values;
  }

  /**
   * Fields over arrays the caller hands over, with the name index already built (`index` maps
   * each name to its position in `names`, which holds no repeats). Builders that must look names
   * up anyway (duplicate checks) save building the index twice.
   */
  static indexed(names: string[], values: FieldValue[], index: Map<string, number>): Fields {
    const f = new Fields(names, values);
    if (names.length > LINEAR_MAX) f.index = index;
    return f;
  }

  /** A copy that can be changed without changing this one. */
  copy(): Fields {
    const f = new Fields(this.names.slice(), this.vals.slice());
    if (this.index !== null) f.index = new Map(this.index);
    return f;
  }

  static from(entries: Iterable<readonly [string, FieldValue]>): Fields {
    const f = new Fields();
    for (const [k, v] of entries) f.set(k, v);
    return f;
  }

  get size(): number {
    return this.names.length;
  }

  private find(name: string): number {
    // Small records: a scan is as fast as hashing. Large ones get an index on first need.
    if (this.names.length <= LINEAR_MAX) return this.names.indexOf(name);
    if (this.index === null) {
      this.index = new Map();
      for (let i = this.names.length - 1; i >= 0; i--) this.index.set(this.names[i]!, i);
    }
    return this.index.get(name) ?? -1;
  }

  get(name: string): FieldValue | undefined {
    const i = this.find(name);
    return i < 0 ? undefined : this.vals[i];
  }

  has(name: string): boolean {
    return this.find(name) >= 0;
  }

  /** Sets `name`, replacing an earlier value of the same name. */
  set(name: string, value: FieldValue): void {
    const i = this.find(name);
    if (i >= 0) {
      this.vals[i] = value;
      return;
    }
    this.names.push(name);
    this.vals.push(value);
    this.index?.set(name, this.names.length - 1);
  }

  keys(): readonly string[] {
    return this.names;
  }

  /** The values, in the order of `keys()`. */
  values(): readonly FieldValue[] {
    return this.vals;
  }

  *entries(): IterableIterator<[string, FieldValue]> {
    for (let i = 0; i < this.names.length; i++) yield [this.names[i]!, this.vals[i]!];
  }

  /** A plain object for JSON; its prototype is an empty null-prototype object, so keys are data. */
  toObject(): Record<string, FieldValue> {
    const o = Object.create(SAFE_PROTO) as Record<string, FieldValue>;
    for (let i = 0; i < this.names.length; i++) o[this.names[i]!] = this.vals[i]!;
    return o;
  }

  toJSON(): Record<string, FieldValue> {
    return this.toObject();
  }
}

const SAFE_PROTO: object = Object.freeze(Object.create(null) as object);
