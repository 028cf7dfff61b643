// The library's public surface, listed by name. The CLI is built on these same pieces.

// EVTX
export { readEvtxFile, readEvtxBytes } from './evtx/reader.js';
export type { EvtxItem, EvtxFileSummary, EvtxReadOptions } from './evtx/reader.js';
export { EvtxData } from './evtx/model.js';
export type { EvtxRecord, EvtxSystem, EvtxOrigin, EvtxValue, EvtxScalar } from './evtx/model.js';
export type { EvtxDiagnostic, EvtxErrorCode } from './evtx/errors.js';
export { DEFAULT_LIMITS as DEFAULT_EVTX_LIMITS } from './evtx/limits.js';
export type { EvtxLimits } from './evtx/limits.js';
export { renderXml } from './evtx/render/xml.js';
export { renderJson } from './evtx/render/json.js';
export { writeEvtx, filetimeFromDate } from './evtx/writer/index.js';
export type { WriteEvent, WriteValue, WriteOptions } from './evtx/writer/index.js';

// Inputs
export { readSource } from './sources/index.js';
export type { ReadOptions } from './sources/index.js';
export type { SourceItem, SourceDiagnostic, SourceSummary, SourceErrorCode } from './sources/types.js';

// The event model
export { Fields } from './events/fields.js';
export type { FieldValue, FieldScalar } from './events/fields.js';
export type { Event, Category } from './events/model.js';
export type { Origin, InputFormat, RecordKind, MdeTable, SourceRecord } from './events/origin.js';
export { normalize, TableSet } from './events/normalize.js';
export { DEFAULT_TABLES } from './events/tables/index.js';
export type { MappingTable, EventMapping, FieldSource, TransformName } from './events/mapping.js';

// Sigma rules
export { loadRules, loadRulesStrict } from './sigma/load.js';
export type { SigmaDiagnostic } from './sigma/errors.js';
export type { SigmaRule, SigmaFilter, SigmaCorrelation } from './sigma/rule.js';
