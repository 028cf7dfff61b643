// CSV input: Microsoft Defender for Endpoint advanced-hunting exports (portal export, Log
// Analytics / Sentinel export) and Splunk exports of Windows events. The header row says which:
// Defender tables are told apart by the columns only they have (Microsoft's schema pages), or
// per row by a `Type` / `$table` / `TableName` column or the row's ActionType; Splunk exports by
// their own columns (`EventCode`, `_raw`, `_time`), each row read by splunk.ts as the `windows`
// view, as a Splunk JSON export's results are. Any other header is reported once, unread.
//
// The parser is a small streaming RFC 4180 scanner over bytes (quotes, `""`, embedded commas and
// newlines, CRLF or LF; UTF-8, or UTF-16 with a BOM, which `utf8Chunks` transcodes): a row is
// held in memory only until it ends, fields and rows have caps, and a bad row (wrong field
// count, text after a closing quote, unterminated quote, too large) becomes one rejected
// `bad-csv` / `limit-exceeded` diagnostic while the rest is read. Completely empty lines are not
// rows.

import { Fields } from '../events/fields.js';
import type { FieldValue } from '../events/fields.js';
import { readFailure, utf8Chunks } from './input.js';
import type { Input } from './input.js';
import { shapeDocument } from './json-shapes.js';
import type { ShapeItem } from './json-shapes.js';
import { isSplunkColumns, splunkRecords } from './splunk.js';
import type { MdeTable, SourceDiagnostic, SourceErrorCode, SourceItem, SourceRecord } from './types.js';

export interface CsvOptions {
  /** Largest field, in bytes; a row with a larger one is rejected (`limit-exceeded`). */
  maxField?: number;
  /** Largest row, in bytes (roughly: checked when a chunk ends and when a row ends). */
  maxRow?: number;
}

export const DEFAULT_MAX_CSV_FIELD = 4 * 1024 * 1024;
export const DEFAULT_MAX_CSV_ROW = 16 * 1024 * 1024;
/** More fields than this in one row is not a log export. */
export const MAX_CSV_COLUMNS = 4096;

// ---------------------------------------------------------------------------------------------
// The scanner

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/** A byte >= 0x80 in a Latin-1 view of the bytes. */
const NON_ASCII = /[\u0080-\u00ff]/g;

// Scanner states.
const FIELD = 0; // at the start of a field
const BARE = 1; // in an unquoted field
const QUOTED = 2; // in a quoted field
const CLOSED = 3; // just after a quote in a quoted field: `""`, or the closing quote
const CLOSED_CR = 4; // closing quote then CR: only LF may follow
const SKIP = 5; // rejecting the rest of a physical line

export interface CsvRow {
  ok: true;
  fields: string[];
  /** 1-based line of the row's first byte. */
  line: number;
  /** Byte offset of the row's first byte. */
  offset: number;
}

export interface CsvProblem {
  ok: false;
  code: 'bad-csv' | 'limit-exceeded';
  message: string;
  line: number;
  /** 1-based, in characters. */
  column: number;
  /** Byte offset of the rejected row. */
  offset: number;
}

export type CsvItem = CsvRow | CsvProblem;

/**
 * A pull scanner: `feed` chunks, take rows with `next()` until it returns null (more input
 * needed, or the end after `finish()`). Each problem stands for one rejected row.
 */
export class CsvScanner {
  /** How many fields a row must have (0: any); set once the header is known. */
  expected = 0;
  private buf: Buffer = Buffer.alloc(0);
  /** Absolute offset of buf[0]. */
  private base = 0;
  private pos = 0;
  private rowStart = 0;
  private rowLine = 1;
  private lineNo = 1;
  private state = FIELD;
  private fieldStart = 0;
  private fieldEnd = 0;
  /** 0 bare, 1 quoted, 2 quoted with `""` inside. */
  private fieldFlag = 0;
  private quotePos = 0;
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly flags: number[] = [];
  private nf = 0;
  private oversize = -1;
  private eof = false;
  /** Cache of the next LF: `lf` is the first LF at or after `lfFrom` (buf.length: none). */
  private lf = -1;
  private lfFrom = Number.MAX_SAFE_INTEGER;
  private readonly maxField: number;
  private readonly maxRow: number;

  /** `start`: where the first byte fed is in the input (after a byte order mark, see `utf8Chunks`). */
  constructor(options: CsvOptions = {}, start = 0) {
    this.maxField = options.maxField ?? DEFAULT_MAX_CSV_FIELD;
    this.maxRow = options.maxRow ?? DEFAULT_MAX_CSV_ROW;
    this.base = start;
  }

