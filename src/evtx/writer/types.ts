// Public input types of the EVTX writer.

/** A typed substitution value. The comment on each variant names its BinXML value type. */
export type WriteValue =
  | { type: 'string'; value: string } // 0x01 UTF-16LE
  | { type: 'ansi'; value: string } // 0x02, written as Latin-1 (other characters become '?')
  | { type: 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32'; value: number } // 0x03..0x08
  | { type: 'int64' | 'uint64' | 'hex64' | 'filetime'; value: bigint } // 0x09, 0x0A, 0x15, 0x11 (raw ticks since 1601)
  | { type: 'hex32'; value: number } // 0x14
  | { type: 'real64'; value: number } // 0x0C
  | { type: 'bool'; value: boolean } // 0x0D, 4 bytes as Windows writes it
  | { type: 'binary'; value: Uint8Array } // 0x0E
  | { type: 'guid'; value: string } // 0x0F, '{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}' (braces optional)
  | { type: 'sid'; value: string } // 0x13, 'S-1-5-21-…'
  | { type: 'systemtime'; value: Date } // 0x12, UTC
  | { type: 'sizet'; value: bigint } // 0x10, 8 bytes
  | { type: 'stringArray'; value: string[] } // 0x81, NUL-terminated items
  | { type: 'null' }; // 0x00

export interface WriteEvent {
  /** Default: the previous record's id + 1, starting at 1. */
  recordId?: number;
  /** TimeCreated and the record header's written time. */
  time: Date;
  provider: string;
  providerGuid?: string;
  eventId: number;
  qualifiers?: number;
  /** Default 0. */
  version?: number;
  /** Default 4 (Information). */
  level?: number;
  /** Default 0. */
  task?: number;
  /** Default 0. */
  opcode?: number;
  /** Default 0n. */
  keywords?: bigint;
  /** Default 0. */
  processId?: number;
  /** Default 0. */
  threadId?: number;
  channel: string;
  computer: string;
  userId?: string;
  /** EventData <Data Name="…"> pairs in order (a plain string means type 'string'). Omit for UserData. */
  eventData?: Array<[string, string | WriteValue]>;
  /** Alternatively a UserData element: root name, optional xmlns, and leaf children in order. */
  userData?: { name: string; xmlns?: string; fields: Array<[string, string | WriteValue]> };
}

export interface WriteOptions {
  /** Start a new chunk after this many records even if the next one would fit. */
  chunkRecordLimit?: number;
  /** Set the file header's dirty flag (0x1), as on a log Windows had open. */
  dirty?: boolean;
}
