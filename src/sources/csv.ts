// CSV input: Microsoft Defender for Endpoint advanced-hunting exports (portal export, Log
// Analytics / Sentinel export) and Splunk exports of Windows events. The header row says which:
// Defender tables are told apart by the columns only they have (Microsoft's schema pages), or
// per row by a `Type` / `$table` / `TableName` column or the row's ActionType; Splunk exports by
// their own columns (`EventCode`, `_raw`, `_time`), each row read by splunk.ts as the `windows`
// view, as a Splunk JSON export's results are. Any other header is reported once, unread.
//
// Rows come from the streaming RFC 4180 scanner in csv-scanner.ts (a bad row becomes one
// rejected `bad-csv` / `limit-exceeded` diagnostic while the rest is read); the Defender tables'
// columns, table detection and typed values are in mde-columns.ts.

import { Fields } from '../events/fields.js';
import type { FieldValue } from '../events/fields.js';
import { CsvScanner } from './csv-scanner.js';
import type { CsvItem, CsvOptions } from './csv-scanner.js';
import { readFailure, utf8Chunks } from './input.js';
import type { Input } from './input.js';
import { shapeDocument } from './json-shapes.js';
import type { ShapeItem } from './json-shapes.js';
import { MDE_BOOLEAN_COLUMNS, MDE_INTEGER_COLUMNS, MDE_TABLE_SET, TABLE_COLUMNS, additionalFields, isMdeHeader, mdeTableFromActionType, mdeTableFromColumns, mdeValue } from './mde-columns.js';
import { isSplunkColumns, splunkRecords } from './splunk.js';
import type { MdeTable, ReadTally, SourceDiagnostic, SourceErrorCode, SourceItem, SourceRecord } from './types.js';

// What this module exported before the scanner and the Defender schema moved out of it.
export { CsvScanner, DEFAULT_MAX_CSV_FIELD, DEFAULT_MAX_CSV_ROW, MAX_CSV_COLUMNS } from './csv-scanner.js';
export type { CsvItem, CsvOptions, CsvProblem, CsvRow } from './csv-scanner.js';
export { MDE_COLUMNS, mdeTableFromActionType, mdeTableFromColumns } from './mde-columns.js';

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
export async function* readCsvSource(input: Input, options: CsvOptions & { tally?: ReadTally } = {}): AsyncGenerator<SourceItem> {
  const path = input.path;
  const tally = options.tally ?? { read: 0, ignored: 0 };
  const { chunks, start } = utf8Chunks(input);
  const scanner = new CsvScanner(options, start);
  let shape: Shape | null = null;
  let stop = false;

  const handle = (item: CsvItem): SourceItem[] => {
    if (!item.ok) {
      // Before the header a problem is not a data row.
      if (shape !== null) tally.read++;
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
    const results = shape.row(item.fields, item.line, item.offset);
    // A row of empty cells holds no event; a Splunk row may hold several (its `_raw`).
    if (results.length === 0) tally.ignored++;
    tally.read += results.length;
    return results.flatMap((result): SourceItem[] => {
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