  feed(chunk: Buffer): void {
    const shift = this.rowStart;
    if (shift === this.buf.length) this.buf = chunk;
    else this.buf = Buffer.concat([this.buf.subarray(shift), chunk]);
    this.base += shift;
    this.rowStart = 0;
    this.pos -= shift;
    this.fieldStart -= shift;
    this.fieldEnd -= shift;
    this.quotePos -= shift;
    const n = Math.min(this.nf, MAX_CSV_COLUMNS);
    for (let i = 0; i < n; i++) {
      this.starts[i]! -= shift;
      this.ends[i]! -= shift;
    }
    this.lf = -1;
    this.lfFrom = Number.MAX_SAFE_INTEGER;
  }

  finish(): void {
    this.eof = true;
  }

  private lfAt(from: number): number {
    if (this.lfFrom <= from && this.lf >= from) return this.lf;
    const i = this.buf.indexOf(LF, from);
    this.lf = i < 0 ? this.buf.length : i;
    this.lfFrom = from;
    return this.lf;
  }

  next(): CsvItem | null {
    const buf = this.buf;
    const len = buf.length;
    let pos = this.pos;
    for (;;) {
      switch (this.state) {
        case FIELD: {
          if (pos >= len) return this.suspend(pos);
          if (buf[pos] === QUOTE) {
            this.quotePos = pos;
            this.fieldStart = pos + 1;
            this.fieldFlag = 1;
            this.state = QUOTED;
            pos++;
          } else {
            this.fieldStart = pos;
            this.fieldFlag = 0;
            this.state = BARE;
          }
          break;
        }
        case BARE: {
          let p = pos;
          let c = 0;
          while (p < len) {
            c = buf[p]!;
            if (c === COMMA || c === LF) break;
            p++;
          }
          if (p >= len) return this.suspend(p);
          if (c === COMMA) {
            this.push(this.fieldStart, p, 0);
            pos = p + 1;
            this.state = FIELD;
            break;
          }
          this.push(this.fieldStart, p > this.fieldStart && buf[p - 1] === CR ? p - 1 : p, 0);
          this.lineNo++;
          pos = p + 1;
          const item = this.endRow(pos, p);
          if (item !== null) {
            this.pos = pos;
            return item;
          }
          break;
        }
        case QUOTED: {
          const q = buf.indexOf(QUOTE, pos);
          const stop = q < 0 ? len : q;
          for (let nl = this.lfAt(pos); nl < stop; nl = this.lfAt(nl + 1)) this.lineNo++;
          if (q < 0) return this.suspend(len);
          this.fieldEnd = q;
          this.state = CLOSED;
          pos = q + 1;
          break;
        }
        case CLOSED: {
          if (pos >= len) return this.suspend(pos);
          const c = buf[pos];
          if (c === QUOTE) {
            this.fieldFlag = 2;
            this.state = QUOTED;
            pos++;
          } else if (c === COMMA) {
            this.push(this.fieldStart, this.fieldEnd, this.fieldFlag);
            this.state = FIELD;
            pos++;
          } else if (c === LF) {
            this.push(this.fieldStart, this.fieldEnd, this.fieldFlag);
            this.lineNo++;
            const item = this.endRow(pos + 1, pos);
            pos++;
            if (item !== null) {
              this.pos = pos;
              return item;
            }
          } else if (c === CR) {
            this.push(this.fieldStart, this.fieldEnd, this.fieldFlag);
            this.state = CLOSED_CR;
            pos++;
          } else {
            return this.reject(pos, 'bad-csv', 'text after the closing quote of a quoted field', pos);
          }
          break;
        }
        case CLOSED_CR: {
          if (pos >= len) return this.suspend(pos);
          if (buf[pos] !== LF) return this.reject(pos, 'bad-csv', 'text after the closing quote of a quoted field', pos - 1);
          this.lineNo++;
          const item = this.endRow(pos + 1, pos - 1);
          pos++;
          if (item !== null) {
            this.pos = pos;
            return item;
          }
          break;
        }
        default: {
          // SKIP: drop the rest of the physical line, then start a fresh row.
          const nl = this.lfAt(pos);
          if (nl >= len) return this.suspend(len);
          this.lineNo++;
          pos = nl + 1;
          this.resetRow(pos);
          break;
        }
      }
    }
  }

  private push(start: number, end: number, flag: number): void {
    const i = this.nf++;
    if (i >= MAX_CSV_COLUMNS) return;
    if (end - start > this.maxField && this.oversize < 0) this.oversize = i;
    this.starts[i] = start;
    this.ends[i] = end;
    this.flags[i] = flag;
  }

  private resetRow(at: number): void {
    this.rowStart = at;
    this.rowLine = this.lineNo;
    this.nf = 0;
    this.oversize = -1;
    this.state = FIELD;
  }

