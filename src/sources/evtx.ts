// EVTX input: the native reader's records as `windows`-view source records, its diagnostics as
// source diagnostics (each failed record counts as one rejected record).

import { readEvtxBytes, readEvtxFile } from '../evtx/reader.js';
import type { EvtxFileSummary, EvtxItem, EvtxReadOptions } from '../evtx/reader.js';
import type { EvtxRecord } from '../evtx/model.js';
import type { EvtxDiagnostic } from '../evtx/errors.js';
import type { SourceDiagnostic, SourceItem, SourceRecord } from './types.js';
import { windowsViewOfArrays } from './windows-view.js';

export function evtxSourceRecord(r: EvtxRecord): SourceRecord {
  const s = r.system;
  const view = windowsViewOfArrays(
    {
      eventId: s.eventId,
      channel: s.channel,
      provider: s.provider,
      providerGuid: s.providerGuid,
      computer: s.computer,
      timeCreated: s.timeCreated ?? r.writtenTime,
      eventRecordId: s.eventRecordId ?? r.recordId,
      level: s.level,
      task: s.task,
      opcode: s.opcode,
      keywords: s.keywords,
      version: s.version,
      processId: s.processId,
      threadId: s.threadId,
      userId: s.userId,
      activityId: s.activityId,
      qualifiers: s.qualifiers,
    },
    r.data.names,
    r.data.values,
  );
  return {
    kind: 'windows',
    table: null,
    raw: view,
    view,
    origin: {
      path: r.origin.file,
      format: 'evtx',
      shape: 'evtx',
      recordId: r.recordId,
      line: null,
      offset: r.origin.offset,
      recovered: r.origin.recovered,
    },
  };
}

export function evtxDiagnostic(d: EvtxDiagnostic): SourceDiagnostic {
  return {
    code: 'evtx',
    detail: d.code,
    severity: d.severity,
    message: d.chunk === null ? d.message : `chunk ${d.chunk}: ${d.message}`,
    path: d.file,
    line: null,
    column: null,
    offset: d.offset,
    recordId: d.recordId,
    // Record-level errors stand for a record that could not be read.
    rejected: d.severity === 'error' && d.recordId !== null,
  };
}

function* convert(items: Generator<EvtxItem, EvtxFileSummary>): Generator<SourceItem, EvtxFileSummary> {
  for (;;) {
    const next = items.next();
    if (next.done === true) return next.value;
    const item = next.value;
    yield item.ok ? { ok: true, record: evtxSourceRecord(item.record) } : { ok: false, diagnostic: evtxDiagnostic(item.diagnostic) };
  }
}

/**
 * The record candidates of an EVTX input: the frames the reader's chunk walk reached and handed
 * on (decoded, failed or turned away by a prefilter) plus the carved records it accepted, counted
 * before decoding. Records inside bytes the walk could not frame at all are not candidates: those
 * bytes are `bad-record-header` errors with their size. The shared-data test cross-checks the
 * count against libevtx's.
 */
export function evtxFrames(summary: EvtxFileSummary): number {
  return summary.frames;
}

export function readEvtxSource(path: string, options: EvtxReadOptions = {}): Generator<SourceItem, EvtxFileSummary> {
  return convert(readEvtxFile(path, options));
}

export function readEvtxSourceBytes(bytes: Uint8Array, name: string, options: EvtxReadOptions = {}): Generator<SourceItem, EvtxFileSummary> {
  return convert(readEvtxBytes(bytes, name, options));
}