  /**
   * The fields of the current row as strings. The row is read once as Latin-1 (one character
   * per byte, so byte offsets are string offsets) and cut into fields; the few fields holding a
   * byte >= 0x80 are decoded again from the bytes as UTF-8, as they would be alone.
   */
  private decode(): string[] {
    const buf = this.buf;
    const nf = this.nf;
    const starts = this.starts;
    const ends = this.ends;
    const flags = this.flags;
    const from = starts[0]!;
    const text = buf.toString('latin1', from, ends[nf - 1]);
    const fields = new Array<string>(nf);
    NON_ASCII.lastIndex = 0;
    let na = NON_ASCII.exec(text)?.index ?? Infinity;
    for (let i = 0; i < nf; i++) {
      const s = starts[i]! - from;
      const e = ends[i]! - from;
      if (na < s) {
        NON_ASCII.lastIndex = s;
        na = NON_ASCII.exec(text)?.index ?? Infinity;
      }
      const f = na < e ? buf.toString('utf8', starts[i], ends[i]) : text.slice(s, e);
      fields[i] = flags[i] === 2 ? f.replaceAll('""', '"') : f;
    }
    return fields;
  }

  /** Line and character column of a position of the current row. */
  private locate(p: number): { line: number; column: number } {
    let line = this.rowLine;
    let lineStart = this.rowStart;
    for (let i = this.buf.indexOf(LF, this.rowStart); i >= 0 && i < p; i = this.buf.indexOf(LF, i + 1)) {
      line++;
      lineStart = i + 1;
    }
    return { line, column: this.buf.toString('utf8', lineStart, p).length + 1 };
  }

  private problem(code: CsvProblem['code'], message: string, at: number): CsvProblem {
    const { line, column } = this.locate(at);
    return { ok: false, code, message, line, column, offset: this.base + this.rowStart };
  }

  /** Rejects the current row at `at` and skips the rest of the physical line at `pos`. */
  private reject(pos: number, code: CsvProblem['code'], message: string, at: number): CsvProblem {
    const item = this.problem(code, message, at);
    this.nf = 0;
    this.oversize = -1;
    this.state = SKIP;
    this.pos = pos;
    return item;
  }

  /** Restarts scanning on the line after an unterminated quote. */
  private restartAfterQuote(item: CsvProblem): CsvProblem {
    const nl = this.buf.indexOf(LF, this.quotePos);
    if (nl < 0) {
      this.pos = this.buf.length;
      this.lineNo = item.line;
      this.resetRow(this.buf.length);
      this.state = SKIP;
    } else {
      this.pos = nl + 1;
      this.lineNo = item.line + 1;
      this.resetRow(nl + 1);
    }
    this.lf = -1;
    this.lfFrom = Number.MAX_SAFE_INTEGER;
    return item;
  }

  /** Out of bytes at `pos`: wait for more, enforce the row cap, or finish at the end of input. */
  private suspend(pos: number): CsvItem | null {
    this.pos = pos;
    const len = this.buf.length;
    if (this.state === SKIP) {
      this.rowStart = pos;
      return null;
    }
    if (pos - this.rowStart > this.maxRow) {
      if (this.state === QUOTED) {
        const q = this.problem('limit-exceeded', `row longer than ${this.maxRow} bytes: a quoted field runs on from here (unterminated quote?)`, this.quotePos);
        return this.restartAfterQuote(q);
      }
      return this.reject(pos, 'limit-exceeded', `row longer than ${this.maxRow} bytes`, this.rowStart);
    }
    if (!this.eof) return null;
    switch (this.state) {
      case FIELD:
        if (this.nf === 0) return null;
        this.push(len, len, 0);
        break;
      case BARE:
        this.push(this.fieldStart, len > this.fieldStart && this.buf[len - 1] === CR ? len - 1 : len, 0);
        break;
      case QUOTED:
        return this.restartAfterQuote(this.problem('bad-csv', 'unterminated quoted field at the end of the input', this.quotePos));
      case CLOSED:
        this.push(this.fieldStart, this.fieldEnd, this.fieldFlag);
        break;
      default:
        // CLOSED_CR: the field is in; the row ends here.
        break;
    }
    const item = this.endRow(len, len);
    this.pos = len;
    this.state = FIELD;
    this.nf = 0;
    return item;
  }

  /** The row that ended at `termPos` (its terminator); the next one starts at `next`. */
  private endRow(next: number, termPos: number): CsvItem | null {
    const nf = this.nf;
    let item: CsvItem | null;
    if (nf === 1 && this.flags[0] === 0 && this.starts[0] === this.ends[0]) {
      item = null; // an empty line
    } else if (nf > MAX_CSV_COLUMNS) {
      item = this.problem('limit-exceeded', `row with more than ${MAX_CSV_COLUMNS} fields`, this.rowStart);
    } else if (this.expected > 0 && nf !== this.expected) {
      const message = `row has ${nf} field${nf === 1 ? '' : 's'}, the header has ${this.expected}`;
      const extra = this.expected;
      // Too few: where the row ended. Too many: where the first field past the header's begins.
      const at = nf < extra ? termPos : extra < MAX_CSV_COLUMNS ? this.starts[extra]! - (this.flags[extra] === 0 ? 0 : 1) : this.rowStart;
      item = this.problem('bad-csv', message, at);
    } else if (this.oversize >= 0) {
      const i = this.oversize;
      item = this.problem('limit-exceeded', `field ${i + 1} longer than ${this.maxField} bytes`, this.starts[i]! - (this.flags[i] === 0 ? 0 : 1));
    } else if (next - this.rowStart > this.maxRow) {
      item = this.problem('limit-exceeded', `row longer than ${this.maxRow} bytes`, this.rowStart);
    } else {
      item = { ok: true, fields: this.decode(), line: this.rowLine, offset: this.base + this.rowStart };
    }
    this.resetRow(next);
    return item;
  }
}

// ---------------------------------------------------------------------------------------------
// Microsoft Defender for Endpoint advanced-hunting tables

const IP_VERSION_INFO = [
  'InitiatingProcessVersionInfoCompanyName',
  'InitiatingProcessVersionInfoProductName',
  'InitiatingProcessVersionInfoProductVersion',
  'InitiatingProcessVersionInfoInternalFileName',
  'InitiatingProcessVersionInfoOriginalFileName',
  'InitiatingProcessVersionInfoFileDescription',
];
const IP_ACCOUNT = [
  'InitiatingProcessAccountDomain',
  'InitiatingProcessAccountName',
  'InitiatingProcessAccountSid',
  'InitiatingProcessAccountUpn',
  'InitiatingProcessAccountObjectId',
];
const IP_PARENT = ['InitiatingProcessParentId', 'InitiatingProcessParentFileName', 'InitiatingProcessParentCreationTime'];
const IP_SESSION = ['InitiatingProcessSessionId', 'IsInitiatingProcessRemoteSession', 'InitiatingProcessRemoteSessionDeviceName', 'InitiatingProcessRemoteSessionIP'];
const CREATED_SESSION = ['CreatedProcessSessionId', 'IsProcessRemoteSession', 'ProcessRemoteSessionDeviceName', 'ProcessRemoteSessionIP'];
const HEAD = ['Timestamp', 'DeviceId', 'DeviceName', 'ActionType'];
const FILE = ['FileName', 'FolderPath', 'SHA1', 'SHA256', 'MD5'];

/**
 * The columns of each table, in Microsoft's order: learn.microsoft.com/defender-xdr/
 * advanced-hunting-<table>-table (MicrosoftDocs/defender-docs, pages dated 2024-09-06; image
 * loads from the version that added the session columns). Exports made before 2024 lack the
 * `*Session*` columns; Sentinel / Log Analytics exports add `TenantId`, `TimeGenerated`, `Type`,
 * `SourceSystem`, `MachineGroup`.
 */
export const MDE_COLUMNS: Readonly<Record<MdeTable, readonly string[]>> = {
  DeviceProcessEvents: [
    ...HEAD,
    ...FILE,
    'FileSize',
    'ProcessVersionInfoCompanyName',
    'ProcessVersionInfoProductName',
    'ProcessVersionInfoProductVersion',
    'ProcessVersionInfoInternalFileName',
    'ProcessVersionInfoOriginalFileName',
    'ProcessVersionInfoFileDescription',
    'ProcessId',
    'ProcessCommandLine',
    'ProcessIntegrityLevel',
    'ProcessTokenElevation',
    'ProcessCreationTime',
    'AccountDomain',
    'AccountName',
    'AccountSid',
    'AccountUpn',
    'AccountObjectId',
    'LogonId',
    ...IP_ACCOUNT,
    'InitiatingProcessLogonId',
    'InitiatingProcessIntegrityLevel',
    'InitiatingProcessTokenElevation',
    'InitiatingProcessSHA1',
    'InitiatingProcessSHA256',
    'InitiatingProcessMD5',
    'InitiatingProcessFileName',
    'InitiatingProcessFileSize',
    ...IP_VERSION_INFO,
    'InitiatingProcessId',
    'InitiatingProcessCommandLine',
    'InitiatingProcessCreationTime',
    'InitiatingProcessFolderPath',
    ...IP_PARENT,
    'InitiatingProcessSignerType',
    'InitiatingProcessSignatureStatus',
    'ReportId',
    'AppGuardContainerId',
    'AdditionalFields',
    ...IP_SESSION,
    ...CREATED_SESSION,
  ],
  DeviceNetworkEvents: [
    ...HEAD,
    'RemoteIP',
    'RemotePort',
    'RemoteUrl',
    'LocalIP',
    'LocalPort',
    'Protocol',
    'LocalIPType',
    'RemoteIPType',
    'InitiatingProcessSHA1',
    'InitiatingProcessSHA256',
    'InitiatingProcessMD5',
    'InitiatingProcessFileName',
    'InitiatingProcessFileSize',
    ...IP_VERSION_INFO,
    'InitiatingProcessId',
    'InitiatingProcessCommandLine',
    'InitiatingProcessCreationTime',
    'InitiatingProcessFolderPath',
    'InitiatingProcessParentFileName',
    'InitiatingProcessParentId',
    'InitiatingProcessParentCreationTime',
    ...IP_ACCOUNT,
    'InitiatingProcessIntegrityLevel',
    'InitiatingProcessTokenElevation',
    'ReportId',
    'AppGuardContainerId',
    'AdditionalFields',
    ...IP_SESSION,
  ],
  DeviceRegistryEvents: [
    ...HEAD,
    'RegistryKey',
    'RegistryValueType',
    'RegistryValueName',
    'RegistryValueData',
    'PreviousRegistryKey',
    'PreviousRegistryValueName',
    'PreviousRegistryValueData',
    ...IP_ACCOUNT,
    'InitiatingProcessSHA1',
    'InitiatingProcessSHA256',
    'InitiatingProcessMD5',
    'InitiatingProcessFileName',
    'InitiatingProcessFileSize',
    ...IP_VERSION_INFO,
    'InitiatingProcessId',
    'InitiatingProcessCommandLine',
    'InitiatingProcessCreationTime',
    'InitiatingProcessFolderPath',
    ...IP_PARENT,
    'InitiatingProcessIntegrityLevel',
    'InitiatingProcessTokenElevation',
    'ReportId',
    'AppGuardContainerId',
    ...IP_SESSION,
  ],
  DeviceImageLoadEvents: [
    ...HEAD,
    ...FILE,
    'FileSize',
    ...IP_ACCOUNT,
    'InitiatingProcessIntegrityLevel',
    'InitiatingProcessTokenElevation',
    'InitiatingProcessSHA1',
    'InitiatingProcessSHA256',
    'InitiatingProcessMD5',
    'InitiatingProcessFileName',
    'InitiatingProcessFileSize',
    ...IP_VERSION_INFO,
    'InitiatingProcessId',
    'InitiatingProcessCommandLine',
    'InitiatingProcessCreationTime',
    'InitiatingProcessFolderPath',
    ...IP_PARENT,
    'ReportId',
    'AppGuardContainerId',
    ...IP_SESSION,
  ],
  DeviceFileEvents: [
    ...HEAD,
    ...FILE,
    'FileOriginUrl',
    'FileOriginReferrerUrl',
    'FileOriginIP',
    'PreviousFolderPath',
    'PreviousFileName',
    'FileSize',
    ...IP_ACCOUNT,
    'InitiatingProcessMD5',
    'InitiatingProcessSHA1',
    'InitiatingProcessSHA256',
    'InitiatingProcessFolderPath',
    'InitiatingProcessFileName',
    'InitiatingProcessFileSize',
    ...IP_VERSION_INFO,
    'InitiatingProcessId',
    'InitiatingProcessCommandLine',
    'InitiatingProcessCreationTime',
    'InitiatingProcessIntegrityLevel',
    'InitiatingProcessTokenElevation',
    ...IP_PARENT,
    'RequestProtocol',
    'RequestSourceIP',
    'RequestSourcePort',
    'RequestAccountName',
    'RequestAccountDomain',
    'RequestAccountSid',
    'ShareName',
    'SensitivityLabel',
    'SensitivitySubLabel',
    'IsAzureInfoProtectionApplied',
    'ReportId',
    'AppGuardContainerId',
    'AdditionalFields',
    ...IP_SESSION,
  ],
  DeviceEvents: [
    ...HEAD,
    ...FILE,
    'FileSize',
    'AccountDomain',
    'AccountName',
    'AccountSid',
    'RemoteUrl',
    'RemoteDeviceName',
    'ProcessId',
    'ProcessCommandLine',
    'ProcessCreationTime',
    'ProcessTokenElevation',
    'LogonId',
    'RegistryKey',
    'RegistryValueName',
    'RegistryValueData',
    'RemoteIP',
    'RemotePort',
    'LocalIP',
    'LocalPort',
    'FileOriginUrl',
    'FileOriginIP',
    'InitiatingProcessSHA1',
    'InitiatingProcessSHA256',
    'InitiatingProcessMD5',
    'InitiatingProcessFileName',
    'InitiatingProcessFileSize',
    'InitiatingProcessFolderPath',
    'InitiatingProcessId',
    'InitiatingProcessCommandLine',
    'InitiatingProcessCreationTime',
    ...IP_ACCOUNT,
    ...IP_VERSION_INFO,
    ...IP_PARENT,
    'InitiatingProcessLogonId',
    'ReportId',
    'AppGuardContainerId',
    'AdditionalFields',
    ...IP_SESSION,
    ...CREATED_SESSION,
  ],
};

const MDE_TABLES = Object.keys(MDE_COLUMNS) as MdeTable[];
const MDE_TABLE_SET: ReadonlySet<string> = new Set(MDE_TABLES);

/** Which tables have each column. */
const COLUMN_TABLES: ReadonlyMap<string, readonly MdeTable[]> = (() => {
  const m = new Map<string, MdeTable[]>();
  for (const t of MDE_TABLES) for (const c of MDE_COLUMNS[t]) m.set(c, [...(m.get(c) ?? []), t]);
  return m;
})();

/** `long` / `int` columns (as numbers when they hold an integer) and `bool` columns. */
const MDE_INTEGER_COLUMNS: ReadonlySet<string> = new Set([
  'ProcessId',
  'InitiatingProcessId',
  'InitiatingProcessParentId',
  'RemotePort',
  'LocalPort',
  'RequestSourcePort',
  'FileSize',
  'InitiatingProcessFileSize',
  'ReportId',
  'LogonId',
  'InitiatingProcessLogonId',
  'InitiatingProcessSessionId',
  'CreatedProcessSessionId',
]);
const MDE_BOOLEAN_COLUMNS: ReadonlySet<string> = new Set(['IsInitiatingProcessRemoteSession', 'IsProcessRemoteSession', 'IsAzureInfoProtectionApplied']);

/** Columns naming the table of each row: Log Analytics `Type`, or a `union withsource=` column. */
const TABLE_COLUMNS = ['Type', '$table', 'TableName'];

/** ActionType values that belong to one table (the in-portal schema reference and observed exports). */
const ACTION_TABLES: ReadonlyMap<string, MdeTable> = new Map<string, MdeTable>([
  ['ProcessCreated', 'DeviceProcessEvents'],
  ...[
    'ConnectionSuccess',
    'ConnectionFailed',
    'ConnectionAttempt',
    'ConnectionRequest',
    'ConnectionFound',
    'ConnectionAcknowledged',
    'ConnectionSuccessAggregatedReport',
    'ConnectionFailedAggregatedReport',
    'InboundConnectionAccepted',
    'ListeningConnectionCreated',
    'DnsConnectionInspected',
    'HttpConnectionInspected',
    'SslConnectionInspected',
    'IcmpConnectionInspected',
    'SshConnectionInspected',
    'NetworkSignatureInspected',
    'InboundInternetScanInspected',
  ].map((a): [string, MdeTable] => [a, 'DeviceNetworkEvents']),
  ...['RegistryKeyCreated', 'RegistryKeyDeleted', 'RegistryKeyRenamed', 'RegistryValueSet', 'RegistryValueDeleted'].map(
    (a): [string, MdeTable] => [a, 'DeviceRegistryEvents'],
  ),
  ['ImageLoaded', 'DeviceImageLoadEvents'],
  ...['FileCreated', 'FileModified', 'FileDeleted', 'FileRenamed'].map((a): [string, MdeTable] => [a, 'DeviceFileEvents']),
  ...[
    'CreateRemoteThreadApiCall',
    'OpenProcessApiCall',
    'ReadProcessMemoryApiCall',
    'QueueUserApcRemoteApiCall',
    'SetThreadContextRemoteApiCall',
    'NtAllocateVirtualMemoryRemoteApiCall',
    'NtMapViewOfSectionRemoteApiCall',
    'DnsQueryResponse',
    'NamedPipeEvent',
    'PowerShellCommand',
    'DriverLoad',
    'ServiceInstalled',
    'ScheduledTaskCreated',
    'ProcessCreatedUsingWmiQuery',
    'AntivirusDetection',
    'ClrUnbackedModuleLoaded',
  ].map((a): [string, MdeTable] => [a, 'DeviceEvents']),
]);

/** The table a row belongs to by its ActionType, when that ActionType belongs to one table. */
export function mdeTableFromActionType(actionType: string): MdeTable | null {
  return ACTION_TABLES.get(actionType) ?? null;
}

/** Share of a table's columns a header must have to count as a full export of it. */
const FULL_EXPORT = 0.85;

/**
 * The table a header is from, by its columns: the only table that has every known column of
 * the header (DeviceEvents, the catch-all, loses a tie against one other table, so a projected
 * `ProcessCommandLine, InitiatingProcessFileName` export is DeviceProcessEvents), or else the
 * only candidate the header covers as a full export. Null when the columns cannot tell.
 */
export function mdeTableFromColumns(columns: readonly string[]): MdeTable | null {
  let candidates: MdeTable[] | null = null;
  for (const c of columns) {
    const tables = COLUMN_TABLES.get(c);
    if (tables === undefined) continue;
    candidates = candidates === null ? [...tables] : candidates.filter((t) => tables.includes(t));
  }
  if (candidates === null || candidates.length === 0) return null;
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 2 && candidates.includes('DeviceEvents')) return candidates.find((t) => t !== 'DeviceEvents')!;
  const have = new Set(columns);
  const full = candidates.filter((t) => MDE_COLUMNS[t].filter((c) => have.has(c)).length >= FULL_EXPORT * MDE_COLUMNS[t].length);
  return full.length === 1 ? full[0]! : null;
}

function isMdeHeader(columns: readonly string[]): boolean {
  return columns.some((c) => c === 'ActionType' || c === 'DeviceName' || c === 'DeviceId' || c.startsWith('InitiatingProcess'));
}

const INTEGER = /^-?\d{1,16}$/;

function mdeValue(kind: number, text: string): FieldValue {
  if (kind === 1 && INTEGER.test(text)) {
    const n = Number(text);
    if (Number.isSafeInteger(n)) return n;
  } else if (kind === 2) {
    const t = text.toLowerCase();
    if (t === 'true') return true;
    if (t === 'false') return false;
  }
  return text;
}

const MAX_FLAT_DEPTH = 4;
const MAX_FLAT_FIELDS = 256;

/** `AdditionalFields` JSON objects as dotted names (`AdditionalFields.DnsQueryString`). */
function flattenJson(prefix: string, value: unknown, out: Array<[string, FieldValue]>, depth: number): void {
  if (out.length >= MAX_FLAT_FIELDS) return;
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    out.push([prefix, value]);
  } else if (Array.isArray(value)) {
    const scalars = value.every((v) => v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean');
    out.push([prefix, scalars ? (value as FieldValue) : JSON.stringify(value)]);
  } else if (typeof value === 'object' && depth < MAX_FLAT_DEPTH) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flattenJson(`${prefix}.${k}`, v, out, depth + 1);
  } else {
    out.push([prefix, JSON.stringify(value)]);
  }
}

function additionalFields(text: string): Array<[string, FieldValue]> {
  if (!text.startsWith('{')) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  const out: Array<[string, FieldValue]> = [];
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) flattenJson('AdditionalFields', parsed, out, 0);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The reader

type RowProblem = { code: SourceErrorCode; message: string };
type RowResult = { record: SourceRecord; warning?: RowProblem } | { reject: string; code?: SourceErrorCode };

interface Shape {
  /** The row's records, or reasons to reject it; none when the row has no fields (all empty). */
  row(fields: readonly string[], line: number, offset: number): RowResult[];
}

function mdeShape(path: string, columns: readonly string[], keep: readonly number[]): Shape | string {
  const tableCol = columns.findIndex((c) => TABLE_COLUMNS.includes(c));
  const actionCol = columns.indexOf('ActionType');
  const headerTable = mdeTableFromColumns(columns);
  if (tableCol < 0 && headerTable === null && actionCol < 0) return 'its columns are Defender-like but match no single Defender table, and it has no ActionType or Type column';
  const kinds = keep.map((i) => (MDE_INTEGER_COLUMNS.has(columns[i]!) ? 1 : MDE_BOOLEAN_COLUMNS.has(columns[i]!) ? 2 : 0));
  const extraCol = columns.indexOf('AdditionalFields');
  return {
    row(fields, line, offset) {
      let table: MdeTable | null = null;
      const named = tableCol < 0 ? '' : fields[tableCol]!;
      if (named !== '') {
        if (!MDE_TABLE_SET.has(named)) return [{ reject: `table ${JSON.stringify(named.slice(0, 100))} is not a Defender device table this reader knows` }];
        table = named as MdeTable;
      } else {
        // With a table column the export is a union: the header's columns say nothing of a row.
        const byAction = (): MdeTable | null => (actionCol < 0 ? null : mdeTableFromActionType(fields[actionCol]!));
        table = tableCol >= 0 ? (byAction() ?? headerTable) : (headerTable ?? byAction());
        if (table === null) {
          const action = actionCol < 0 ? '' : fields[actionCol]!;
          return [{ reject: `the columns do not tell the Defender table and ActionType ${JSON.stringify(action.slice(0, 100))} does not either` }];
        }
      }
      const names: string[] = [];
      const values: FieldValue[] = [];
      for (let k = 0; k < keep.length; k++) {
        const i = keep[k]!;
        const text = fields[i]!;
        if (text === '') continue;
        names.push(columns[i]!);
        values.push(kinds[k] === 0 ? text : mdeValue(kinds[k]!, text));
      }
      const raw = new Fields(names, values);
      let view = raw;
      const extra = extraCol < 0 ? [] : additionalFields(fields[extraCol]!);
      if (extra.length > 0) {
        view = new Fields([...names], [...values]);
        for (const [k, v] of extra) if (!view.has(k)) view.set(k, v);
      }
      return [
        {
          record: {
            kind: 'mde',
            table,
            raw,
            view,
            origin: { path, format: 'csv', shape: `mde:${table}`, recordId: null, line, offset, recovered: false },
          },
        },
      ];
    },
  };
}

function splunkShape(path: string, columns: readonly string[], keep: readonly number[]): Shape {
  const names = keep.map((i) => columns[i]!);
  // A JSON document in `_raw` is read as the JSON reader reads one.
  const readDocument = (doc: unknown): ShapeItem[] => shapeDocument(doc, { depth: 1 });
  return {
    row(fields, line, offset) {
      const rowNames: string[] = [];
      const values: string[] = [];
      for (let k = 0; k < keep.length; k++) {
        const text = fields[keep[k]!]!;
        if (text === '') continue;
        rowNames.push(names[k]!);
        values.push(text);
      }
      if (values.length === 0) return [];
      return splunkRecords(new Fields(rowNames, values), 'splunk-csv', readDocument).map((item): RowResult => {
        if (!item.ok) return { reject: item.problem.message, code: item.problem.code };
        const r = item.record;
        const record: SourceRecord = {
          kind: r.kind,
          table: null,
          raw: r.raw,
          view: r.view,
          origin: { path, format: 'csv', shape: r.shape, recordId: r.recordId, line, offset, recovered: false },
        };
        return item.warning === undefined ? { record } : { record, warning: item.warning };
      });
    },
  };
}

function diagnostic(
  path: string,
  code: SourceErrorCode,
  message: string,
  at: { line: number | null; column: number | null; offset: number | null },
  rejected: boolean,
  severity: 'error' | 'warning' = 'error',
): SourceDiagnostic {
  return { code, severity, message, path, line: at.line, column: at.column, offset: at.offset, recordId: null, rejected };
}

function listColumns(columns: readonly string[]): string {
  const shown = columns.slice(0, 40).map((c) => JSON.stringify(c.length > 80 ? `${c.slice(0, 80)}…` : c));
  return shown.join(', ') + (columns.length > 40 ? `, … (${columns.length - 40} more)` : '');
}

/**
 * Records of a CSV export: Defender advanced-hunting rows (`mde`, `table` set, raw = the row's
 * non-empty cells, integer columns as numbers; the view adds `AdditionalFields.*` when that
 * column holds a JSON object) or Splunk Windows events (`windows` view). Never throws: bad rows
 * are rejected diagnostics, an unknown header is one `unknown-shape` diagnostic.
 */
export async function* readCsvSource(input: Input, options: CsvOptions = {}): AsyncGenerator<SourceItem> {
  const path = input.path;
  const { chunks, start } = utf8Chunks(input);
  const scanner = new CsvScanner(options, start);
  let shape: Shape | null = null;
  let stop = false;

  const handle = (item: CsvItem): SourceItem[] => {
    if (!item.ok) {
      // Before the header a problem is not a data row.
      return [{ ok: false, diagnostic: diagnostic(path, item.code, item.message, item, shape !== null) }];
    }
    if (shape === null) {
      if (item.fields.length === 2 && item.fields[0] === 'sep=' && item.fields[1] === '') return []; // Excel's separator line
      const columns = item.fields.map((c) => c.trim().replace(/ \[UTC\]$/, ''));
      const seen = new Set<string>();
      const keep: number[] = [];
      columns.forEach((c, i) => {
        if (c !== '' && !seen.has(c)) keep.push(i);
        seen.add(c);
      });
      const at = { line: item.line, column: 1, offset: item.offset };
      let found: Shape | string | null = null;
      if (isSplunkColumns(columns)) found = splunkShape(path, columns, keep);
      else if (isMdeHeader(columns)) found = mdeShape(path, columns, keep);
      if (found === null || typeof found === 'string') {
        stop = true;
        const why = found ?? 'not a Defender advanced-hunting export nor a Splunk export of Windows events';
        return [{ ok: false, diagnostic: diagnostic(path, 'unknown-shape', `unrecognised CSV header (${columns.length} columns: ${listColumns(columns)}): ${why}`, at, false) }];
      }
      shape = found;
      scanner.expected = item.fields.length;
      return [];
    }
    const at = { line: item.line, column: 1, offset: item.offset };
    return shape.row(item.fields, item.line, item.offset).flatMap((result): SourceItem[] => {
      if ('reject' in result) return [{ ok: false, diagnostic: diagnostic(path, result.code ?? 'unknown-shape', `row rejected: ${result.reject}`, at, true) }];
      const record: SourceItem = { ok: true, record: result.record };
      if (result.warning === undefined) return [record];
      return [record, { ok: false, diagnostic: diagnostic(path, result.warning.code, result.warning.message, at, false, 'warning') }];
    });
  };

  try {
    for await (const chunk of chunks) {
      scanner.feed(chunk);
      for (let item = scanner.next(); item !== null; item = scanner.next()) {
        yield* handle(item);
        if (stop) return;
      }
    }
  } catch (e) {
    yield { ok: false, diagnostic: readFailure(input, e) };
    return;
  }
  scanner.finish();
  for (let item = scanner.next(); item !== null; item = scanner.next()) {
    yield* handle(item);
    if (stop) return;
  }
  if (shape === null && !stop) yield { ok: false, diagnostic: diagnostic(path, 'unknown-shape', 'empty CSV: no header row', { line: null, column: null, offset: null }, false, 'warning') };
}
